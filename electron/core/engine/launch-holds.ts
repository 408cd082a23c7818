import type { ParsedInput } from '../../../shared/api/contract'
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

/** Queues a launch request while launches are held (poms-reference.md §3.7); it runs when released. */
export function queueHeldLaunch(
  deps: CoreDeps,
  actor: Actor,
  stage: Stage,
  req: Pick<ParsedInput<'submissions:launch'>, 'test' | 'datasetOverride' | 'paramOverrides'>,
  why: string,
): HeldLaunch {
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
    parentSubmissionId: null,
  }
  deps.db.transaction(() => {
    deps.repos.heldLaunches.insert(held)
    recordAudit(deps.repos, deps.clock, actor, 'queue-launch', { type: 'stage', id: stage.id }, `queued a launch of ${stage.name}: launches are held ${why}`)
  })()
  return held
}
