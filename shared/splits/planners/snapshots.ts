import { filesText } from '../describe'
import { and, consumedStatus, datasetDims, dimsText, isDimsText, minusAny, or, projectFiles, runNumber, snapshotId, withLimit, type Dims } from '../dims'
import { fullNames, sliceNames, slicePrefix, UNKNOWN_SNAPSHOT } from '../names'
import { countParam, exhausted, planned, SplitSetupError, type SplitContext, type SplitPlanner } from '../types'

/**
 * drainingn, stagedfiles and byexistingruns (poms-reference.md §4 table, §4.2): the cursor is a
 * SAM snapshot id of everything delivered so far, and each real launch snapshots its slice and
 * merges it into a new cumulative snapshot (the data handler does that from `snapshot`).
 *
 * A preview cannot take snapshots, so it states what earlier simulated slices delivered inline:
 * each slice takes the first n of what is left, so after slices that took m files in all, the next
 * real slice is `<remaining> with limit n offset m` of what was left at the preview's start. For
 * byexistingruns the delivered set grows by whole runs, so it is `snapshot_id s or run_number r1,r2,…`.
 * Both stay one short query however many slices are previewed.
 */
const PREVIEW_NOTE = 'Previews cannot know the snapshot ids SAM assigns at launch; slice names after the first show <snapshot> instead.'

export const drainingnPlanner: SplitPlanner = {
  type: 'drainingn',
  notes: [PREVIEW_NOTE],
  plan: async (ctx) =>
    planStaged(ctx, 'drainingn', datasetDims(ctx.dataset), {
      slice: (files) => `the next ${files} of ${ctx.dataset} not yet delivered`,
      none: (previous) => (previous === null ? `${ctx.dataset} has no files` : `every file of ${ctx.dataset} has been delivered (snapshot ${previous} holds them)`),
    }),
}

export const stagedfilesPlanner: SplitPlanner = {
  type: 'stagedfiles',
  notes: [PREVIEW_NOTE],
  async plan(ctx) {
    const project = ctx.dataset.trim()
    if (project === '' || isDimsText(project)) throw new SplitSetupError('stagedfiles needs the dataset to be the name of the SAM project that stages the files')
    return planStaged(ctx, 'stagedfiles', and(projectFiles(project), consumedStatus('consumed')), {
      slice: (files) => `the next ${files} project ${project} has staged`,
      none: (previous) => (previous === null ? `project ${project} has not staged any file yet` : `project ${project} has staged no file beyond those in snapshot ${previous}`),
    })
  },
}

async function planStaged(ctx: SplitContext, type: string, base: Dims, say: { slice(files: string): string; none(previous: number | null): string }) {
  const n = countParam(ctx.params, 'n', type)
  const previous = ctx.state.cursor
  const simulated = ctx.state.delivered?.kind === 'files' ? ctx.state.delivered.count : null
  const remaining = minusAny(base, previous === null ? null : snapshotId(previous))
  const dims = dimsText(simulated === null ? withLimit(remaining, n) : withLimit(remaining, n, simulated))
  const count = await ctx.catalog.countFiles(dims)
  if (count === 0) return exhausted(say.none(previous))
  const prefix = slicePrefix(ctx.dataset, ctx.stageName)
  const name = sliceNames.staged(prefix, simulated === null ? (previous ?? 0) : UNKNOWN_SNAPSHOT, n)
  return planned({
    dataset: name,
    dims,
    fileCount: count,
    definitions: [{ name, dims }],
    snapshot: { sliceDefinition: name, previous, fullDefinition: previous === null ? null : fullNames.staged(prefix, previous, n, epochSeconds(ctx)) },
    next: { cursor: previous, delivered: { kind: 'files', count: (simulated ?? 0) + count } },
    description: say.slice(filesText(count)),
  })
}

export const byexistingrunsPlanner: SplitPlanner = {
  type: 'byexistingruns',
  notes: [
    PREVIEW_NOTE,
    'POMS writes `defname:d minus snapshot_id s and run_number r`, which SAM reads as d minus (s and r), i.e. every remaining file; we write `(defname:d and run_number r) minus snapshot_id s`, the one run intended.',
  ],
  async plan(ctx) {
    const base = datasetDims(ctx.dataset)
    const previous = ctx.state.cursor
    const runsTaken = ctx.state.delivered?.kind === 'runs' ? ctx.state.delivered.runs : null
    const parts = [...(previous === null ? [] : [snapshotId(previous)]), ...(runsTaken ? [runNumber(...runsTaken)] : [])]
    const delivered = parts.length === 0 ? null : or(...parts)

    const [file] = await ctx.catalog.listFiles(dimsText(withLimit(minusAny(base, delivered), 1)), 1)
    if (file === undefined) return exhausted(`every file of ${ctx.dataset} has been delivered`)
    const run = firstRun(await ctx.catalog.fileMetadata(file))
    if (run === null) return exhausted(`${file}, the next undelivered file of ${ctx.dataset}, has no run in its metadata`)

    const dims = dimsText(minusAny(and(base, runNumber(run)), delivered))
    const count = await ctx.catalog.countFiles(dims)
    // An empty slice would be offered again and again: the catalog's run metadata and run_number disagree.
    if (count === 0) throw new SplitSetupError(`${file} reports run ${run}, but run_number ${run} selects none of the undelivered files of ${ctx.dataset}`)
    const prefix = slicePrefix(ctx.dataset, ctx.stageName)
    const name = sliceNames.existingRun(prefix, runsTaken === null ? (previous ?? 0) : UNKNOWN_SNAPSHOT, run)
    return planned({
      dataset: name,
      dims,
      fileCount: count,
      definitions: [{ name, dims }],
      snapshot: { sliceDefinition: name, previous, fullDefinition: previous === null ? null : fullNames.existingRun(prefix, previous, run, epochSeconds(ctx)) },
      next: { cursor: previous, delivered: { kind: 'runs', runs: [...(runsTaken ?? []), run] } },
      description: `run ${run} of ${ctx.dataset} (${filesText(count)})`,
    })
  },
}

/**
 * The first run of a file as `run.subrun` (POMS's `%d.%04d`). SAM metadata lists runs as
 * `[run, subrun, type]`; a catalog may also give `run.subrun` or `run` strings.
 */
export function firstRun(metadata: Record<string, unknown> | null): string | null {
  const runs = metadata?.runs
  if (!Array.isArray(runs) || runs.length === 0) return null
  const first: unknown = runs[0]
  if (Array.isArray(first) && Number.isInteger(first[0])) {
    return Number.isInteger(first[1]) ? `${first[0]}.${String(first[1]).padStart(4, '0')}` : String(first[0])
  }
  if ((typeof first === 'string' || typeof first === 'number') && /^\d+(\.\d+)?$/.test(String(first))) return String(first)
  return null
}

/** §4.2: the cumulative snapshot's definition, everything delivered before plus the newest slice. */
export const cumulativeSnapshotQuery = (previous: number, latest: number): string => dimsText(or(snapshotId(previous), snapshotId(latest)))

const epochSeconds = (ctx: SplitContext): number => Math.floor(ctx.now / 1000)
