import { filesText } from '../describe'
import { and, datasetDims, dimsText, runNumber } from '../dims'
import { sliceNames, slicePrefix } from '../names'
import { cursorTo, exhausted, planned, SplitSetupError, type SplitPlanner } from '../types'

/**
 * `byrun(low=a,high=b)` (poms-reference.md §4 table): one run number per launch. The cursor is the
 * next run, starting at low. POMS's documentation says runs a..b; its code stops before b. We
 * follow the documentation: high is processed too.
 */
export const byrunPlanner: SplitPlanner = {
  type: 'byrun',
  notes: [
    'Runs low through high are launched, high included, as POMS documents ("a..b"); POMS itself stops at high − 1.',
    'A run with no files still takes a launch, as in POMS.',
  ],
  async plan(ctx) {
    const low = runParam(ctx.params.low, 'low', 1)
    const high = runParam(ctx.params.high, 'high', 999999)
    if (low > high) throw new SplitSetupError(`byrun needs low ≤ high, not low=${low}, high=${high}`)
    const run = ctx.state.cursor ?? low
    if (run > high) return exhausted(`runs ${low} through ${high} have all been launched`)
    const dims = dimsText(and(datasetDims(ctx.dataset), runNumber(String(run))))
    const count = await ctx.catalog.countFiles(dims)
    const name = sliceNames.byrun(slicePrefix(ctx.dataset, ctx.stageName), ctx.newId(), run)
    return planned({
      dataset: name,
      dims,
      fileCount: count,
      definitions: [{ name, dims }],
      snapshot: null,
      next: cursorTo(run + 1),
      description: `run ${run} of ${ctx.dataset} (${filesText(count)})`,
    })
  },
}

function runParam(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const run = Number(value)
  if (!Number.isSafeInteger(run) || run < 0) throw new SplitSetupError(`byrun's ${name} must be a run number (a whole number ≥ 0), not "${value}"`)
  return run
}
