import type { BackendKind } from '../../../../shared/domain/login-setup'
import type { SshEndpoint } from '../../ssh/ssh-pool'
import type { JobUpdate } from '../../store/repos/job-repo'

/** Where a remote backend runs its commands: the login setup's host and account, resolved. */
export interface RemoteTarget {
  endpoint: SshEndpoint
  /** IANA zone of the host, for times remote tools print without one (jobsub_q's `MM/DD HH:MM`). */
  timezone: string
}

/**
 * A submission as a backend sees it. Everything is frozen from the submission's snapshot, so a
 * backend never reads live configuration.
 */
export interface TrackedSubmission {
  id: string
  shortId: string
  experiment: string
  /** The batch system's id once known: `123.0@schedd` (jobsub), `123` (condor cluster), `812` (Slurm), `local:s-…`. */
  batchId: string | null
  backend: BackendKind
  /** Null for the local backend. */
  target: RemoteTarget | null
  /** How to log in to the target (the login setup's auth method and key reference; never key material). */
  auth?: { name: string; authMethod: 'agent' | 'key-file' | 'stored-key'; keyFile: string; secretRef: string | null } | null
  /** The login setup's shell text, already substituted; remote commands run after it (PATH, SLURM_CONF, tokens). */
  setup: string
  /** The POMS environment of the launch (`POMS4_*`, `POMS_*`, `GROUP`…), data, never code. */
  env: Record<string, string>
  /** The VO group (`jobsub -G`) and role the stage launches with. */
  group: string
  role: string
  createdAt: number
}

/** What a backend needs to start a submission's jobs, all resolved and frozen beforehand. */
export interface LaunchPlan extends TrackedSubmission {
  /** The launch command: the job type's launch script and parameters, every inserted value escaped (remote). */
  command: string
  /** The same command as an argument vector, run without a shell (local). */
  argv: string[]
  /** Input files (local jobs share them out; a remote launch gets their list on the host, for a `local` dataset there) and the job count. */
  files: string[]
  jobCount: number
  /** Attributes every job of the submission carries so it can always be found again (`POMS4_SUBMISSION_ID`…). */
  tags: Record<string, string>
}

export interface SubmitResult {
  batchId: string
  /** Jobs known at submit time; remote backends may return none and let the poller find them. */
  jobs: JobUpdate[]
}

export interface QueryResult {
  /** Per submission id, the jobs the batch system reported (queue and history together). */
  jobs: Map<string, JobUpdate[]>
  /** Submissions the batch system knows nothing about (never seen, or forgotten). */
  unknown: string[]
  /** True when some part of the batch system did not answer: never read absence as "finished". */
  partial: boolean
  /** Why it is partial, for the log and the UI. */
  partialReason?: string
}

export interface LaunchIo {
  log(line: string): void
  signal: AbortSignal
}

export type ControlAction = 'kill' | 'hold' | 'release'

export interface TextBlob {
  text: string
  truncated: boolean
  bytes: number
}

/** Execution backends behind one interface (architecture.md §6). */
export interface Backend {
  readonly kind: BackendKind
  /** Starts the submission's jobs; throws LaunchError when the launch did not produce a job id. */
  submit(plan: LaunchPlan, io: LaunchIo): Promise<SubmitResult>
  /** One batched query per submit host for all the given submissions (queue and history). */
  query(submissions: readonly TrackedSubmission[]): Promise<QueryResult>
  /** kill / hold / release exactly this submission's jobs; returns what the batch system said. */
  control(submission: TrackedSubmission, action: ControlAction): Promise<{ message: string }>
  /** A job's log (stdout and stderr), fetched from wherever the backend keeps it. */
  fetchLog(submission: TrackedSubmission, index: number): Promise<TextBlob>
  /**
   * After a crash: the jobs tagged with these submissions' ids, if any exist, so an interrupted
   * launch is adopted instead of launched again.
   */
  findTagged(submissions: readonly TrackedSubmission[]): Promise<Map<string, { batchId: string; jobs: JobUpdate[] }>>
  /** Remote backends: the exact script `submit` would run on the launch host (shown by dry runs). */
  launchScript?(plan: LaunchPlan): string
  close(): Promise<void>
}

/** A launch that did not happen, with the reason a person needs to fix it. */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LaunchError'
  }
}

/** A batch system that could not be asked (host down, command failed); the engine backs off and retries. */
export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BackendUnavailableError'
  }
}
