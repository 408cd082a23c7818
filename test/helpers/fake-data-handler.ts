import type { RecoveryType } from '../../shared/domain/job-type'
import {
  DatasetError,
  SplitExhausted,
  type DataHandler,
  type LocatedVerdict,
  type RecoveryDataset,
  type SplitOutcome,
  type SplitRequest,
  type SubmissionFacts,
} from '../../electron/core/engine/data/data-handler'

interface Project {
  name: string
  facts: SubmissionFacts
  files: string[]
  failed: Set<string>
}

export interface FakeCall {
  method: string
  submission?: string
  args: unknown[]
}

/**
 * An in-memory DataHandler for unit tests: named file lists, `nfiles(n)` splits with an index
 * cursor, one project per submission whose failed files the test chooses, an output per consumed
 * input, and every call logged. The real handlers are tested against it only through the engine.
 */
export function fakeDataHandler(opts: { failures?: (facts: SubmissionFacts, files: readonly string[]) => string[] } = {}) {
  const datasets = new Map<string, string[]>()
  const projects = new Map<string, Project>()
  const outputsOf = new Map<string, string>()
  const calls: FakeCall[] = []
  const notLocated = new Set<string>()

  const files = (dataset: string): string[] => {
    const found = datasets.get(dataset)
    if (!found) throw new DatasetError(`no dataset ${dataset}`)
    return found
  }
  function slice(req: SplitRequest, k: number): { outcome: SplitOutcome; files: string[] } | null {
    const n = Number(/\((\d+)\)/.exec(req.splitType ?? '')?.[1] ?? '1')
    const part = files(req.dataset).slice(k * n, (k + 1) * n)
    if (part.length === 0) return null
    const name = `${req.dataset}_slice${k}_files${n}`
    return {
      outcome: { dataset: name, cursorAfter: k + 1, fileCount: part.length, definitions: [{ name, dims: `defname:${req.dataset} with limit ${n} offset ${k * n}` }], description: `files ${k * n + 1}–${k * n + part.length} of ${req.dataset}` },
      files: part,
    }
  }
  const projectOf = (facts: SubmissionFacts): Project => {
    const p = projects.get(facts.submissionId)
    if (!p) throw new Error(`no project for ${facts.shortId}`)
    return p
  }
  const consumed = (p: Project) => p.files.filter((f) => !p.failed.has(f))

  const handler: DataHandler = {
    kind: 'local',
    async nextSplit(req) {
      calls.push({ method: 'nextSplit', args: [req.cursor] })
      const s = slice(req, req.cursor ?? 0)
      if (!s) throw new SplitExhausted(`nothing left after slice ${req.cursor ?? 0}`)
      datasets.set(s.outcome.dataset, s.files)
      return s.outcome
    },
    async previewSplits(req, count) {
      calls.push({ method: 'previewSplits', args: [req.cursor, count] })
      const slices: SplitOutcome[] = []
      for (let k = req.cursor ?? 0; slices.length < count; k++) {
        const s = slice(req, k)
        if (!s) return { slices, exhaustedAfter: slices.length }
        // Listable like the handlers that answer a preview slice's query.
        datasets.set(`preview:${s.outcome.dataset}`, s.files)
        slices.push({ ...s.outcome, dims: `preview:${s.outcome.dataset}` } as SplitOutcome)
      }
      return { slices, exhaustedAfter: slice(req, (req.cursor ?? 0) + count) ? null : count }
    },
    countFiles: async (_e, dataset) => files(dataset).length,
    listFiles: async (_e, dataset, limit) => files(dataset).slice(0, limit),
    async beginProject(facts) {
      calls.push({ method: 'beginProject', submission: facts.shortId, args: [facts.dataset] })
      const input = datasets.get(facts.dataset) ?? []
      const failed = new Set(opts.failures?.(facts, input) ?? [])
      const name = `proj_${facts.shortId}`
      projects.set(facts.submissionId, { name, facts, files: input, failed })
      for (const f of input) if (!failed.has(f)) outputsOf.set(f, `${f}.${facts.stageName}.out`)
      return { project: name, env: { FAKE_PROJECT: name } }
    },
    async accounting(facts) {
      const p = projectOf(facts)
      return { submitted: p.files.length, delivered: p.files.length, consumed: consumed(p).length, failed: p.failed.size, skipped: 0, unknown: 0, outputs: consumed(p).length }
    },
    async located(facts, pct): Promise<LocatedVerdict> {
      calls.push({ method: 'located', submission: facts.shortId, args: [pct] })
      const p = projectOf(facts)
      const count = consumed(p).length
      const threshold = (count * pct) / 100
      return { located: !notLocated.has(facts.shortId) && count >= threshold && (threshold > 0 || facts.isRecovery), count, threshold, detail: `fake project ${p.name}` }
    },
    async recoveryDataset(facts, type: RecoveryType, position, parent): Promise<RecoveryDataset> {
      calls.push({ method: 'recoveryDataset', submission: facts.shortId, args: [type, position, parent?.shortId ?? null] })
      const p = projectOf(facts)
      const todo = type === 'consumed_status' || type === 'process_status' ? [...p.failed] : type === 'pending_files' ? p.files.filter((f) => !outputsOf.has(f)) : []
      if (todo.length === 0) return { type, dataset: null, count: 0, files: [], detail: `${type}: every file of ${p.name} was processed` }
      const name = `recover_${facts.shortId}_${position}`
      datasets.set(name, todo)
      return { type, dataset: name, count: todo.length, files: todo, detail: `${type} of ${p.name}` }
    },
    async dependencyDataset(parent, patterns, index, upstreamStageType) {
      calls.push({ method: 'dependencyDataset', submission: parent.shortId, args: [patterns, index, upstreamStageType] })
      // Approval and transfer stages pass their input on unchanged (POMS: defname:<input dataset>).
      const out =
        upstreamStageType === 'approval' || upstreamStageType === 'datatransfer'
          ? files(parent.dataset)
          : projectOf(parent)
              .files.map((f) => outputsOf.get(f))
              .filter((f): f is string => f !== undefined)
      const name = `depends_${parent.shortId}_${index}`
      datasets.set(name, out)
      return { dataset: name, count: out.length, detail: `${out.length} files from ${parent.shortId}` }
    },
    close: async () => undefined,
  }
  return {
    handler,
    calls,
    define(name: string, list: string[]) {
      datasets.set(name, list)
    },
    files,
    /** Keeps a submission (by short id) from being located. */
    holdBack(shortId: string, held = true) {
      if (held) notLocated.add(shortId)
      else notLocated.delete(shortId)
    },
  }
}
export type FakeData = ReturnType<typeof fakeDataHandler>
