import type { BackendKind } from '../../../../shared/domain/login-setup'
import type { JobUpdate } from '../../store/repos/job-repo'

/** What a backend needs to start a submission's jobs, all resolved and frozen beforehand. */
export interface LaunchPlan {
  submissionId: string
  shortId: string
  argv: string[]
  command: string
  env: Record<string, string>
  files: string[]
  jobCount: number
}

export interface SubmitResult {
  batchId: string
  jobs: JobUpdate[]
}

export interface QueryResult {
  /** Per submission, the jobs the batch system reported. */
  jobs: Map<string, JobUpdate[]>
  /** Submissions the batch system knows nothing about (never seen, or forgotten). */
  unknown: string[]
  /** True when some part of the batch system did not answer: never read absence as "finished". */
  partial: boolean
}

export interface LaunchIo {
  log(line: string): void
  signal: AbortSignal
}

/** Execution backends behind one interface (architecture.md §6). */
export interface Backend {
  readonly kind: BackendKind
  submit(plan: LaunchPlan, io: LaunchIo): Promise<SubmitResult>
  query(submissionIds: readonly string[]): Promise<QueryResult>
  kill(submissionId: string): Promise<void>
  /** Where a job's log is kept, when the backend keeps it locally. */
  jobLogFile(submissionId: string, index: number): string | null
  close(): Promise<void>
}

/** A launch that did not happen, with the reason a person needs to fix it. */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'LaunchError'
  }
}
