import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { createCampaignDocumentServices } from './campaigns'
import { createRevisions } from './campaigns/revisions'
import type { CallContext, CoreApi } from './core-api'
import type { CoreDeps } from './deps'
import { createDispatcher } from './dispatch'
import { createLocalBackend } from './engine/backends/local-backend'
import type { Backend } from './engine/backends/backend'
import { createRemoteBackends } from './engine/backends/remote-backends'
import { withSshAuth } from './engine/backends/with-ssh-auth'
import { createDataHandlers, type DataHandlerFactories } from './engine/data/data-handlers'
import { loginSetupExec } from './engine/data/local/login-setup-exec'
import { defaultDataHandlerFactories } from './engine/data/default-data-handlers'
import { createEngine } from './engine/engine'
import { createLaunchService } from './engine/launch-service'
import { createLocalJobResults } from './engine/local-job-results'
import { localCatalogRecorder } from './engine/data/local/record-job-results'
import { createScheduleService } from './engine/schedules/schedule-service'
import { createWrapup } from './engine/wrapup/wrapup'
import { createEventBus } from './events'
import { seedFirstStart } from './first-start'
import { createHandlers } from './handlers'
import type { Ports } from './ports'
import { createCampaignPlanner } from './services/campaign-plan'
import { createConfigServices } from './services/config-services'
import { createExperimentConfigService } from './services/experiment-config-service'
import { createRecoveryService } from './services/recovery-service'
import { createSplitService } from './services/split-service'
import { createSshHostsService } from './services/ssh-hosts-service'
import { createSubmissionService } from './services/submission-service'
import { createSshAccess } from './ssh/ssh-access'
import { openStore } from './store/open-store'
import { createRepos } from './store/repos'
import { createTaskRegistry } from './tasks/task-registry'
import { APP_VERSION } from './version'

export interface CoreOptions {
  /** Shown to another process that finds the store locked: "poms serve", "POMS Desktop (desktop app)". */
  purpose: string
  /** How often the engine polls batch systems; the local backend also wakes it on every change. */
  pollIntervalMs?: number
  /** Jobs the local backend runs at once. */
  localConcurrency?: number
  /** Check replies against the contract (on outside production builds). */
  checkOutputs?: boolean
  /** Seed the sample campaign on an empty store (on by default). */
  seed?: boolean
  /**
   * Recoveries, dependents and scheduled runs launch by themselves (default). A one-shot CLI
   * process turns this off: local jobs would die with it; the app or `poms serve` does them later.
   */
  automaticLaunches?: boolean
  /** How soon wrap-up asks again about a submission that is not located yet (default 60 s). */
  wrapupRecheckMs?: number
  /** The data handlers by kind (tests replace them); by default those this build offers. */
  dataHandlers?: DataHandlerFactories
}

/**
 * Builds the core for one data directory: opens (and locks) the store, seeds a first start,
 * wires services and the engine, and returns the one dispatcher every face calls.
 */
export async function createCore(ports: Ports, opts: CoreOptions): Promise<CoreApi & { deps: CoreDeps; pollNow(): Promise<unknown> }> {
  const store = openStore({ dataDir: ports.paths.dataDir, clock: ports.clock, logger: ports.logger, purpose: opts.purpose })
  try {
    const events = createEventBus()
    const deps: CoreDeps = {
      db: store.db,
      repos: createRepos(store.db),
      clock: ports.clock,
      logger: ports.logger,
      events,
      tasks: createTaskRegistry(ports.clock, (task) => events.emit('tasks:updated', { task })),
      paths: ports.paths,
      secrets: ports.secrets,
    }
    const sshAccess = createSshAccess({ hostKeys: deps.repos.sshHostKeys, secrets: ports.secrets, logger: ports.logger })
    const backends = new Map<string, Backend>()
    let engine: ReturnType<typeof createEngine> | null = null
    const jobsDir = join(ports.paths.dataDir, 'jobs')
    backends.set(
      'local',
      createLocalBackend({
        jobsDir,
        clock: ports.clock,
        concurrency: opts.localConcurrency ?? Math.max(2, availableParallelism()),
        onChange: () => engine?.kick(),
      }),
    )
    for (const [kind, backend] of createRemoteBackends({ pool: sshAccess.pool, clock: ports.clock, logger: ports.logger.child('backend') })) {
      backends.set(kind, withSshAuth(backend, sshAccess))
    }
    const revisions = createRevisions(deps)
    const config = createConfigServices(deps, revisions)
    const campaignDocs = createCampaignDocumentServices(deps, revisions)
    const dataHandlers = createDataHandlers(deps, opts.dataHandlers ?? defaultDataHandlerFactories(), { remoteExec: loginSetupExec(deps, sshAccess) })
    const launches = createLaunchService(deps, {
      backends,
      dataHandlers,
      sshPool: sshAccess.pool,
      onLaunched: () => engine?.kick(),
      onSplitExhausted: (stage) => schedules.splitExhausted(stage),
    })
    const schedules = createScheduleService(deps, { launches: () => launches })
    const localResults = createLocalJobResults(deps, localCatalogRecorder(deps, jobsDir))
    const wrapup = createWrapup(deps, { dataHandlers, launches, schedules, localResults, recheckMs: opts.wrapupRecheckMs, automaticLaunches: opts.automaticLaunches })
    const submissions = createSubmissionService(deps, { backends, abortLaunch: (id) => launches.abort(id), onControlled: () => engine?.kick() })
    const sshHosts = createSshHostsService(deps, sshAccess)
    const handlers = createHandlers(deps, {
      config,
      campaignDocs,
      submissions,
      launches,
      sshHosts,
      splits: createSplitService(deps, dataHandlers),
      recovery: createRecoveryService(deps, dataHandlers, () => launches),
      planner: createCampaignPlanner(deps, dataHandlers),
      schedules,
      experimentConfig: createExperimentConfigService(deps, dataHandlers),
      runWrapup: () => wrapup.run('manual'),
      version: APP_VERSION,
    })
    const dispatch = createDispatcher(handlers, ports.logger.child('dispatch'), {
      checkOutputs: opts.checkOutputs ?? process.env.NODE_ENV !== 'production',
    })
    const localUsername = opts.seed === false ? '' : seedFirstStart(deps, config)
    engine = createEngine(deps, backends, { pollIntervalMs: opts.pollIntervalMs ?? 2000, afterPoll: () => wrapup.run('engine') })
    engine.start()

    let closed = false
    return {
      deps,
      localUsername,
      dataDir: ports.paths.dataDir,
      dispatch: (channel, input, ctx: CallContext) => dispatch(channel, input, ctx),
      onEvent: (listener) => events.on(listener),
      pollNow: () => engine!.pollNow(),
      async close() {
        if (closed) return
        closed = true
        await engine!.stop()
        await Promise.all([...backends.values()].map((b) => b.close()))
        await dataHandlers.close()
        // Jobs killed on the way out are recorded before the store closes.
        await engine!.pollNow().catch(() => null)
        sshAccess.close()
        store.close()
      },
    }
  } catch (err) {
    store.close()
    throw err
  }
}
