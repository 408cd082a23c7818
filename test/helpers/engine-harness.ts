import { openTestDeps, waitFor } from './core-harness'
import type { JobState } from '../../shared/domain/job'
import type { Role } from '../../shared/domain/roles'
import { JobTypeInput } from '../../shared/domain/job-type'
import { StageInput } from '../../shared/domain/stage'
import { createRevisions } from '../../electron/core/campaigns/revisions'
import type { Backend, LaunchPlan } from '../../electron/core/engine/backends/backend'
import type { DataHandler } from '../../electron/core/engine/data/data-handler'
import { createDataHandlers } from '../../electron/core/engine/data/data-handlers'
import { createLaunchService } from '../../electron/core/engine/launch-service'
import { createPoller } from '../../electron/core/engine/poller'
import { createScheduleService } from '../../electron/core/engine/schedules/schedule-service'
import { createWrapup } from '../../electron/core/engine/wrapup/wrapup'
import type { Clock } from '../../electron/core/ports'
import type { Actor } from '../../electron/core/services/actor'
import { createConfigServices } from '../../electron/core/services/config-services'
import { createSubmissionService } from '../../electron/core/services/submission-service'
import type { JobUpdate } from '../../electron/core/store/repos/job-repo'

/** A clock the test moves. */
export function fakeClock(start = Date.UTC(2026, 0, 5, 12, 0, 0)): Clock & { set(t: number): void; advance(ms: number): void } {
  let t = start
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => void (t += ms) }
}

/**
 * A backend whose jobs end as soon as they are submitted, in the states `outcome` picks (all
 * completed by default); it records every plan it was given.
 */
export function instantBackend(outcome: (plan: LaunchPlan) => JobState[] = (plan) => Array.from({ length: plan.jobCount }, () => 'completed')) {
  const jobs = new Map<string, JobUpdate[]>()
  const plans: LaunchPlan[] = []
  const backend: Backend = {
    kind: 'local',
    async submit(plan) {
      plans.push(plan)
      const updates = outcome(plan).map((state, index): JobUpdate => ({
        index,
        batchJobId: String(index),
        state,
        exitCode: state === 'completed' ? 0 : state === 'failed' ? 1 : null,
        holdReason: null,
        submittedAt: 1,
        startedAt: 1,
        finishedAt: 2,
        wallSeconds: 1,
        cpuSeconds: null,
        memoryMb: null,
        host: 'fake',
      }))
      jobs.set(plan.id, updates)
      return { batchId: `fake:${plan.shortId}`, jobs: updates }
    },
    async query(tracked) {
      const found = new Map<string, JobUpdate[]>()
      for (const t of tracked) if (jobs.has(t.id)) found.set(t.id, jobs.get(t.id)!)
      return { jobs: found, unknown: tracked.filter((t) => !jobs.has(t.id)).map((t) => t.id), partial: false }
    },
    control: async () => ({ message: 'ok' }),
    fetchLog: async () => ({ text: '', truncated: false, bytes: 0 }),
    findTagged: async () => new Map(),
    close: async () => undefined,
  }
  return { backend, plans }
}

/**
 * The engine's parts over a real store, with a fake data handler and a backend whose jobs end at
 * once: launches, the poller, wrap-up and schedules, driven step by step by the test.
 */
export function engineHarness(handler: DataHandler, opts: { clock?: Clock; outcome?: (plan: LaunchPlan) => JobState[]; recheckMs?: number } = {}) {
  const t = openTestDeps()
  const deps = { ...t.deps, clock: opts.clock ?? t.deps.clock }
  const alice = t.member('alice', 'production')
  const config = createConfigServices(deps, createRevisions(deps))
  const { backend, plans } = instantBackend(opts.outcome)
  const backends = new Map<string, Backend>([['local', backend]])
  const dataHandlers = createDataHandlers(deps, { local: () => handler })
  const launches = createLaunchService(deps, { backends, dataHandlers, onLaunched: () => undefined, onSplitExhausted: (stage) => schedules.splitExhausted(stage) })
  const schedules = createScheduleService(deps, { launches: () => launches })
  const wrapup = createWrapup(deps, { dataHandlers, launches, schedules, recheckMs: opts.recheckMs ?? 0 })
  const poll = createPoller(deps, backends)
  const submissions = createSubmissionService(deps, { backends, abortLaunch: async () => false })

  const loginSetup = config.loginSetups.create(alice, { name: 'here', backend: 'local', host: '', port: 22, account: '', setup: '', hostTimezone: 'UTC', active: true, authMethod: 'agent', keyFile: '' })
  const campaign = config.campaigns.create(alice, { name: 'camp', defaults: {}, keywords: {}, tags: [], active: true, campaignType: 'regular', layout: {} })

  return {
    ...t,
    deps,
    alice,
    config,
    plans,
    launches,
    submissions,
    schedules,
    wrapup,
    dataHandlers,
    campaign,
    actor: (username: string, role: Role): Actor => t.member(username, role),
    jobType: (name: string, over: Partial<JobTypeInput> = {}) =>
      config.jobTypes.create(alice, JobTypeInput.parse({ name, launchScript: '/bin/job', outputFilePatterns: ['%.out'], ...over })),
    stage: (name: string, jobTypeId: string, over: Partial<StageInput> = {}) =>
      config.stages.create(alice, StageInput.parse({ campaignId: campaign.id, name, jobTypeId, loginSetupId: loginSetup.id, ...over })),
    depend: (fromStageId: string, toStageId: string, filePatterns = '%.out') => config.dependencies.create(alice, { fromStageId, toStageId, filePatterns }),
    /** Waits for launches to hand over their jobs, then polls once (their jobs are already over). */
    async settle() {
      await waitFor(async () => launches.inFlight() === 0, 5000, 'launches to settle')
      await poll()
    },
    /** Lets launches still handing over their jobs finish, then closes the store. */
    async close() {
      await waitFor(async () => launches.inFlight() === 0, 5000, 'launches to settle')
      t.close()
    },
    /** Submissions of a stage, oldest first. */
    submissionsOf(stageId: string) {
      return deps.repos.submissions.list(t.experiment, { stageId, activeOnly: false, sort: 'createdAt', cursor: null, limit: 500 }).items
    },
    history: (id: string) => deps.repos.submissions.history(id),
    statuses: (id: string) => deps.repos.submissions.history(id).map((h) => h.status),
  }
}
export type EngineHarness = ReturnType<typeof engineHarness>
