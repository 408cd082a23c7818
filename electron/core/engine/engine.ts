import type { CoreDeps } from '../deps'
import { writeStatus } from '../services/status-writer'
import type { JobUpdate } from '../store/repos/job-repo'
import { newId } from '../store/ids'
import { trackedSubmission } from './tracked-submission'
import type { Backend } from './backends/backend'
import { createPoller, type PollOutcome } from './poller'

export interface EngineOptions {
  pollIntervalMs: number
  maxBackoffMs?: number
  /** Runs after every poll while the engine runs (wrap-up: completion, recovery, dependents, schedules). */
  afterPoll?: () => Promise<unknown>
}

/**
 * Runs the poll loop: a cycle every interval, sooner when a backend reports a change, backing off
 * when a cycle fails. On start it settles launches a crash interrupted (they never run twice).
 */
export function createEngine(deps: CoreDeps, backends: ReadonlyMap<string, Backend>, opts: EngineOptions) {
  const { repos, clock, logger, db, events } = deps
  const pollOnce = createPoller(deps, backends)
  let timer: NodeJS.Timeout | null = null
  let stopped = true
  let polling: Promise<PollOutcome | null> | null = null
  let again = false
  let failures = 0
  let reconcileAgain = true
  let startedAt = Number.POSITIVE_INFINITY

  /**
   * Launches a stop interrupted (journaled, never confirmed) are settled, never launched again: a
   * remote one is matched to the jobs tagged with its id on the batch system and adopted if they
   * exist; a local one cannot have survived the stop. A host that cannot be asked is tried again
   * on the next cycle.
   */
  async function reconcileInterruptedLaunches(): Promise<void> {
    const ids = repos.submissions.interruptedLaunchIds()
    if (ids.length === 0) return
    const ENGINE = { kind: 'engine' as const, username: 'engine', face: 'engine' as const }
    for (const id of ids) {
      const sub = repos.submissions.getById(id)
      const snapshot = sub ? repos.submissions.getSnapshot(id) : null
      // Only launches journaled before this engine started: later ones are running in this process.
      if (!sub || sub.createdAt >= startedAt) continue
      const backend = backends.get(sub.backend)
      let adopted: { batchId: string; jobs: JobUpdate[] } | null = null
      let reason = 'the app stopped during this launch; no job of it is tracked — relaunch if needed'
      if (backend && sub.backend !== 'local' && snapshot) {
        try {
          adopted = (await backend.findTagged([trackedSubmission(sub, snapshot)])).get(id) ?? null
        } catch (err) {
          logger.warn('cannot reconcile an interrupted launch yet; will retry', { submission: sub.shortId, error: (err as Error).message })
          reconcileAgain = true
          continue
        }
        if (!adopted) reason = `the app stopped during this launch and no job tagged with ${sub.shortId} exists on the batch system, so it never launched`
      }
      const now = clock.now()
      db.transaction(() => {
        if (adopted) {
          for (const job of adopted.jobs) repos.jobs.insert({ ...job, id: newId(), submissionId: id, updatedAt: now })
          repos.submissions.setLaunchState(id, 'launched', null, adopted.batchId, now)
          repos.submissions.appendHistory(id, { status: sub.status, at: now, actor: 'engine', face: 'engine', reason: `adopted ${adopted.jobs.length} jobs (${adopted.batchId}) found by their tag after a stop` })
        } else {
          writeStatus(repos, id, sub.status, 'LaunchFailed', ENGINE, now, reason)
          repos.submissions.setLaunchState(id, 'failed', reason, null, now)
        }
      })()
      events.emit('submissions:changed', { experiment: sub.experiment, ids: [id] })
      logger.warn(adopted ? 'adopted an interrupted launch' : 'settled an interrupted launch', { submission: sub.shortId })
    }
  }

  function schedule(delay: number): void {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void cycle(), delay)
  }

  async function cycle(): Promise<PollOutcome | null> {
    if (polling) {
      again = true
      return polling
    }
    timer = null
    polling = (async () => {
      try {
        if (reconcileAgain) {
          reconcileAgain = false
          await reconcileInterruptedLaunches()
        }
        let outcome: PollOutcome | null = null
        try {
          outcome = await pollOnce()
          failures = 0
        } catch (err) {
          failures++
          logger.error('poll cycle failed', { error: (err as Error).stack, failures })
        }
        // Wrap-up works on what the store says, so it runs even when no batch system answered;
        // never on the way out, when backends are closing and nothing new may launch.
        if (!stopped && opts.afterPoll) {
          await opts.afterPoll().catch((err: Error) => logger.error('wrap-up failed', { error: err.stack }))
        }
        return outcome
      } finally {
        polling = null
        // Back off after failures, but never beyond two intervals: a host that comes back is seen within two cycles.
        const backoff = failures === 0 ? opts.pollIntervalMs : Math.min(opts.maxBackoffMs ?? 2 * opts.pollIntervalMs, opts.pollIntervalMs * 2 ** failures)
        schedule(again ? 0 : backoff)
        again = false
      }
    })()
    return polling
  }

  return {
    start(): void {
      stopped = false
      startedAt = clock.now()
      schedule(0)
    },
    /** Poll soon: a backend saw a change. */
    kick(): void {
      if (!stopped) schedule(25)
    },
    /** One cycle now (tests, the CLI). */
    pollNow: (): Promise<PollOutcome | null> => cycle(),
    async stop(): Promise<void> {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      await polling
    },
  }
}
export type Engine = ReturnType<typeof createEngine>
