import type { Channel } from '../../shared/api/channels'
import type { Output, ParsedInput } from '../../shared/api/contract'
import { actingRolesFor } from '../../shared/domain/roles'
import { AppError } from '../../shared/errors'
import type { CampaignDocumentServices } from './campaigns'
import type { CallContext } from './core-api'
import type { CoreDeps } from './deps'
import type { LaunchService } from './engine/launch-service'
import { dropHeldLaunch, globalHold, setGlobalHold, setStageHold } from './engine/launch-holds'
import type { SshHostsService } from './services/ssh-hosts-service'
import { resolveActor, type Actor } from './services/actor'
import type { ConfigServices } from './services/config-services'
import type { ListRequest } from './services/crud-service'
import type { SubmissionService } from './services/submission-service'
import type { CampaignPlanner } from './services/campaign-plan'
import type { ExperimentConfigService } from './services/experiment-config-service'
import type { RecoveryService } from './services/recovery-service'
import type { SplitService } from './services/split-service'
import type { ScheduleService } from './engine/schedules/schedule-service'
import type { Condition } from './store/entity-table'

export type Handler<C extends Channel> = (input: ParsedInput<C>, call: CallContext) => Output<C> | Promise<Output<C>>
export type Handlers = { [C in Channel]: Handler<C> }

export interface HandlerServices {
  config: ConfigServices
  campaignDocs: CampaignDocumentServices
  submissions: SubmissionService
  launches: LaunchService
  sshHosts: SshHostsService
  splits: SplitService
  recovery: RecoveryService
  planner: CampaignPlanner
  schedules: ScheduleService
  experimentConfig: ExperimentConfigService
  /** One wrap-up cycle now; answers its report. */
  runWrapup(): Promise<string[]>
  version: string
}

type ListInput = { filter: { name?: string; includeInactive?: boolean }; sort: ListRequest['sort']; cursor: string | null; limit: number }

const nameConditions = (filter: ListInput['filter'], withActive: boolean): Condition[] => {
  const conditions: Condition[] = []
  if (filter.name) conditions.push({ sql: "name LIKE ? ESCAPE '\\'", params: [`%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`] })
  if (withActive && !filter.includeInactive) conditions.push({ sql: 'active = 1', params: [] })
  return conditions
}
const listRequest = (input: ListInput, conditions: Condition[]): ListRequest => ({
  conditions,
  sort: input.sort,
  cursor: input.cursor,
  limit: input.limit,
})

