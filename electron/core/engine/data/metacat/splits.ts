import { parseSplitSpec } from '../../../../../shared/domain/split-types'
import { filesText } from '../../../../../shared/splits/describe'
import { parseDuration } from '../../../../../shared/splits/planners/time-windows'
import { DatasetError, SplitExhausted, type SplitOutcome, type SplitRequest } from '../data-handler'
import type { DataDispatcherClient } from './data-dispatcher-client'
import type { MetacatClient } from './metacat-client'
import { datasetKind, fidList, minusFids, mqlTimestamp, queryOf, where } from './mql-text'
import type { LedgerFile, SplitLedger } from './split-ledger'

/**
 * POMS's split types on MetaCat queries and Data Dispatcher projects (poms-reference.md §4 and
 * Appendix A, `webservice/dd_split_types/*` on POMS's develop branch). One stepper per type turns a
 * state into the next slice; the preview runs it K times without recording anything, the launch
 * once, recording the stateful types' slices in the split ledger.
 *
 * Every query that takes a part of a dataset says `ordered`: MetaCat promises no order otherwise,
 * and the preview must show the files the launch will get.
 */

export interface SplitServices {
  metacat: MetacatClient
  dd: DataDispatcherClient
  ledger: SplitLedger
  /** The metadata key of a file's run number (POMS's Shrek splits use `core.run_number`). */
  runKey: string
}

interface State {
  cursor: number | null
  /** Stateful types: every file delivered so far (ledger plus the slices previewed before this one). */
  delivered: LedgerFile[]
}

type Step = { outcome: SplitOutcome; cursor: number | null; ledger?: { files: LedgerFile[]; query: string } } | { exhausted: string }

interface Stepper {
  usesLedger: boolean
  step(state: State): Promise<Step>
}

function slice(dataset: string, cursorAfter: number | null, fileCount: number | null, description: string): SplitOutcome {
  return { dataset, cursorAfter, fileCount, definitions: [], description }
}

