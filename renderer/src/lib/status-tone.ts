import type { JobState, SubmissionStatus } from '../../../shared/domain'

/** Colour families of the status badges; the CSS defines one class per tone. */
export type Tone = 'ok' | 'bad' | 'running' | 'idle' | 'held' | 'gone' | 'pending'

const SUBMISSION_TONES: Record<SubmissionStatus, Tone> = {
  New: 'idle',
  Idle: 'idle',
  Running: 'running',
  Held: 'held',
  Completed: 'ok',
  Located: 'ok',
  Failed: 'bad',
  LaunchFailed: 'bad',
  Cancelled: 'gone',
  Removed: 'gone',
  'Awaiting Approval': 'pending',
  Approved: 'pending',
}

const JOB_TONES: Record<JobState, Tone> = {
  idle: 'idle',
  running: 'running',
  held: 'held',
  completed: 'ok',
  failed: 'bad',
  removed: 'gone',
}

export const submissionTone = (status: SubmissionStatus): Tone => SUBMISSION_TONES[status]
export const jobTone = (state: JobState): Tone => JOB_TONES[state]
