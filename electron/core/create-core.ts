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
import { createLocalDataHandler } from './engine/data/local-data-handler'
import { createEngine } from './engine/engine'
import { createLaunchService } from './engine/launch-service'
import { createEventBus } from './events'
import { seedFirstStart } from './first-start'
import { createHandlers } from './handlers'
import type { Ports } from './ports'
import { createConfigServices } from './services/config-services'
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
    backends.set(
      'local',
      createLocalBackend({
        jobsDir: join(ports.paths.dataDir, 'jobs'),
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
    const launches = createLaunchService(deps, { backends, dataHandler: createLocalDataHandler(), sshPool: sshAccess.pool, onLaunched: () => engine?.kick() })
    const submissions = createSubmissionService(deps, { backends, abortLaunch: (id) => launches.abort(id), onControlled: () => engine?.kick() })
    const sshHosts = createSshHostsService(deps, sshAccess)
    const handlers = createHandlers(deps, { config, campaignDocs, submissions, launches, sshHosts, version: APP_VERSION })
    const dispatch = createDispatcher(handlers, ports.logger.child('dispatch'), {
      checkOutputs: opts.checkOutputs ?? process.env.NODE_ENV !== 'production',
    })
    const localUsername = opts.seed === false ? '' : seedFirstStart(deps, config)
    engine = createEngine(deps, backends, { pollIntervalMs: opts.pollIntervalMs ?? 2000 })
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
