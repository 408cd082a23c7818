import { z } from 'zod'

/** POMS's submission statuses with their ids; code compares the ids, so the order matters (§1.9). */
export const STATUS_IDS = {
  New: 1000,
  Cancelled: 1500,
  LaunchFailed: 2000,
  'Awaiting Approval': 2400,
  Approved: 2500,
  Idle: 3000,
  Running: 4000,
  Held: 5000,
  Failed: 6000,
  Completed: 7000,
  Located: 8000,
  Removed: 9000,
} as const

export type SubmissionStatus = keyof typeof STATUS_IDS
export const SUBMISSION_STATUSES = Object.keys(STATUS_IDS) as SubmissionStatus[]
export const SubmissionStatus = z.enum(SUBMISSION_STATUSES as [SubmissionStatus, ...SubmissionStatus[]])

/** States that automatic actors (the engine, schedules) may never leave (§2.1 guard 2). */
export const FINAL_STATUSES: readonly SubmissionStatus[] = ['Located', 'Removed', 'Failed']

/** Statuses in which the submission still has work on the batch system. */
export const ACTIVE_STATUSES: readonly SubmissionStatus[] = ['New', 'Idle', 'Running', 'Held']

export type ActorKind = 'person' | 'engine'

export type TransitionVerdict =
  | { allowed: true }
  | { allowed: false; rule: 'same' | 'final' | 'no-rollback' | 'person-cancelled'; reason: string }

/**
 * The guard rules of POMS's update_submission_status, plus one of ours: a person's Cancelled sticks
 * against the engine, so a kill is never undone by jobs that finished while it ran.
 */
export function checkTransition(from: SubmissionStatus, to: SubmissionStatus, actor: ActorKind): TransitionVerdict {
  if (from === to) return { allowed: false, rule: 'same', reason: `already ${to}` }
  if (actor === 'engine' && FINAL_STATUSES.includes(from)) {
    return { allowed: false, rule: 'final', reason: `${from} is final; only a person may change it` }
  }
  if (from === 'Completed' && STATUS_IDS[to] <= STATUS_IDS.Completed) {
    return { allowed: false, rule: 'no-rollback', reason: `a Completed submission cannot go back to ${to}` }
  }
  if (actor === 'engine' && from === 'Cancelled') {
    return { allowed: false, rule: 'person-cancelled', reason: 'a cancelled submission stays cancelled' }
  }
  return { allowed: true }
}

export const isActive = (status: SubmissionStatus): boolean => ACTIVE_STATUSES.includes(status)
