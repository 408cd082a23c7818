import type { Database } from 'better-sqlite3'
import { emptyJobCounts, type Job, type JobCounts, type JobState } from '../../../../shared/domain/job'

const COLUMNS =
  'id, submission_id, job_index, batch_job_id, state, exit_code, hold_reason, submitted_at, started_at, finished_at, wall_seconds, cpu_seconds, memory_mb, host, updated_at'

const toJob = (r: Record<string, unknown>): Job => ({
  id: r.id as string,
  submissionId: r.submission_id as string,
  index: r.job_index as number,
  batchJobId: r.batch_job_id as string | null,
  state: r.state as JobState,
  exitCode: r.exit_code as number | null,
  holdReason: r.hold_reason as string | null,
  submittedAt: r.submitted_at as number | null,
  startedAt: r.started_at as number | null,
  finishedAt: r.finished_at as number | null,
  wallSeconds: r.wall_seconds as number | null,
  cpuSeconds: r.cpu_seconds as number | null,
  memoryMb: r.memory_mb as number | null,
  host: r.host as string | null,
  updatedAt: r.updated_at as number,
})

/** What a backend reports about one job; everything but the index may be unknown. */
export type JobUpdate = Omit<Job, 'id' | 'submissionId' | 'updatedAt'>

/** One row per batch job (architecture.md §4). Callers own the transaction around bulk writes. */
export function createJobRepo(db: Database) {
  const insert = db.prepare(`INSERT INTO jobs (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const update = db.prepare(
    'UPDATE jobs SET batch_job_id = ?, state = ?, exit_code = ?, hold_reason = ?, submitted_at = ?, started_at = ?, finished_at = ?, ' +
      'wall_seconds = ?, cpu_seconds = ?, memory_mb = ?, host = ?, updated_at = ? WHERE submission_id = ? AND job_index = ?',
  )
  const bySubmission = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE submission_id = ? ORDER BY job_index`)
  const byIndex = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE submission_id = ? AND job_index = ?`)
  const counts = db.prepare('SELECT state, count(*) AS n FROM jobs WHERE submission_id = ? GROUP BY state')

  return {
    insert(job: Job): void {
      insert.run(
        job.id,
        job.submissionId,
        job.index,
        job.batchJobId,
        job.state,
        job.exitCode,
        job.holdReason,
        job.submittedAt,
        job.startedAt,
        job.finishedAt,
        job.wallSeconds,
        job.cpuSeconds,
        job.memoryMb,
        job.host,
        job.updatedAt,
      )
    },
    /** Returns false when no such job row exists yet. */
    update(submissionId: string, u: JobUpdate, now: number): boolean {
      return (
        update.run(
          u.batchJobId,
          u.state,
          u.exitCode,
          u.holdReason,
          u.submittedAt,
          u.startedAt,
          u.finishedAt,
          u.wallSeconds,
          u.cpuSeconds,
          u.memoryMb,
          u.host,
          now,
          submissionId,
          u.index,
        ).changes > 0
      )
    },
    listBySubmission: (submissionId: string): Job[] => (bySubmission.all(submissionId) as Record<string, unknown>[]).map(toJob),
    get(submissionId: string, index: number): Job | null {
      const row = byIndex.get(submissionId, index) as Record<string, unknown> | undefined
      return row ? toJob(row) : null
    },
    counts(submissionId: string): JobCounts {
      const result = emptyJobCounts()
      for (const { state, n } of counts.all(submissionId) as { state: JobState; n: number }[]) {
        result[state] = n
        result.total += n
      }
      return result
    },
    /** Counts for many submissions in one query (lists). */
    countsFor(submissionIds: readonly string[]): Map<string, JobCounts> {
      const out = new Map<string, JobCounts>()
      for (const id of submissionIds) out.set(id, emptyJobCounts())
      for (let i = 0; i < submissionIds.length; i += 500) {
        const chunk = submissionIds.slice(i, i + 500)
        const rows = db
          .prepare(`SELECT submission_id, state, count(*) AS n FROM jobs WHERE submission_id IN (${chunk.map(() => '?').join(',')}) GROUP BY 1, 2`)
          .all(...chunk) as { submission_id: string; state: JobState; n: number }[]
        for (const r of rows) {
          const c = out.get(r.submission_id)!
          c[r.state] = r.n
          c.total += r.n
        }
      }
      return out
    },
  }
}
export type JobRepo = ReturnType<typeof createJobRepo>
