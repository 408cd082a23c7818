import type { Job } from '../../../shared/domain/job'
import { isJobDone, statusFromJobs } from '../../../shared/domain/job'
import type { CoreDeps } from '../deps'
import { writeStatus } from '../services/status-writer'
import type { JobUpdate } from '../store/repos/job-repo'
import { newId } from '../store/ids'
import type { Backend } from './backends/backend'
import { trackedSubmission } from './tracked-submission'

const ENGINE = { kind: 'engine' as const, username: 'engine', face: 'engine' as const }

const sameJob = (stored: Job, u: JobUpdate): boolean =>
  stored.state === u.state &&
  stored.exitCode === u.exitCode &&
  stored.batchJobId === u.batchJobId &&
  stored.holdReason === u.holdReason &&
  stored.startedAt === u.startedAt &&
  stored.finishedAt === u.finishedAt &&
  stored.cpuSeconds === u.cpuSeconds &&
  stored.memoryMb === u.memoryMb &&
  stored.host === u.host

export interface PollOutcome {
  submissionsPolled: number
  jobsChanged: number
  statusesChanged: number
}

/**
 * One poll cycle: one query per backend for all its active submissions (not one per submission),
 * every change written in one transaction, then events. A partial answer never finishes anything.
 */
export function createPoller(deps: CoreDeps, backends: ReadonlyMap<string, Backend>) {
  const { db, repos, clock, events } = deps

  return async function pollOnce(): Promise<PollOutcome> {
    const active = repos.submissions.activeIds().map((id) => repos.submissions.getById(id)!).filter(Boolean)
    const byBackend = new Map<string, typeof active>()
    for (const s of active) byBackend.set(s.backend, [...(byBackend.get(s.backend) ?? []), s])

    // One query per backend (each groups by submit host); a batch system that cannot be asked this
    // cycle changes nothing — its submissions keep their statuses until it answers again.
    const failures: string[] = []
    const answers = await Promise.all(
      [...byBackend.entries()].map(async ([kind, subs]) => {
        const backend = backends.get(kind)
        if (!backend) return null
        const tracked = subs.map((s) => trackedSubmission(s, repos.submissions.getSnapshot(s.id)))
        try {
          return { subs, result: await backend.query(tracked) }
        } catch (err) {
          failures.push(`${kind}: ${(err as Error).message}`)
          deps.logger.warn('a batch system could not be asked this cycle', { backend: kind, error: (err as Error).message })
          return null
        }
      }),
    )
    if (failures.length > 0 && failures.length === byBackend.size) throw new Error(`no batch system answered: ${failures.join('; ')}`)

    const outcome: PollOutcome = { submissionsPolled: active.length, jobsChanged: 0, statusesChanged: 0 }
    const changedSubmissions = new Map<string, string>()
    const changedJobs = new Map<string, string>()
    const now = clock.now()

    db.transaction(() => {
      for (const answer of answers) {
        if (!answer) continue
        const { subs, result } = answer
        for (const sub of subs) {
          let updates = result.jobs.get(sub.id)
          let lostReason: string | null = null
          if (!updates && result.unknown.includes(sub.id) && !result.partial && sub.backend === 'local') {
            // Local jobs live in this process; after a restart nothing of them can be followed.
            lostReason = 'the app stopped while these jobs ran; their outcome is unknown'
            updates = repos.jobs
              .listBySubmission(sub.id)
              .filter((j) => !isJobDone(j.state))
              .map(({ id: _id, submissionId: _s, updatedAt: _u, ...job }) => ({ ...job, state: 'failed' as const, finishedAt: now }))
          }
          if (!updates) continue
          const stored = new Map(repos.jobs.listBySubmission(sub.id).map((j) => [j.index, j]))
          for (const u of updates) {
            const before = stored.get(u.index)
            if (before && sameJob(before, u)) continue
            if (before) repos.jobs.update(sub.id, u, now)
            else repos.jobs.insert({ ...u, id: newId(), submissionId: sub.id, updatedAt: now })
            outcome.jobsChanged++
            changedJobs.set(sub.id, sub.experiment)
          }
          const to = statusFromJobs(repos.jobs.counts(sub.id), { isRecovery: sub.parentSubmissionId !== null })
          if (result.partial && to !== null && ['Completed', 'Failed', 'Cancelled'].includes(to)) continue
          // The status now, not when the cycle began: a person may have killed it while the backend answered.
          const from = repos.submissions.statusOf(sub.id) ?? sub.status
          if (to && to !== from && writeStatus(repos, sub.id, from, to, ENGINE, now, lostReason).changed) {
            outcome.statusesChanged++
            changedSubmissions.set(sub.id, sub.experiment)
          }
        }
      }
    })()

    const group = (m: Map<string, string>) => {
      const out = new Map<string, string[]>()
      for (const [id, experiment] of m) out.set(experiment, [...(out.get(experiment) ?? []), id])
      return out
    }
    for (const [experiment, submissionIds] of group(changedJobs)) events.emit('jobs:changed', { experiment, submissionIds })
    for (const [experiment, ids] of group(changedSubmissions)) events.emit('submissions:changed', { experiment, ids })
    return outcome
  }
}
