import { z } from 'zod'
import { EpochMs, Id } from './common'
import type { SubmissionStatus } from './submission-status'

/** One batch job's state, normalised across backends. */
export const JOB_STATES = ['idle', 'running', 'held', 'completed', 'failed', 'removed'] as const
export const JobState = z.enum(JOB_STATES)
export type JobState = z.infer<typeof JobState>

export const Job = z.object({
  id: Id,
  submissionId: Id,
  index: z.number().int().nonnegative(),
  /** The batch system's own id (`12345.7@schedd`, `812_3`, a local pid). */
  batchJobId: z.string().nullable(),
  state: JobState,
  exitCode: z.number().int().nullable(),
  holdReason: z.string().nullable(),
  submittedAt: EpochMs.nullable(),
  startedAt: EpochMs.nullable(),
  finishedAt: EpochMs.nullable(),
  wallSeconds: z.number().nonnegative().nullable(),
  cpuSeconds: z.number().nonnegative().nullable(),
  memoryMb: z.number().nonnegative().nullable(),
  host: z.string().nullable(),
  updatedAt: EpochMs,
})
export type Job = z.infer<typeof Job>

export const JobCounts = z.object({
  idle: z.number().int(),
  running: z.number().int(),
  held: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  removed: z.number().int(),
  total: z.number().int(),
})
export type JobCounts = z.infer<typeof JobCounts>

export const emptyJobCounts = (): JobCounts => ({ idle: 0, running: 0, held: 0, completed: 0, failed: 0, removed: 0, total: 0 })

export function countJobs(states: Iterable<JobState>): JobCounts {
  const counts = emptyJobCounts()
  for (const state of states) {
    counts[state]++
    counts.total++
  }
  return counts
}

export const isJobDone = (state: JobState): boolean => state === 'completed' || state === 'failed' || state === 'removed'

/**
 * A submission's status from its jobs, by POMS's agent rules (§2.1): Running while any job runs,
 * then Completed, or Failed when failed × 2 > completed (never for recoveries), or Cancelled when
 * jobs were removed and none ran to an end. `null` when there are no jobs to judge.
 */
export function statusFromJobs(counts: JobCounts, opts: { isRecovery: boolean }): SubmissionStatus | null {
  if (counts.total === 0) return null
  if (counts.running > 0) return 'Running'
  if (counts.idle > 0) return 'Idle'
  if (counts.held > 0) return 'Held'
  if (counts.removed > 0 && counts.completed === 0 && counts.failed === 0) return 'Cancelled'
  if (counts.failed * 2 > counts.completed && !opts.isRecovery) return 'Failed'
  return 'Completed'
}
