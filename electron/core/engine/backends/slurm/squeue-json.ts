import type { JobUpdate } from '../../../store/repos/job-repo'
import { expandArrayTasks, slurmJobState, waitStatusToExitCode } from './slurm-state'

/** The fields of one `squeue --json` (Slurm 22.05, openapi v0.0.38) job this backend reads. */
export interface SqueueJob {
  job_id: number
  array_job_id: number
  array_task_id: number | null
  array_task_string: string
  job_state: string
  state_reason: string
  priority: number
  exit_code: number
  submit_time: number
  start_time: number
  end_time: number
  nodes: string
  batch_host: string
  name: string
  comment: string
  standard_output: string
  standard_error: string
  current_working_directory: string
  user_name: string
}

/**
 * `squeue --json` output. Throws when it is not that (a cut-off answer must not read as "no
 * jobs"), and when it lists errors: with the controller unreachable squeue 22.05 exits 0 with an
 * empty job list and `errors: [{description: "Failed while looking for jobs", …}]`.
 */
export function parseSqueueJson(text: string): SqueueJob[] {
  const parsed = JSON.parse(text) as { jobs?: unknown; errors?: unknown }
  if (!parsed || !Array.isArray(parsed.jobs)) throw new Error('squeue --json printed no job list')
  const errors = (Array.isArray(parsed.errors) ? parsed.errors : []) as { description?: string; error?: string; source?: string }[]
  if (errors.length > 0) {
    throw new Error(`squeue reported: ${errors.map((e) => [e.source, e.description, e.error].filter(Boolean).join(': ')).join('; ')}`)
  }
  return parsed.jobs as SqueueJob[]
}

/** The batch id a job belongs to: its array's id, or its own for a plain job. */
export const squeueBatchKey = (job: SqueueJob): string => String(job.array_job_id || job.job_id)

/**
 * The tasks one squeue record stands for: an array task, a plain job (task 0), or an array's pending
 * remainder (one record, `array_task_string` `2-9`, one task each).
 */
export function squeueTasks(job: SqueueJob): number[] {
  if (!job.array_job_id) return [0]
  if (typeof job.array_task_id === 'number') return [job.array_task_id]
  return expandArrayTasks(job.array_task_string ?? '')
}

const secs = (t: number): number | null => (typeof t === 'number' && t > 0 ? t * 1000 : null)

/** One task of a squeue record as a job update (times are epoch seconds in squeue's JSON). */
export function squeueToJob(job: SqueueJob, task: number, index: number, nowMs: number): JobUpdate {
  const { state, exitCode, holdReason } = slurmJobState(job.job_state, job.state_reason ?? '', job.priority ?? null, waitStatusToExitCode(job.exit_code ?? 0))
  // A pending job's start_time is an estimate, and a cancelled one's is the cancel time: a job ran
  // only if it is running or got a node.
  const ran = state === 'running' || job.nodes || job.batch_host ? secs(job.start_time) : null
  const finished = state === 'completed' || state === 'failed' || state === 'removed'
  // end_time of a running job is its time limit, not an end.
  const end = finished ? secs(job.end_time) : null
  return {
    index,
    batchJobId: job.array_job_id ? `${job.array_job_id}_${task}` : String(job.job_id),
    state,
    exitCode,
    holdReason,
    submittedAt: secs(job.submit_time),
    startedAt: ran,
    finishedAt: end,
    wallSeconds: ran === null ? null : Math.max(0, ((end ?? nowMs) - ran) / 1000),
    // squeue reports no usage, and sstat/sacct need accounting this backend cannot count on.
    cpuSeconds: null,
    memoryMb: null,
    host: ran === null ? null : job.nodes || job.batch_host || null,
  }
}
