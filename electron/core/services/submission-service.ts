import type { ParsedInput } from '../../../shared/api/contract'
import type { Page } from '../../../shared/api/paging'
import type { Job } from '../../../shared/domain/job'
import { canDo } from '../../../shared/domain/roles'
import type { Submission, SubmissionDetail } from '../../../shared/domain/submission'
import { isActive, type SubmissionStatus } from '../../../shared/domain/submission-status'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Backend } from '../engine/backends/backend'
import { readTail } from '../files/capped-file'
import { trackedSubmission } from '../engine/tracked-submission'
import type { Actor } from './actor'
import { recordAudit } from './audit'
import { writeStatus } from './status-writer'

export interface SubmissionServiceOptions {
  backends: ReadonlyMap<string, Backend>
  abortLaunch(submissionId: string): Promise<boolean>
  /** Run the engine soon after a hold, release or approval, so people see what follows. */
  onControlled?: () => void
}

/** Reading submissions, and what people do to them: kill, and set a status by hand. */
export function createSubmissionService(deps: CoreDeps, opts: SubmissionServiceOptions) {
  const { db, repos, clock, events } = deps

  const assertMayAct = (actor: Actor, sub: Submission) => {
    const stage = repos.stages.get(actor.experiment, sub.stageId)
    const owner = stage ?? { creator: sub.creator, creatorRole: sub.creatorRole }
    if (!canDo(actor.username, actor.role, owner)) {
      throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not act on submission ${sub.shortId}`)
    }
  }

  return {
    list(actor: Actor, q: ParsedInput<'submissions:list'>): Page<Submission> {
      return repos.submissions.list(actor.experiment, { ...q.filter, sort: q.sort, cursor: q.cursor, limit: q.limit })
    },

    get(actor: Actor, ref: string): SubmissionDetail {
      const submission = repos.submissions.require(actor.experiment, ref)
      return { submission, history: repos.submissions.history(submission.id), snapshot: repos.submissions.getSnapshot(submission.id) }
    },

    jobs(actor: Actor, ref: string): Job[] {
      return repos.jobs.listBySubmission(repos.submissions.require(actor.experiment, ref).id)
    },

    launchOutput(actor: Actor, ref: string) {
      const sub = repos.submissions.require(actor.experiment, ref)
      const file = repos.submissions.launchOutputFile(sub.id)
      return file ? readTail(file) : { text: '', truncated: false, bytes: 0 }
    },

    jobLog(actor: Actor, ref: string, index: number) {
      const sub = repos.submissions.require(actor.experiment, ref)
      if (!repos.jobs.get(sub.id, index)) throw new AppError('NOT_FOUND', `submission ${sub.shortId} has no job ${index}`)
      const backend = opts.backends.get(sub.backend)
      const snapshot = repos.submissions.getSnapshot(sub.id)
      if (!backend || !snapshot) return { text: '', truncated: false, bytes: 0 }
      return backend.fetchLog(trackedSubmission(sub, snapshot), index)
    },

    /** Kill its jobs and mark it Cancelled: a person's decision, which the engine then keeps. */
    async kill(actor: Actor, ref: string): Promise<Submission> {
      const sub = repos.submissions.require(actor.experiment, ref)
      assertMayAct(actor, sub)
      if (!isActive(sub.status) && sub.launchState !== 'pending' && sub.launchState !== 'launching') {
        throw badInput(`submission ${sub.shortId} is ${sub.status}; there is nothing left to kill`)
      }
      await opts.abortLaunch(sub.id)
      const backend = opts.backends.get(sub.backend)
      const snapshot = repos.submissions.getSnapshot(sub.id)
      if (backend && snapshot) await backend.control(trackedSubmission(sub, snapshot), 'kill')
      db.transaction(() => {
        // Re-read: the engine may have finished it while the backend was killing its jobs.
        const from = repos.submissions.statusOf(sub.id) ?? sub.status
        writeStatus(repos, sub.id, from, 'Cancelled', { kind: 'person', username: actor.username, face: actor.face }, clock.now(), `killed by ${actor.username}`)
        recordAudit(repos, clock, actor, 'kill', { type: 'submission', id: sub.id }, `killed submission ${sub.shortId}`)
      })()
      events.emit('submissions:changed', { experiment: actor.experiment, ids: [sub.id] })
      return repos.submissions.getById(sub.id)!
    },

    /** Hold or release exactly this submission's jobs on its batch system; the poller records the new states. */
    async control(actor: Actor, ref: string, action: 'hold' | 'release'): Promise<{ submission: Submission; message: string }> {
      const sub = repos.submissions.require(actor.experiment, ref)
      assertMayAct(actor, sub)
      if (sub.launchState !== 'launched') throw badInput(`submission ${sub.shortId} has no jobs on a batch system (${sub.launchState})`)
      const backend = opts.backends.get(sub.backend)
      const snapshot = repos.submissions.getSnapshot(sub.id)
      if (!backend || !snapshot) throw new AppError('UNAVAILABLE', `the ${sub.backend} backend is not available`)
      const { message } = await backend.control(trackedSubmission(sub, snapshot), action)
      db.transaction(() => {
        recordAudit(repos, clock, actor, action, { type: 'submission', id: sub.id }, `${action === 'hold' ? 'held' : 'released'} the jobs of ${sub.shortId}: ${message}`)
      })()
      opts.onControlled?.()
      return { submission: repos.submissions.getById(sub.id)!, message }
    },

    /** Abort Launch: stops a launch still handing jobs to the batch system; it ends LaunchFailed. */
    async abort(actor: Actor, ref: string): Promise<Submission> {
      const sub = repos.submissions.require(actor.experiment, ref)
      assertMayAct(actor, sub)
      if (!(await opts.abortLaunch(sub.id))) throw badInput(`submission ${sub.shortId} is not being launched (${sub.launchState}); kill its jobs instead`)
      db.transaction(() => {
        recordAudit(repos, clock, actor, 'abort-launch', { type: 'submission', id: sub.id }, `aborted the launch of ${sub.shortId}`)
      })()
      return repos.submissions.getById(sub.id)!
    },

    /**
     * Approval stages (poms-reference.md §3.8): approve → Completed, after which wrap-up marks it
     * Located and launches the dependents on its input; reject → Removed (POMS's UnApprove).
     */
    decide(actor: Actor, ref: string, verdict: 'approve' | 'reject', reason: string | null): Submission {
      const sub = repos.submissions.require(actor.experiment, ref)
      assertMayAct(actor, sub)
      if (sub.status !== 'Awaiting Approval') throw badInput(`submission ${sub.shortId} is ${sub.status}, not Awaiting Approval`, [{ path: 'id', message: 'not awaiting approval' }])
      const to = verdict === 'approve' ? 'Completed' : 'Removed'
      const why = `${verdict === 'approve' ? 'approved' : 'rejected'} by ${actor.username}${reason ? `: ${reason}` : ''}`
      db.transaction(() => {
        writeStatus(repos, sub.id, sub.status, to, { kind: 'person', username: actor.username, face: actor.face }, clock.now(), why)
        recordAudit(repos, clock, actor, verdict, { type: 'submission', id: sub.id }, `${why} (${sub.shortId} of ${sub.stageName})`)
      })()
      events.emit('submissions:changed', { experiment: actor.experiment, ids: [sub.id] })
      opts.onControlled?.()
      return repos.submissions.getById(sub.id)!
    },

    /** POMS's "Kick to Completed" and friends; people may leave final states, the engine may not. */
    setStatus(actor: Actor, ref: string, status: SubmissionStatus, reason: string | null): Submission {
      const sub = repos.submissions.require(actor.experiment, ref)
      assertMayAct(actor, sub)
      const written = db.transaction(() => {
        const result = writeStatus(repos, sub.id, sub.status, status, { kind: 'person', username: actor.username, face: actor.face }, clock.now(), reason)
        if (result.changed) {
          recordAudit(repos, clock, actor, 'set-status', { type: 'submission', id: sub.id }, `set submission ${sub.shortId} from ${sub.status} to ${status}${reason ? `: ${reason}` : ''}`)
        }
        return result
      })()
      if (!written.changed && written.rule !== 'same') {
        throw badInput(`cannot set submission ${sub.shortId} to ${status}: ${written.reason}`, [{ path: 'status', message: written.reason }])
      }
      if (written.changed) events.emit('submissions:changed', { experiment: actor.experiment, ids: [sub.id] })
      return repos.submissions.getById(sub.id)!
    },
  }
}
export type SubmissionService = ReturnType<typeof createSubmissionService>
