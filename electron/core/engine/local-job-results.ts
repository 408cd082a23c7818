import { isJobDone, type Job } from '../../../shared/domain/job'
import type { Submission, SubmissionSnapshot } from '../../../shared/domain/submission'
import type { CoreDeps } from '../deps'

/**
 * Records a finished local submission's job results where its data handler keeps them (the local
 * catalog: outputs, consumed and failed inputs); answers a line for the report, or null.
 */
export type LocalResultsRecorder = (sub: Submission, snapshot: SubmissionSnapshot | null, jobs: readonly Job[]) => Promise<string | null>

/**
 * Local jobs report nothing to a data service, so once all jobs of a local submission have ended,
 * their results are recorded for them — before wrap-up checks completion, and exactly once (a
 * marker on the submission, set after the idempotent recording, survives a crash in between).
 */
export function createLocalJobResults(deps: CoreDeps, record: LocalResultsRecorder, retryMs = 60_000) {
  const { db, repos, clock, logger } = deps
  const failedAt = new Map<string, number>()
  return {
    async run(): Promise<string[]> {
      const lines: string[] = []
      for (const id of repos.submissions.resultsPendingIds()) {
        const now = clock.now()
        if (now - (failedAt.get(id) ?? -Infinity) < retryMs) continue
        const sub = repos.submissions.getById(id)
        if (!sub) continue
        const jobs = repos.jobs.listBySubmission(id)
        // A kill still in progress: wait for every job to end.
        if (jobs.some((j) => !isJobDone(j.state))) continue
        try {
          const line = jobs.length > 0 ? await record(sub, repos.submissions.getSnapshot(id), jobs) : null
          if (line) lines.push(`${sub.shortId} ${sub.stageName}: ${line}`)
        } catch (err) {
          failedAt.set(id, now)
          logger.warn('could not record the results of local jobs; will retry', { submission: sub.shortId, error: (err as Error).message })
          lines.push(`${sub.shortId} ${sub.stageName}: the job results could not be recorded (${(err as Error).message}); again in ${Math.round(retryMs / 1000)} s`)
          continue
        }
        failedAt.delete(id)
        db.transaction(() => repos.submissions.markResultsRecorded(id, clock.now()))()
      }
      return lines
    },
  }
}
export type LocalJobResults = ReturnType<typeof createLocalJobResults>
