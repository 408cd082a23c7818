import { filesText } from '../describe'
import { datasetDims, dimsText, isDimsText } from '../dims'
import { planned, type SplitContext, type SplitPlanner } from '../types'

/**
 * No splitting, and `draining` (poms-reference.md §4 table): every launch gets the dataset as
 * written, the cursor is not used and the split never ends. A draining definition excludes
 * processed files by its own dimensions, so its count shrinks between launches; previews, which
 * launch nothing, show the same count every time.
 */
export const nonePlanner: SplitPlanner = {
  type: 'none',
  notes: [],
  async plan(ctx) {
    // The dataset may be anything used through %(dataset)s (from_parent, a parameter); count it only when it is a dataset.
    const name = ctx.dataset.trim()
    const dims = isDimsText(name) || (name !== '' && (await ctx.catalog.definitionExists(name))) ? dimsText(datasetDims(name)) : null
    return unchanged(ctx, dims, dims === null ? null : await ctx.catalog.countFiles(dims))
  },
}

export const drainingPlanner: SplitPlanner = {
  type: 'draining',
  notes: ['Previews show the draining definition as it is now for every launch; between real launches it shrinks as files are processed.'],
  async plan(ctx) {
    const dims = dimsText(datasetDims(ctx.dataset))
    return unchanged(ctx, dims, await ctx.catalog.countFiles(dims))
  },
}

function unchanged(ctx: SplitContext, dims: string | null, fileCount: number | null) {
  return planned({
    dataset: ctx.dataset,
    dims,
    fileCount,
    definitions: [],
    snapshot: null,
    next: { cursor: ctx.state.cursor, delivered: null },
    description: `${ctx.dataset} as is${dims === null ? '' : ` (${filesText(fileCount)})`}`,
  })
}
