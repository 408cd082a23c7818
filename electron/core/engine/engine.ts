import type { CoreDeps } from '../deps'
import { writeStatus } from '../services/status-writer'
import type { Backend } from './backends/backend'
import { createPoller, type PollOutcome } from './poller'

export interface EngineOptions {
  pollIntervalMs: number
  maxBackoffMs?: number
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

  function reconcileInterruptedLaunches(): void {
    const ids = repos.submissions.interruptedLaunchIds()
    if (ids.length === 0) return
    const touched: { id: string; experiment: string }[] = []
    db.transaction(() => {
      for (const id of ids) {
        const sub = repos.submissions.getById(id)
        if (!sub) continue
        // Remote backends reconcile by job tags (issue 4); a local launch cannot have survived us.
        const reason = 'the app stopped during this launch; no job of it is tracked — relaunch if needed'
        writeStatus(repos, id, sub.status, 'LaunchFailed', { kind: 'engine', username: 'engine', face: 'engine' }, clock.now(), reason)
        repos.submissions.setLaunchState(id, 'failed', reason, null, clock.now())
        touched.push({ id, experiment: sub.experiment })
      }
    })()
    for (const t of touched) events.emit('submissions:changed', { experiment: t.experiment, ids: [t.id] })
    logger.warn('settled launches interrupted by a stop', { count: touched.length })
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
        const outcome = await pollOnce()
        failures = 0
        return outcome
      } catch (err) {
        failures++
        logger.error('poll cycle failed', { error: (err as Error).stack, failures })
        return null
      } finally {
        polling = null
        const backoff = failures === 0 ? opts.pollIntervalMs : Math.min(opts.maxBackoffMs ?? 60_000, opts.pollIntervalMs * 2 ** failures)
        schedule(again ? 0 : backoff)
        again = false
      }
    })()
    return polling
  }

  return {
    start(): void {
      stopped = false
      reconcileInterruptedLaunches()
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
