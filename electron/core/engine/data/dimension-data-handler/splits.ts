import { cumulativeSnapshotQuery } from '../../../../../shared/splits/planners/snapshots'
import { resolveSplit } from '../../../../../shared/splits/registry'
import { simulateSplits } from '../../../../../shared/splits/simulate'
import type { PlannedSlice, SplitCatalog, SplitContext } from '../../../../../shared/splits/types'
import { SplitExhausted, type SplitOutcome, type SplitRequest } from '../data-handler'
import type { DimensionBackend } from '../dimension-backend'

/**
 * Splits over a dimension backend (poms-reference.md §4): the shared planners decide, this module
 * carries out what a real launch needs — the slice definitions, and for the snapshot-tracked types
 * the snapshot merge of §4.2 whose id becomes the cursor. Previews only ever read.
 */
export interface SplitDeps {
  newId(): string
  timeZone: string | null
}

/** A slice of a preview, with its first files when they were asked for. */
export interface PreviewSlice extends SplitOutcome {
  /** A query for exactly this slice's files now (null for list and multiparam values). */
  dims: string | null
  files: string[]
}

export async function nextSplit(backend: DimensionBackend, req: SplitRequest, deps: SplitDeps): Promise<SplitOutcome> {
  const { planner, params } = resolveSplit(req.splitType)
  const plan = await planner.plan({ ...context(backend, req, params, deps.timeZone), newId: deps.newId })
  if (plan.exhausted) throw new SplitExhausted(`No more splits in this campaign: ${plan.reason}.`)
  const { slice } = plan
  const definitions = [...slice.definitions]
  for (const def of definitions) await backend.createDefinition(def.name, def.dims)

  let cursorAfter = slice.next.cursor
  if (slice.snapshot) {
    const { sliceDefinition, previous, fullDefinition } = slice.snapshot
    cursorAfter = await backend.takeSnapshot(sliceDefinition)
    if (previous !== null && fullDefinition !== null) {
      const dims = cumulativeSnapshotQuery(previous, cursorAfter)
      await backend.createDefinition(fullDefinition, dims)
      definitions.push({ name: fullDefinition, dims })
      cursorAfter = await backend.takeSnapshot(fullDefinition)
    }
  }
  return { dataset: slice.dataset, cursorAfter, fileCount: slice.fileCount, definitions, description: slice.description }
}

/**
 * The next `count` slices without creating anything. For the snapshot-tracked types the cursor
 * after a slice is a snapshot id SAM has not assigned yet, so it is null in a preview.
 */
export async function previewSplits(
  backend: DimensionBackend,
  req: SplitRequest,
  count: number,
  deps: SplitDeps,
  filesPerSlice = 0,
): Promise<{ slices: PreviewSlice[]; exhaustedAfter: number | null }> {
  const { planner, params } = resolveSplit(req.splitType)
  const simulation = await simulateSplits(planner, context(backend, req, params, deps.timeZone), count)
  const slices: PreviewSlice[] = []
  for (const slice of simulation.slices) slices.push(await previewSlice(backend, slice, filesPerSlice))
  return { slices, exhaustedAfter: simulation.exhaustedAfter }
}

async function previewSlice(backend: DimensionBackend, slice: PlannedSlice, filesPerSlice: number): Promise<PreviewSlice> {
  const files = slice.dims !== null && filesPerSlice > 0 && slice.fileCount !== 0 ? await backend.listFiles(slice.dims, filesPerSlice) : []
  return {
    dataset: slice.dataset,
    cursorAfter: slice.snapshot ? null : slice.next.cursor,
    fileCount: slice.fileCount,
    definitions: slice.definitions,
    description: slice.description,
    dims: slice.dims,
    files,
  }
}

function context(backend: DimensionBackend, req: SplitRequest, params: Record<string, string>, timeZone: string | null): Omit<SplitContext, 'newId'> {
  return {
    dataset: req.dataset,
    stageName: req.stageName,
    params,
    state: { cursor: req.cursor, delivered: null },
    now: req.now,
    catalog: readOnlyCatalog(backend),
    timeZone,
  }
}

/** What planners may call: reads only, so no plan can change the catalog. */
export function readOnlyCatalog(backend: DimensionBackend): SplitCatalog {
  return {
    countFiles: (dims) => backend.countFiles(dims),
    listFiles: (dims, limit) => backend.listFiles(dims, limit),
    fileMetadata: (file) => backend.fileMetadata(file),
    definitionExists: async (name) => (await backend.describeDefinition(name)) !== null,
  }
}