/** A list split's items: a JSON/Python list of strings (POMS's dd list uses ast.literal_eval), else comma-separated. */
export function listItems(dataset: string): string[] {
  const t = dataset.trim()
  if (t.startsWith('[')) {
    const items = [...t.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1').trim())
    if (items.length === 0) throw new DatasetError('the list dataset has no quoted items')
    return items
  }
  return t.split(',').map((s) => s.trim()).filter((s) => s !== '')
}

function multiparamLists(dataset: string): string[][] {
  let value: unknown
  try {
    value = JSON.parse(dataset)
  } catch {
    throw new DatasetError('multiparam needs a JSON list of lists, e.g. [["a","b"],["c","d"]]')
  }
  if (!Array.isArray(value) || value.length === 0 || !value.every((l) => Array.isArray(l) && l.length > 0 && l.every((x) => typeof x === 'string'))) {
    throw new DatasetError('multiparam needs a non-empty JSON list of non-empty lists of strings')
  }
  return value as string[][]
}

/** The number of files behind any dataset string (null for a parameter with none). */
async function filesBehind(svc: SplitServices, dataset: string): Promise<number | null> {
  const kind = datasetKind(dataset)
  if (kind.k === 'query') return svc.metacat.count(kind.mql)
  if (kind.k === 'project') return (await svc.dd.handles(kind.id)).length
  return null
}

const asLedger = (files: { fid: string; namespace: string; name: string }[]): LedgerFile[] => files.map((f) => ({ fid: f.fid, namespace: f.namespace, name: f.name }))

function stepperFor(svc: SplitServices, req: SplitRequest, type: string, params: Record<string, string>): Stepper {
  const n = Number(params.n ?? 0)
  const stateless = (step: (s: State) => Promise<Step>): Stepper => ({ usesLedger: false, step })
  const stateful = (step: (s: State) => Promise<Step>): Stepper => ({ usesLedger: true, step })

  switch (type) {
    case 'draining': {
      // POMS's dd draining counts its launches in the cursor and stops when the query is empty.
      return stateless(async (s) => {
        const count = await filesBehind(svc, req.dataset)
        if (count === 0) return { exhausted: `${req.dataset} matches no files` }
        const run = (s.cursor ?? -1) + 1
        return { outcome: slice(req.dataset, run, count, `run ${run + 1} of the draining dataset ${req.dataset}${count === null ? '' : ` (${filesText(count)} now)`}`), cursor: run }
      })
    }
    case 'list': {
      const items = listItems(req.dataset)
      return stateless(async (s) => {
        const i = s.cursor ?? 0
        if (i >= items.length) return { exhausted: `all ${items.length} items of the list were launched` }
        const item = items[i]!
        const count = await filesBehind(svc, item)
        return { outcome: slice(item, i + 1, count, `item ${i + 1} of ${items.length}: ${item}${count === null ? '' : ` (${filesText(count)})`}`), cursor: i + 1 }
      })
    }
    case 'multiparam': {
      const lists = multiparamLists(req.dataset)
      const total = lists.reduce((p, l) => p * l.length, 1)
      return stateless(async (s) => {
        const k = s.cursor ?? 0
        if (k >= total) return { exhausted: `all ${total} combinations were launched` }
        let rest = k
        // The first list varies fastest (poms dd_split_types/multiparam.py).
        const parts = lists.map((l) => {
          const v = l[rest % l.length]!
          rest = Math.floor(rest / l.length)
          return v
        })
        const value = parts.join('_')
        return { outcome: slice(value, k + 1, null, `combination ${k + 1} of ${total}: ${value}`), cursor: k + 1 }
      })
    }
    case 'mod': {
      // POMS documents mod as stride slices; its dd_split_types/mod.py actually cuts buckets of n
      // files. We follow the documentation, with MetaCat's every_nth filter over an ordered query.
      const q = queryOf(req.dataset)
      return stateless(async (s) => {
        const k = s.cursor ?? 0
        if (k >= n) return { exhausted: `all ${n} slices were launched` }
        const mql = `filter every_nth(${n},${k})((${q}) ordered)`
        const count = await svc.metacat.count(mql)
        if (count === 0) return { exhausted: `slice ${k + 1} of ${n} is empty` }
        return { outcome: slice(mql, k + 1, count, `slice ${k + 1} of ${n} (every ${n}th file from the ${k + 1}th) of ${q} (${filesText(count)})`), cursor: k + 1 }
      })
    }
    case 'nfiles': {
      const q = queryOf(req.dataset)
      return stateless(async (s) => {
        const k = s.cursor ?? 0
        const mql = `(${q}) ordered skip ${k * n} limit ${n}`
        const count = await svc.metacat.count(mql)
        if (count === 0) return { exhausted: `no files after the first ${k * n} of ${q}` }
        return { outcome: slice(mql, k + 1, count, `files ${k * n + 1}–${k * n + count} of ${q} (${filesText(count)})`), cursor: k + 1 }
      })
    }
    case 'limitn': {
      const q = queryOf(req.dataset)
      return stateless(async (s) => {
        const mql = `(${q}) ordered limit ${n}`
        const count = await svc.metacat.count(mql)
        if (count === 0) return { exhausted: `${q} matches no files` }
        return { outcome: slice(mql, s.cursor, count, `the first ${filesText(count)} of ${q}, as every time`), cursor: s.cursor }
      })
    }
    case 'byrun': {
      const q = queryOf(req.dataset)
      const low = Number(params.low ?? '1')
      const high = Number(params.high ?? '999999')
      return stateless(async (s) => {
        const r = s.cursor ?? low
        // POMS's documentation says runs low..high; its code stops before high. We process high too.
        if (r > high) return { exhausted: `runs ${low} to ${high} were all launched` }
        const mql = where(q, [`${svc.runKey} = ${r}`])
        const count = await svc.metacat.count(mql)
        return { outcome: slice(mql, r + 1, count, `run ${r} of ${low}–${high} (${filesText(count)})`), cursor: r + 1 }
      })
    }
    case 'new':
    case 'new_local': {
      const q = queryOf(req.dataset)
      const seconds = (name: string, fallback: string) => parseDuration(params[name] ?? fallback, name)
      const window0 = seconds('window', '1w')
      const round = Math.max(1, Math.floor(seconds('round', '1')))
      const fts = seconds('fts', '1800')
      const local = params.localtime === undefined ? type === 'new_local' : seconds('localtime', '0') !== 0
      const firsttime = params.firsttime === undefined ? null : seconds('firsttime', '0')
      const lasttime = params.lasttime === undefined ? req.now / 1000 : seconds('lasttime', '0')
      const window = Math.floor(window0) - (Math.floor(window0) % round)
      const bound0 = Math.floor(lasttime - fts - window)
      const bound = bound0 - (bound0 % round)
      return stateless(async (s) => {
        // Like the SAM-side planner, a first window from firsttime is held to the boundary too (POMS checks from the second launch).
        const start = s.cursor ?? firsttime ?? bound
        if (start > bound) return { exhausted: `the next window would start at ${mqlTimestamp(start)}, after ${mqlTimestamp(bound)} (lasttime − fts − window)` }
        const end = start + window
        const mql = where(q, [`created_timestamp > '${mqlTimestamp(start, local)}'`, `created_timestamp <= '${mqlTimestamp(end, local)}'`])
        const count = await svc.metacat.count(mql)
        return { outcome: slice(mql, end, count, `files created after ${mqlTimestamp(start, local)} up to ${mqlTimestamp(end, local)} (${filesText(count)})`), cursor: end }
      })
    }
    case 'drainingn': {
      const q = queryOf(req.dataset)
      return stateful(async (s) => {
        const mql = `(${minusFids(q, s.delivered.map((f) => f.fid))}) ordered limit ${n}`
        const files = await svc.metacat.query(mql)
        if (files.length === 0) return { exhausted: `every file of ${q} was delivered (${filesText(s.delivered.length)})` }
        const taken = asLedger(files)
        return {
          outcome: slice(fidList(taken.map((f) => f.fid)), null, taken.length, `the next ${filesText(taken.length)} of ${q} not delivered yet (${filesText(s.delivered.length)} delivered before)`),
          cursor: null,
          ledger: { files: taken, query: mql },
        }
      })
    }
    case 'byexistingruns': {
      const q = queryOf(req.dataset)
      return stateful(async (s) => {
        const rest = minusFids(q, s.delivered.map((f) => f.fid))
        const [first] = await svc.metacat.query(`(${rest}) ordered limit 1`, { withMetadata: true })
        if (!first) return { exhausted: `every file of ${q} was delivered` }
        const run = first.metadata?.[svc.runKey]
        if (typeof run !== 'number') return { exhausted: `the next undelivered file ${first.namespace}:${first.name} has no ${svc.runKey}` }
        const mql = `${where(rest, [`${svc.runKey} = ${run}`])} ordered`
        const taken = asLedger(await svc.metacat.query(mql))
        return {
          outcome: slice(fidList(taken.map((f) => f.fid)), null, taken.length, `run ${run}: its ${filesText(taken.length)} of ${q} not delivered yet`),
          cursor: null,
          ledger: { files: taken, query: mql },
        }
      })
    }
    case 'stagedfiles': {
      // The dataset names a (prestaging) project; each slice is the next n files it has finished.
      const kind = datasetKind(/^\d+$/.test(req.dataset.trim()) ? `project_id: ${req.dataset.trim()}` : req.dataset)
      if (kind.k !== 'project') throw new DatasetError('stagedfiles needs a Data Dispatcher project id as its dataset (e.g. project_id: 42)')
      return stateful(async (s) => {
        const seen = new Set(s.delivered.map((f) => `${f.namespace}:${f.name}`))
        const done = (await svc.dd.handles(kind.id, { state: 'done' })).filter((h) => !seen.has(`${h.namespace}:${h.name}`)).slice(0, n)
        if (done.length === 0) return { exhausted: `project ${kind.id} has finished no file that was not delivered yet` }
        const files = await svc.metacat.files(done.map((h) => ({ namespace: h.namespace, name: h.name })))
        if (files.length === 0) return { exhausted: `MetaCat knows none of the next files project ${kind.id} finished` }
        const taken = asLedger(files)
        return {
          outcome: slice(fidList(taken.map((f) => f.fid)), null, taken.length, `the next ${filesText(taken.length)} project ${kind.id} finished (${filesText(s.delivered.length)} delivered before)`),
          cursor: null,
          ledger: { files: taken, query: `project ${kind.id}: done handles` },
        }
      })
    }
    default:
      throw new DatasetError(`the ${type} split type is not available for MetaCat datasets`)
  }
}

export interface Plan {
  slices: SplitOutcome[]
  exhaustedAfter: number | null
  /** Why the split ended, when it did. */
  reason: string | null
}

/**
 * The next `count` slices from the request's cursor. With `record`, each stateful slice is written
 * to the ledger and its entry becomes the cursor; without, nothing anywhere changes (the preview's
 * stateful slices then show cursorAfter null: the ledger id exists only once the launch records it).
 */
export async function planSplits(svc: SplitServices, req: SplitRequest, count: number, record: boolean): Promise<Plan> {
  const spec = parseSplitSpec(req.splitType)
  if (!spec.ok) throw new DatasetError(`split type ${req.splitType}: ${spec.message}`)
  if (spec.type === null) {
    // No split: the dataset as written, every time (poms-reference.md §4.1).
    const files = await filesBehind(svc, req.dataset)
    const one = slice(req.dataset, req.cursor, files, `the whole dataset ${req.dataset}${files === null ? '' : ` (${filesText(files)})`}, every launch`)
    return { slices: Array.from({ length: count }, () => ({ ...one })), exhaustedAfter: null, reason: null }
  }
  const stepper = stepperFor(svc, req, spec.type, spec.params)
  let state: State = { cursor: req.cursor, delivered: stepper.usesLedger ? await svc.ledger.delivered(req.cursor) : [] }
  const slices: SplitOutcome[] = []
  for (let i = 0; i < count; i++) {
    const step = await stepper.step(state)
    if ('exhausted' in step) return { slices, exhaustedAfter: slices.length, reason: step.exhausted }
    let cursor = step.cursor
    if (step.ledger) {
      if (record) {
        cursor = await svc.ledger.record({ experiment: req.experiment, stageId: req.stageId, splitType: spec.canonical ?? spec.type, previous: state.cursor, files: step.ledger.files, query: step.ledger.query })
      }
      step.outcome.cursorAfter = cursor
    }
    slices.push(step.outcome)
    state = { cursor, delivered: step.ledger ? [...state.delivered, ...step.ledger.files] : state.delivered }
  }
  return { slices, exhaustedAfter: null, reason: null }
}

export async function nextSlice(svc: SplitServices, req: SplitRequest): Promise<SplitOutcome> {
  const plan = await planSplits(svc, req, 1, true)
  const [first] = plan.slices
  if (!first) throw new SplitExhausted(`No more splits in this campaign. (${req.splitType}: ${plan.reason})`)
  return first
}