/** The one switchboard from channels to services; no SQL and no transport here. */
export function createHandlers(deps: CoreDeps, s: HandlerServices): Handlers {
  const { repos } = deps
  const actor = (call: CallContext, input: { experiment: string; role?: Actor['role'] }): Actor =>
    resolveActor(repos, call.username, call.face, input.experiment, input.role)
  const knownUser = (call: CallContext) => {
    const user = repos.experiments.getUser(call.username)
    if (!user) throw new AppError('FORBIDDEN', `user ${call.username} is not known to this store`)
    return user
  }
  const { loginSetups, jobTypes, campaigns, stages, dependencies } = s.config

  return {
    'session:get': (_input, call) => {
      const user = knownUser(call)
      const memberships = repos.experiments.membershipsOf(user.username).map((m) => ({
        experiment: m.experiment,
        role: m.role,
        actingRoles: actingRolesFor(m.role, user.root),
      }))
      return {
        user: { username: user.username, displayName: user.displayName, root: user.root },
        memberships,
        defaultExperiment: memberships[0]?.experiment ?? null,
        face: call.face,
        version: s.version,
        dataDir: deps.paths.dataDir,
      }
    },
    'experiments:list': (_input, call) => {
      const user = knownUser(call)
      const mine = new Set(repos.experiments.membershipsOf(user.username).map((m) => m.experiment))
      return repos.experiments.listExperiments().filter((e) => user.root || mine.has(e.name))
    },
    'experiments:configure': (input, call) => s.experimentConfig.configure(actor(call, input), input),

    'loginSetups:list': (input, call) => loginSetups.list(actor(call, input), listRequest(input, nameConditions(input.filter, true))),
    'loginSetups:get': (input, call) => loginSetups.get(actor(call, input), input.id),
    'loginSetups:create': (input, call) => loginSetups.create(actor(call, input), input.value),
    'loginSetups:update': (input, call) => loginSetups.update(actor(call, input), input.id, input.expectedRev, input.value),
    'loginSetups:delete': (input, call) => loginSetups.delete(actor(call, input), input.id, input.expectedRev),
    'loginSetups:test': (input, call) => s.sshHosts.test(actor(call, input), input.id),
    'loginSetups:setSecret': (input, call) => s.sshHosts.setSecret(actor(call, input), input.id, input.kind, input.value),
    'sshHosts:list': (_input, call) => {
      knownUser(call)
      return s.sshHosts.list()
    },
    'sshHosts:trust': (input, call) => s.sshHosts.trust(knownUser(call).username, call.face, input),
    'sshHosts:forget': (input, call) => s.sshHosts.forget(knownUser(call).username, call.face, input.host, input.port),

    'jobTypes:list': (input, call) => jobTypes.list(actor(call, input), listRequest(input, nameConditions(input.filter, true))),
    'jobTypes:get': (input, call) => jobTypes.get(actor(call, input), input.id),
    'jobTypes:create': (input, call) => jobTypes.create(actor(call, input), input.value),
    'jobTypes:update': (input, call) => jobTypes.update(actor(call, input), input.id, input.expectedRev, input.value),
    'jobTypes:delete': (input, call) => jobTypes.delete(actor(call, input), input.id, input.expectedRev),

    'campaigns:list': (input, call) => {
      const conditions = nameConditions(input.filter, true)
      if (input.filter.tag) conditions.push({ sql: 'EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)', params: [input.filter.tag] })
      return campaigns.list(actor(call, input), listRequest(input, conditions))
    },
    'campaigns:get': (input, call) => campaigns.get(actor(call, input), input.id),
    'campaigns:create': (input, call) => campaigns.create(actor(call, input), input.value),
    'campaigns:update': (input, call) => campaigns.update(actor(call, input), input.id, input.expectedRev, input.value),
    'campaigns:delete': (input, call) => campaigns.delete(actor(call, input), input.id, input.expectedRev),

    'stages:list': (input, call) => {
      const conditions: Condition[] = nameConditions({ name: input.filter.name }, false)
      if (input.filter.campaignId) conditions.push({ sql: 'campaign_id = ?', params: [input.filter.campaignId] })
      return stages.list(actor(call, input), listRequest(input as ListInput, conditions))
    },
    'stages:get': (input, call) => stages.get(actor(call, input), input.id),
    'stages:create': (input, call) => stages.create(actor(call, input), input.value),
    'stages:update': (input, call) => stages.update(actor(call, input), input.id, input.expectedRev, input.value),
    'stages:delete': (input, call) => stages.delete(actor(call, input), input.id, input.expectedRev),
    'stages:hold': (input, call) => {
      const a = actor(call, input)
      return setStageHold(deps, a, repos.stages.require(a.experiment, input.id), input.held)
    },

    'dependencies:list': (input, call) => {
      const a = actor(call, input)
      return repos.dependencies.listByCampaign(repos.campaigns.require(a.experiment, input.campaignId).id)
    },
    'dependencies:create': (input, call) => dependencies.create(actor(call, input), input.value),
    'dependencies:delete': (input, call) => dependencies.delete(actor(call, input), input.id, input.expectedRev),

    'campaigns:import': (input, call) => ({ results: s.campaignDocs.importFiles(actor(call, input), input.files, input.dryRun) }),
    'campaigns:export': (input, call) => s.campaignDocs.exportCampaign(actor(call, input), input.id, input.revision),
    'campaigns:clone': (input, call) => s.campaignDocs.clone(actor(call, input), input.id, input.name, input.replace),
    'drafts:get': (input, call) => s.campaignDocs.drafts.get(actor(call, input), input.campaignId),
    'drafts:save': (input, call) => s.campaignDocs.drafts.save(actor(call, input), input.campaignId, input.document, input.expectedRev),
    'drafts:discard': (input, call) => s.campaignDocs.drafts.discard(actor(call, input), input.campaignId),
    'drafts:publish': (input, call) => s.campaignDocs.drafts.publish(actor(call, input), input.campaignId, input.expectedRev, input.summary),
    'revisions:list': (input, call) => s.campaignDocs.revisions.list(actor(call, input), input.campaignId),
    'revisions:get': (input, call) => s.campaignDocs.revisions.get(actor(call, input), input.campaignId, input.revision),

    'stages:resetSplit': (input, call) => s.splits.reset(actor(call, input), input.id),
    'stages:setSplitCursor': (input, call) => s.splits.setCursor(actor(call, input), input.id, input),
    'splits:preview': (input, call) => s.splits.preview(actor(call, input), input),
    'campaigns:plan': (input, call) => s.planner.plan(actor(call, input), input.id, input.launches),
    'schedules:list': (input, call) => s.schedules.list(actor(call, input)),
    'schedules:set': (input, call) => s.schedules.set(actor(call, input), input),
    'schedules:delete': (input, call) => s.schedules.delete(actor(call, input), input.stageId),
    'submissions:files': (input, call) => s.recovery.files(actor(call, input), input.id),
    'submissions:recoveryPreview': (input, call) => s.recovery.preview(actor(call, input), input.id, input.type),
    'submissions:recover': (input, call) => s.recovery.recover(actor(call, input), input.id, input.type, input.idempotencyKey),
    'submissions:approve': (input, call) => s.submissions.decide(actor(call, input), input.id, 'approve', null),
    'submissions:reject': (input, call) => s.submissions.decide(actor(call, input), input.id, 'reject', input.reason),
    'wrapup:run': async (_input, call) => {
      knownUser(call)
      return { report: await s.runWrapup() }
    },

    'submissions:launch': (input, call) => s.launches.launch(actor(call, input), input),
    'submissions:list': (input, call) => s.submissions.list(actor(call, input), input),
    'submissions:get': (input, call) => s.submissions.get(actor(call, input), input.id),
    'submissions:jobs': (input, call) => s.submissions.jobs(actor(call, input), input.id),
    'submissions:launchOutput': (input, call) => s.submissions.launchOutput(actor(call, input), input.id),
    'submissions:jobLog': (input, call) => s.submissions.jobLog(actor(call, input), input.id, input.index),
    'submissions:kill': (input, call) => s.submissions.kill(actor(call, input), input.id),
    'submissions:setStatus': (input, call) => s.submissions.setStatus(actor(call, input), input.id, input.status, input.reason),

    'submissions:hold': (input, call) => s.submissions.control(actor(call, input), input.id, 'hold'),
    'submissions:release': (input, call) => s.submissions.control(actor(call, input), input.id, 'release'),
    'submissions:abort': (input, call) => s.submissions.abort(actor(call, input), input.id),

    'heldLaunches:list': (input, call) => repos.heldLaunches.list(actor(call, input).experiment),
    'heldLaunches:release': (input, call) => s.launches.releaseHeld(actor(call, input), input.id),
    'heldLaunches:drop': (input, call) => dropHeldLaunch(deps, actor(call, input), input.id),
    'launches:getHold': (_input, call) => {
      knownUser(call)
      return globalHold(repos)
    },
    'launches:setHold': (input, call) => setGlobalHold(deps, knownUser(call).username, call.face, input.held),
    'audit:list': (input, call) =>
      repos.audit.list(actor(call, input).experiment, { ...input.filter, cursor: input.cursor, limit: input.limit }),

    'tasks:list': (_input, call) => {
      knownUser(call)
      return deps.tasks.list()
    },
    'tasks:cancel': (input, call) => {
      knownUser(call)
      return deps.tasks.cancel(input.id)
    },
  }
}
