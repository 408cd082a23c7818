import { parseSplitSpec } from '../domain/split-types'
import { byrunPlanner } from './planners/by-run'
import { limitnPlanner, modPlanner, nfilesPlanner } from './planners/fixed-slices'
import { drainingPlanner, nonePlanner } from './planners/pass-through'
import { listPlanner, multiparamPlanner } from './planners/sequences'
import { byexistingrunsPlanner, drainingnPlanner, stagedfilesPlanner } from './planners/snapshots'
import { newLocalPlanner, newPlanner } from './planners/time-windows'
import { SplitSetupError, type SplitPlanner } from './types'

const PLANNERS: ReadonlyMap<string, SplitPlanner> = new Map(
  [
    nonePlanner,
    drainingPlanner,
    listPlanner,
    multiparamPlanner,
    modPlanner,
    nfilesPlanner,
    limitnPlanner,
    drainingnPlanner,
    stagedfilesPlanner,
    byrunPlanner,
    byexistingrunsPlanner,
    newPlanner,
    newLocalPlanner,
  ].map((p) => [p.type, p]),
)

export interface ResolvedSplit {
  planner: SplitPlanner
  params: Record<string, string>
  /** What the spec's text and the split type do differently from POMS, for the simulator and the editor. */
  notes: string[]
}

/** The planner of a split spec (`nfiles(100)`, `new(window=1d)`, null for none), read with POMS's grammar. */
export function resolveSplit(spec: string | null): ResolvedSplit {
  const parsed = parseSplitSpec(spec)
  if (!parsed.ok) throw new SplitSetupError(`split type "${spec}": ${parsed.message} (column ${parsed.column})`)
  const planner = PLANNERS.get(parsed.type ?? 'none')
  if (!planner) throw new SplitSetupError(`split type "${parsed.type}" has no planner`)
  return { planner, params: parsed.params, notes: [...parsed.notes, ...planner.notes] }
}
