import type { Submission, SubmissionSnapshot } from '../../../../shared/domain/submission'
import type { LocatedVerdict } from '../data/data-handler'

/** POMS gives up waiting for a `located` submission's outputs 2 days after it was created (§2.4). */
export const GIVE_UP_AFTER_MS = 2 * 24 * 3600_000

export type CompletionDecision = { located: true; reason: string } | { located: false; reason: string }

/**
 * Is a Completed submission done (poms-reference.md §7.2)? Approval stages ran nothing and
 * `complete` stages count the jobs finishing as enough: Located at once. `located` stages ask the
 * data handler whether the outputs are there, and give up after 2 days. Unlike POMS, there is no
 * 4-day window: every Completed submission is checked until one of these says Located.
 */
export async function decideCompletion(
  sub: Submission,
  snapshot: SubmissionSnapshot,
  /** The data handler's verdict (only asked for `located` stages within the 2 days). */
  locate: (completionPct: number) => Promise<LocatedVerdict>,
  now: number,
): Promise<CompletionDecision> {
  const { stage } = snapshot
  if (stage.stageType === 'approval') return { located: true, reason: 'approved; an approval stage has no outputs to locate' }
  if (stage.completionType === 'complete') return { located: true, reason: 'completion type complete: the jobs finishing is enough' }
  if (now - sub.createdAt > GIVE_UP_AFTER_MS) {
    return { located: true, reason: `gave up waiting for outputs: launched more than 2 days ago (POMS's rule)` }
  }
  const verdict = await locate(stage.completionPct)
  const numbers = `${verdict.count} located, threshold ${verdict.threshold} (${stage.completionPct}%)`
  return verdict.located
    ? { located: true, reason: `outputs located: ${numbers}; ${verdict.detail}` }
    : { located: false, reason: `not located yet: ${numbers}; ${verdict.detail}` }
}
