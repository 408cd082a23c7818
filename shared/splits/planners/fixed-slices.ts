import { filesText } from '../describe'
import { datasetDims, dimsText, withLimit, withStride, type Dims } from '../dims'
import { sliceNames, slicePrefix } from '../names'
import { countParam, cursorTo, exhausted, planned, type SplitContext, type SplitPlanner, type SplitState } from '../types'

/**
 * `mod(n)`, `nfiles(n)` and `limitn(n)` (poms-reference.md §4 table): slices of a fixed
 * definition by position. The definition is only created when the slice has files — POMS creates
 * it first and counts it afterwards, leaving an empty definition behind at the end.
 */
export const modPlanner: SplitPlanner = {
  type: 'mod',
  notes: [],
  async plan(ctx) {
    const n = countParam(ctx.params, 'n', 'mod')
    const k = ctx.state.cursor ?? 0
    if (k >= n) return exhausted(`all ${n} slices have been launched`)
    const dims = withStride(datasetDims(ctx.dataset), n, k)
    // POMS launches empty stride slices too (a dataset smaller than n).
    return slice(ctx, sliceNames.mod(prefix(ctx), k, n), dims, await count(ctx, dims), cursorTo(k + 1), (c) => `files ${k + 1}, ${k + 1 + n}, ${k + 1 + 2 * n}, … of ${ctx.dataset} (${filesText(c)})`)
  },
}

export const nfilesPlanner: SplitPlanner = {
  type: 'nfiles',
  notes: ['Slices are positions in the dataset as it is at each launch: files added or removed between launches shift them (use drainingn for changing datasets).'],
  async plan(ctx) {
    const n = countParam(ctx.params, 'n', 'nfiles')
    const k = ctx.state.cursor ?? 0
    const dims = withLimit(datasetDims(ctx.dataset), n, k * n)
    const c = await count(ctx, dims)
    if (c === 0) return exhausted(`slice ${k} (files from ${k * n + 1} on) of ${ctx.dataset} has no files`)
    return slice(ctx, sliceNames.nfiles(prefix(ctx), k, n), dims, c, cursorTo(k + 1), () => `files ${k * n + 1}–${k * n + c} of ${ctx.dataset} (${filesText(c)})`)
  },
}

export const limitnPlanner: SplitPlanner = {
  type: 'limitn',
  notes: ['Every launch gets the same first n files; the split only ends if the dataset is empty.'],
  async plan(ctx) {
    const n = countParam(ctx.params, 'n', 'limitn')
    const dims = withLimit(datasetDims(ctx.dataset), n)
    const c = await count(ctx, dims)
    if (c === 0) return exhausted(`${ctx.dataset} has no files`)
    return slice(ctx, sliceNames.limitn(prefix(ctx), ctx.newId(), n), dims, c, cursorTo(ctx.state.cursor), () => `the first ${filesText(c)} of ${ctx.dataset}`)
  },
}

const prefix = (ctx: SplitContext): string => slicePrefix(ctx.dataset, ctx.stageName)
const count = (ctx: SplitContext, dims: Dims): Promise<number> => ctx.catalog.countFiles(dimsText(dims))

function slice(ctx: SplitContext, name: string, dims: Dims, fileCount: number, next: SplitState, describe: (count: number) => string) {
  const text = dimsText(dims)
  return planned({ dataset: name, dims: text, fileCount, definitions: [{ name, dims: text }], snapshot: null, next, description: describe(fileCount) })
}
