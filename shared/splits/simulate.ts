import { UNKNOWN_UUID } from './names'
import type { PlannedSlice, SplitContext, SplitPlanner } from './types'

export interface Simulation {
  slices: PlannedSlice[]
  /** How many slices come before the split is exhausted, or null if it lasts beyond those asked for. */
  exhaustedAfter: number | null
  exhaustedReason: string | null
}

/**
 * The next `count` slices a split would give, changing nothing: the planners only read the
 * catalog, and each slice starts from the state the previous one left (for the snapshot-tracked
 * types, the simulated delivery instead of a new snapshot). One slice more is planned to tell
 * whether the split ends right after the last one asked for.
 */
export async function simulateSplits(planner: SplitPlanner, ctx: Omit<SplitContext, 'newId'>, count: number): Promise<Simulation> {
  const slices: PlannedSlice[] = []
  let state = { cursor: ctx.state.cursor, delivered: null } as SplitContext['state']
  for (let i = 0; i <= count; i++) {
    const plan = await planner.plan({ ...ctx, state, newId: () => UNKNOWN_UUID })
    if (plan.exhausted) return { slices, exhaustedAfter: i, exhaustedReason: plan.reason }
    if (i === count) break
    slices.push(plan.slice)
    state = plan.slice.next
  }
  return { slices, exhaustedAfter: null, exhaustedReason: null }
}
