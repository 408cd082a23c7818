import type { ParsedInput } from '../../../shared/api/contract'
import { canDo } from '../../../shared/domain/roles'
import { AppError } from '../../../shared/errors'
import type { Stage } from '../../../shared/domain/stage'
import type { HeldLaunch } from '../../../shared/domain/submission'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { recordAudit } from '../services/audit'
import type { Repos } from '../store/repos'
import { newId } from '../store/ids'

export const GLOBAL_HOLD_SETTING = 'launches.held'

export interface GlobalHold {
  held: boolean
  by: string | null
  at: number | null
}

export const globalHold = (repos: Repos): GlobalHold => repos.settings.get<GlobalHold>(GLOBAL_HOLD_SETTING, { held: false, by: null, at: null })

/** Why a launch of this stage must be queued now: 'globally', 'for this stage', or null. */
export function launchesHeld(repos: Repos, stage: Stage): 'globally' | 'for this stage' | null {
  if (globalHold(repos).held) return 'globally'
  if (stage.hold) return 'for this stage'
  return null
}

/** Where an automatic request comes from: kept with it while queued, so its release launches it exactly once. */
export interface QueuedOrigin {
  idempotencyKey: string | null
  parentSubmissionId: string | null
  reason: string | null
}

/**
 * Queues a launch request while launches are held (poms-reference.md §3.7); it runs when released.
 * A request with a key already queued returns the queued one (a retried wrap-up queues once).
 */
export function queueHeldLaunch(
  deps: CoreDeps,
  actor: Actor,
  stage: Stage,
  req: Pick<ParsedInput<'submissions:launch'>, 'test' | 'datasetOverride' | 'paramOverrides'>,
  why: string,
  origin: QueuedOrigin = { idempotencyKey: null, parentSubmissionId: null, reason: null },
): HeldLaunch {
  const earlier = origin.idempotencyKey ? deps.repos.heldLaunches.findByKey(actor.experiment, origin.idempotencyKey) : null
  if (earlier) return earlier
  const held: HeldLaunch = {
    id: newId(),
    experiment: actor.experiment,
    stageId: stage.id,
    createdAt: deps.clock.now(),
    launcher: actor.username,
    launcherRole: actor.role,
    test: req.test,
    datasetOverride: req.datasetOverride,
    paramOverrides: req.paramOverrides,
    parentSubmissionId: origin.parentSubmissionId,
  }
  deps.db.transaction(() => {
    deps.repos.heldLaunches.insert(held, { idempotencyKey: origin.idempotencyKey, reason: origin.reason })
    recordAudit(deps.repos, deps.clock, actor, 'queue-launch', { type: 'stage', id: stage.id }, `queued a launch of ${stage.name}: launches are held ${why}`)
  })()
  return held
}

/** Holds or allows every launch of this store (POMS's global hold; its own endpoint for it is broken). */
export function setGlobalHold(deps: CoreDeps, username: string, face: Actor['face'], held: boolean): GlobalHold {
  const user = deps.repos.experiments.getUser(username)
  const superuser = deps.repos.experiments.membershipsOf(username).some((m) => m.role === 'superuser')
  if (!user?.root && !superuser) throw new AppError('FORBIDDEN', `${username} may not hold or allow all launches (root or an experiment superuser may)`)
  const now = deps.clock.now()
  const value: GlobalHold = held ? { held: true, by: username, at: now } : { held: false, by: username, at: now }
  deps.db.transaction(() => {
    deps.repos.settings.set(GLOBAL_HOLD_SETTING, value, now)
    deps.repos.audit.append({ at: now, experiment: null, actor: username, role: 'superuser', face, action: held ? 'hold-launches' : 'allow-launches', entityType: 'launches', entityId: null, summary: held ? 'held all launches' : 'allowed launches again' })
  })()
  return value
}

/** Holds or releases one stage's launches; requests made meanwhile are queued, never lost. */
export function setStageHold(deps: CoreDeps, actor: Actor, stage: Stage, held: boolean): Stage {
  if (!canDo(actor.username, actor.role, stage)) throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not hold stage ${stage.name}`)
  const now = deps.clock.now()
  deps.db.transaction(() => {
    deps.repos.stages.setHold(stage.id, held ? { by: actor.username, role: actor.role, at: now } : null, now)
    recordAudit(deps.repos, deps.clock, actor, held ? 'hold-stage' : 'release-stage', { type: 'stage', id: stage.id }, `${held ? 'held' : 'released'} launches of stage ${stage.name}`)
  })()
  deps.events.emit('stages:changed', { experiment: actor.experiment, ids: [stage.id] })
  return deps.repos.stages.require(actor.experiment, stage.id)
}

/** Drops a queued launch request; its requester, or anyone who may act on the stage, may. */
export function dropHeldLaunch(deps: CoreDeps, actor: Actor, id: string): { id: string; dropped: true } {
  const held = deps.repos.heldLaunches.list(actor.experiment).find((h) => h.id === id)
  if (!held) throw new AppError('NOT_FOUND', `queued launch ${id} was not found in ${actor.experiment}`)
  const stage = deps.repos.stages.get(actor.experiment, held.stageId)
  if (held.launcher !== actor.username && (!stage || !canDo(actor.username, actor.role, stage))) {
    throw new AppError('FORBIDDEN', `${actor.username} may not drop a launch queued by ${held.launcher}`)
  }
  deps.db.transaction(() => {
    deps.repos.heldLaunches.remove(id)
    recordAudit(deps.repos, deps.clock, actor, 'drop-queued-launch', { type: 'stage', id: held.stageId }, `dropped the launch of ${stage?.name ?? held.stageId} queued by ${held.launcher}`)
  })()
  return { id, dropped: true }
}
