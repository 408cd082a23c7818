import type { RecoveryStep } from '../../../../shared/domain/job-type'
import type { RecoveryDataset } from '../data/data-handler'

export interface WalkedStep {
  position: number
  step: RecoveryStep
  /** What the step found; null when the step's recovery was already launched (resumed after a crash). */
  found: RecoveryDataset | null
}

export interface RecoveryWalkInput {
  plan: readonly RecoveryStep[]
  /** The parent's recovery position: how many steps were evaluated before (0 = none). */
  from: number
  /** True when a recovery for this step already exists (launched before a crash recorded the position). */
  alreadyLaunched(position: number): boolean
  /** The recovery dataset of one step. */
  evaluate(step: RecoveryStep, position: number): Promise<RecoveryDataset>
}

export interface RecoveryWalkResult {
  /** Steps looked at, in order; none of them is looked at again by a later walk. */
  walked: WalkedStep[]
  /** The step whose recovery is to be launched (or was, when resumed), or null: the plan found nothing. */
  launch: WalkedStep | null
  /** The position to store on the parent: one past the last step looked at. */
  positionAfter: number
}

/**
 * POMS's automatic recovery walk (poms-reference.md §5.3) without its off-by-one: the position
 * counts the steps already evaluated, so each step is evaluated exactly once per parent. POMS left
 * a NULL position at 0 without advancing, so when recovery #1 finished, step 0 was evaluated again
 * against the parent's project and the first recovery set could be launched twice.
 */
export async function walkRecoveryPlan(input: RecoveryWalkInput): Promise<RecoveryWalkResult> {
  const walked: WalkedStep[] = []
  for (let position = Math.max(0, input.from); position < input.plan.length; position++) {
    const step = input.plan[position]!
    if (input.alreadyLaunched(position)) {
      const resumed = { position, step, found: null }
      walked.push(resumed)
      return { walked, launch: resumed, positionAfter: position + 1 }
    }
    const found = await input.evaluate(step, position)
    const evaluated = { position, step, found }
    walked.push(evaluated)
    if (found.count > 0 && found.dataset !== null) return { walked, launch: evaluated, positionAfter: position + 1 }
  }
  return { walked, launch: null, positionAfter: Math.max(input.from, input.plan.length) }
}
