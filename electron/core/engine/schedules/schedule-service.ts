import type { Schedule } from '../../../../shared/api/contract'
import { canDo, type Role } from '../../../../shared/domain/roles'
import type { Stage } from '../../../../shared/domain/stage'
import { AppError } from '../../../../shared/errors'
import type { CoreDeps } from '../../deps'
import { resolveActor, type Actor } from '../../services/actor'
import { recordAudit } from '../../services/audit'
import type { StoredSchedule } from '../../store/repos/schedule-repo'
import type { LaunchService } from '../launch-service'
import { nextRunTimes, parseCron } from './cron'

/**
 * A run more than this late is missed, not made up: the app was closed or the machine slept (cron
 * does not make up missed runs either). Later runs follow the schedule as usual.
 */
export const MISSED_AFTER_MS = 5 * 60_000

/** How many next runs a schedule lists. */
const LISTED_RUNS = 5

/**
 * Per-stage cron schedules (poms-reference.md §3.9) kept in the store instead of the web server's
 * crontab: listed with their next runs, launched by the engine as the person who set them, queued
 * like any launch while the stage is held, cleared when the split is exhausted if asked to.
 */
export function createScheduleService(deps: CoreDeps, opts: { launches: () => Pick<LaunchService, 'launch'> }) {
  const { db, repos, clock, events, logger } = deps

  const clearsWhenExhausted = (s: StoredSchedule, stage: Stage | null): boolean => s.clearWhenExhausted ?? stage?.defaultClearCronjob ?? true

  function view(s: StoredSchedule, now: number): Schedule {
    const stage = repos.stages.get(s.experiment, s.stageId)
    return {
      stageId: s.stageId,
      stageName: stage?.name ?? s.stageId,
      campaignId: stage?.campaignId ?? null,
      cron: s.cron,
      timezone: s.timezone,
      clearWhenExhausted: clearsWhenExhausted(s, stage),
      launcher: s.launcher,
      nextRuns: nextRunTimes(parseCron(s.cron, s.timezone), LISTED_RUNS, now),
      lastRunAt: s.lastRunAt,
      lastOutcome: s.lastOutcome,
    }
  }

  const changed = (experiment: string, stageId: string) => events.emit('schedules:changed', { experiment, ids: [stageId] })

  function mayAct(actor: Actor, stage: Stage): void {
    if (!canDo(actor.username, actor.role, stage)) throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not schedule launches of stage ${stage.name}`)
  }

  /** Launches one due run as the person who set the schedule; the outcome is what the schedule shows. */
  async function fire(s: StoredSchedule, stage: Stage): Promise<string> {
    let launcher: Actor
    try {
      launcher = resolveActor(repos, s.launcher, 'schedule', s.experiment, s.launcherRole as Role)
    } catch (err) {
      return `not launched: ${(err as Error).message}`
    }
    try {
      const result = await opts.launches().launch(
        launcher,
        {
          experiment: s.experiment,
          stageId: stage.id,
          test: false,
          datasetOverride: null,
          paramOverrides: [],
          // One launch per scheduled time, whatever happens to this call.
          idempotencyKey: `schedule:${stage.id}:${s.nextRunAt}`,
          dryRun: false,
        },
        { reason: `scheduled launch (cron "${s.cron}" in ${s.timezone}) set by ${s.launcher}` },
      )
      if (result.held) return 'queued: launches of this stage are held'
      return result.replayed ? `${result.submission!.shortId} was launched for this run before` : `launched ${result.submission!.shortId}`
    } catch (err) {
      return `not launched: ${(err as Error).message}`
    }
  }

  return {
    list(actor: Actor): Schedule[] {
      const now = clock.now()
      return repos.schedules.list(actor.experiment).map((s) => view(s, now))
    },

    set(actor: Actor, input: { stageId: string; cron: string; timezone: string; clearWhenExhausted?: boolean }): Schedule {
      const stage = repos.stages.require(actor.experiment, input.stageId)
      mayAct(actor, stage)
      const cron = parseCron(input.cron, input.timezone)
      const now = clock.now()
      const existing = repos.schedules.get(stage.id)
      db.transaction(() => {
        repos.schedules.upsert(
          {
            stageId: stage.id,
            experiment: actor.experiment,
            cron: input.cron.trim(),
            timezone: input.timezone,
            clearWhenExhausted: input.clearWhenExhausted ?? null,
            launcher: actor.username,
            launcherRole: actor.role,
            nextRunAt: nextRunTimes(cron, 1, now)[0] ?? null,
            createdAt: existing?.createdAt ?? now,
          },
          now,
        )
        recordAudit(repos, clock, actor, 'schedule', { type: 'stage', id: stage.id }, `scheduled launches of ${stage.name}: "${input.cron.trim()}" in ${input.timezone}`)
      })()
      changed(actor.experiment, stage.id)
      return view(repos.schedules.get(stage.id)!, now)
    },

    delete(actor: Actor, stageRef: string): { stageId: string; deleted: boolean } {
      const stage = repos.stages.require(actor.experiment, stageRef)
      mayAct(actor, stage)
      const deleted = db.transaction(() => {
        const gone = repos.schedules.remove(stage.id)
        if (gone) recordAudit(repos, clock, actor, 'unschedule', { type: 'stage', id: stage.id }, `removed the launch schedule of ${stage.name}`)
        return gone
      })()
      if (deleted) changed(actor.experiment, stage.id)
      return { stageId: stage.id, deleted }
    },

    /**
     * A launch of `stage` found its split exhausted: the schedule is removed when it (or the
     * stage's default_clear_cronjob) says so; otherwise the event is counted on it, as POMS does.
     */
    splitExhausted(stage: Stage): void {
      const s = repos.schedules.get(stage.id)
      if (!s) return
      const now = clock.now()
      const clear = clearsWhenExhausted(s, stage)
      db.transaction(() => {
        if (clear) {
          repos.schedules.remove(stage.id)
          repos.audit.append({ at: now, experiment: stage.experiment, actor: 'engine', role: 'production', face: 'engine', action: 'unschedule', entityType: 'stage', entityId: stage.id, summary: `the split of ${stage.name} is exhausted: its launch schedule was removed` })
        } else {
          repos.schedules.countExhausted(stage.id, 'not launched: the split is exhausted (No more splits in this campaign.); the schedule is kept', now)
        }
      })()
      changed(stage.experiment, stage.id)
    },

    /** Launches every run that is due now; a run missed by more than MISSED_AFTER_MS is skipped, never made up. */
    async runDue(): Promise<string[]> {
      const lines: string[] = []
      const now = clock.now()
      for (const s of repos.schedules.due(now)) {
        const stage = repos.stages.get(s.experiment, s.stageId)
        if (!stage || s.nextRunAt === null) continue
        const missed = now - s.nextRunAt > MISSED_AFTER_MS
        const outcome = missed
          ? `missed the run of ${new Date(s.nextRunAt).toISOString()} (the app was not running); missed runs are not made up`
          : await fire(s, stage)
        // The schedule may be gone: an exhausted split cleared it during the launch.
        if (!repos.schedules.get(s.stageId)) {
          lines.push(`schedule of ${stage.name}: ${outcome}; the schedule was removed because the split is exhausted`)
          continue
        }
        const next = nextRunTimes(parseCron(s.cron, s.timezone), 1, Math.max(now, s.nextRunAt))[0] ?? null
        db.transaction(() => repos.schedules.recordRun(s.stageId, missed ? null : now, outcome, next, clock.now()))()
        if (missed) logger.warn('a scheduled launch was missed and is not made up', { stage: stage.name, at: s.nextRunAt })
        lines.push(`schedule of ${stage.name}: ${outcome}`)
        changed(s.experiment, s.stageId)
      }
      return lines
    },
  }
}
export type ScheduleService = ReturnType<typeof createScheduleService>
