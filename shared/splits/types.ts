/**
 * The shapes split planning works with (poms-reference.md §4). A planner decides what the next
 * launch of a stage gets — a definition name and its dimension query, or a list item — and where
 * the stage's cursor goes next; it only reads the catalog. Creating definitions and taking
 * snapshots is the data handler's job, so the same planner serves real launches and previews.
 */

/** The read-only catalog calls planners make (a DimensionBackend offers all of them). */
export interface SplitCatalog {
  countFiles(dims: string): Promise<number>
  listFiles(dims: string, limit?: number): Promise<string[]>
  fileMetadata(file: string): Promise<Record<string, unknown> | null>
  definitionExists(name: string): Promise<boolean>
}

/**
 * What a preview has delivered beyond the stage's real snapshot cursor, so the snapshot-tracked
 * types (drainingn, stagedfiles, byexistingruns) can be simulated without taking snapshots:
 * `files` counts the files their slices took, `runs` lists the runs byexistingruns took.
 */
export type SimulatedDelivery = { kind: 'files'; count: number } | { kind: 'runs'; runs: string[] }

export interface SplitState {
  /** The stage's cursor (poms-reference.md §4 table: an index, a run, an epoch second or a snapshot id); null = start. */
  cursor: number | null
  /** Only in previews: what earlier simulated slices delivered. Always null for a real launch. */
  delivered: SimulatedDelivery | null
}

export interface SplitContext {
  /** The stage dataset (keywords expanded): a definition name, a dimension query, a list, a project… */
  dataset: string
  stageName: string
  /** Parameters as parseSplitSpec returns them (suffixes kept). */
  params: Readonly<Record<string, string>>
  state: SplitState
  /** Epoch ms. */
  now: number
  catalog: SplitCatalog
  /** The unique part of POMS's uuid names (limitn, byrun, new); previews pass a placeholder. */
  newId(): string
  /** IANA zone for new(localtime=1); null = the zone of the machine running the engine. */
  timeZone: string | null
}

/**
 * For the snapshot-tracked types: after a real launch's slice definition exists, snapshot it and,
 * when there is a previous snapshot, define `fullDefinition` = `snapshot_id <previous> or snapshot_id <new>`
 * and snapshot that; the last snapshot id becomes the cursor (poms-reference.md §4.2).
 */
export interface SnapshotStep {
  sliceDefinition: string
  /** null when there is no previous snapshot to merge with. */
  fullDefinition: string | null
  previous: number | null
}

export interface PlannedSlice {
  /** What the launch receives as %(dataset)s. */
  dataset: string
  /** A query for exactly the slice's files now (previews list files with it); null for list/multiparam items. */
  dims: string | null
  fileCount: number | null
  /** Definitions a real launch creates, in order. In previews the dims are the inline equivalent. */
  definitions: { name: string; dims: string }[]
  snapshot: SnapshotStep | null
  /** The state the next slice starts from: the cursor for plain types, the simulated delivery for snapshot types. */
  next: SplitState
  description: string
}

export type SlicePlan = { exhausted: false; slice: PlannedSlice } | { exhausted: true; reason: string }

export interface SplitPlanner {
  readonly type: string
  /** Where POMS's behaviour differs from its documentation or from what we do, in a sentence each. */
  readonly notes: readonly string[]
  plan(ctx: SplitContext): Promise<SlicePlan>
}

/** A split that cannot be planned as configured (bad parameters, a list that is not JSON…): not exhaustion. */
export class SplitSetupError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SplitSetupError'
  }
}

export const exhausted = (reason: string): SlicePlan => ({ exhausted: true, reason })
export const planned = (slice: PlannedSlice): SlicePlan => ({ exhausted: false, slice })

/** The next state of a type whose cursor is a plain number. */
export const cursorTo = (cursor: number | null): SplitState => ({ cursor, delivered: null })

/** A positive whole-number parameter (`n` of nfiles, mod, limitn, drainingn, stagedfiles). */
export function countParam(params: Readonly<Record<string, string>>, name: string, type: string): number {
  const value = Number(params[name])
  if (!Number.isSafeInteger(value) || value < 1) throw new SplitSetupError(`${type} needs ${name} as a whole number of at least 1, e.g. ${type}(10)`)
  return value
}
