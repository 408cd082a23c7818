import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { Channel } from '../../shared/api/channels'
import type { Input, Output } from '../../shared/api/contract'
import { CampaignDocument, type CampaignDocumentInput } from '../../shared/domain/campaign-document'
import type { Role } from '../../shared/domain/roles'
import type { Face, SubmissionDetail } from '../../shared/domain/submission'
import type { SubmissionStatus } from '../../shared/domain/submission-status'
import { AppError } from '../../shared/errors'
import type { CallContext } from '../../electron/core/core-api'
import { createCore, type CoreOptions } from '../../electron/core/create-core'
import type { CoreDeps } from '../../electron/core/deps'
import { createEventBus } from '../../electron/core/events'
import type { Actor } from '../../electron/core/services/actor'
import { createRepos } from '../../electron/core/store/repos'
import { createTaskRegistry } from '../../electron/core/tasks/task-registry'
import { silentLogger } from '../../electron/core/logging/logger'
import type { Ports, SecretStore } from '../../electron/core/ports'
import { systemClock } from '../../electron/core/ports'
import type { Migration } from '../../electron/core/store/migrate'
import { openStore, type Store } from '../../electron/core/store/open-store'

export const REPO_ROOT = resolve(__dirname, '..', '..')

export function memorySecrets(): SecretStore {
  const values = new Map<string, string>()
  return {
    description: 'in memory (tests)',
    encrypted: false,
    get: async (id) => values.get(id) ?? null,
    set: async (id, value) => void values.set(id, value),
    delete: async (id) => void values.delete(id),
  }
}

export function testPorts(dataDir: string, overrides: Partial<Ports> = {}): Ports {
  return {
    paths: { dataDir, resourcesDir: join(REPO_ROOT, 'resources') },
    secrets: memorySecrets(),
    clock: systemClock,
    logger: silentLogger,
    ...overrides,
  }
}

export const tempDataDir = (prefix = 'poms-test-'): string => mkdtempSync(join(tmpdir(), prefix))

/** A real core on a fresh data directory, with a typed `call` that throws AppError on failure. */
export async function startCore(opts: Partial<CoreOptions> & { dataDir?: string; ports?: Partial<Ports> } = {}) {
  const dataDir = opts.dataDir ?? tempDataDir()
  const core = await createCore(testPorts(dataDir, opts.ports), { purpose: 'vitest', pollIntervalMs: 200, ...opts })
  const ctx: CallContext = { username: core.localUsername, face: 'cli' }
  async function call<C extends Channel>(channel: C, input: Input<C>, as: CallContext = ctx): Promise<Output<C>> {
    const result = await core.dispatch(channel, input, as)
    if (!result.ok) throw AppError.fromWire(result.error)
    return result.value
  }
  return {
    core,
    dataDir,
    call,
    ctx,
    async stop(remove = true) {
      await core.close()
      if (remove) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** A store opened the way the core opens it, on a temp data directory unless one is given. */
export function openTestStore(opts: { dataDir?: string; migrations?: readonly Migration[]; purpose?: string } = {}): Store {
  return openStore({
    dataDir: opts.dataDir ?? tempDataDir('poms-store-'),
    clock: systemClock,
    logger: silentLogger,
    purpose: opts.purpose ?? 'vitest',
    migrations: opts.migrations,
  })
}

/** The pid of a process that has already exited (for stale-lock tests). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  if (child.pid === undefined || child.status !== 0) throw new Error('could not run a short-lived child')
  return child.pid
}

/** A live process in another pid; `stop()` kills it by its pid and waits until it is gone. */
export function sleepingChild(seconds = 30): { pid: number; stop(): Promise<void> } {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' })
  if (child.pid === undefined) throw new Error('could not start sleep')
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/** True while a process with this pid exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export type CoreHarness = Awaited<ReturnType<typeof startCore>>

/** Statuses a submission rests in once nothing more is running for it. */
export const SETTLED_STATUSES: readonly SubmissionStatus[] = ['Completed', 'Failed', 'LaunchFailed', 'Cancelled', 'Located', 'Removed']

/** Polls submissions:get until `done` holds (by default: the submission has settled). */
export function waitForSubmission(
  h: CoreHarness,
  id: string,
  done: (detail: SubmissionDetail) => boolean = (d) => SETTLED_STATUSES.includes(d.submission.status),
  opts: { experiment?: string; timeoutMs?: number } = {},
): Promise<SubmissionDetail> {
  return waitFor(
    async () => {
      const detail = await h.call('submissions:get', { experiment: opts.experiment ?? 'demo', id })
      return done(detail) && detail
    },
    opts.timeoutMs ?? 30_000,
    `submission ${id}`,
  )
}

/** Pids of the live processes in a process group (Linux /proc), to prove a kill took a job's children too. */
export function processGroupMembers(pgid: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Fields after the parenthesised command: state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry))
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids
}

// ---- Campaign documents, drafts and imports (issue 3) ----

/** Where the shared corpus of real campaign files lives, beside the project. */
export const CORPUS_DIR = resolve(REPO_ROOT, '..', 'shared', 'compat-corpus', 'files')

/** Every table's row count: proof that an all-or-nothing write wrote nothing. */
export function tableCounts(db: Store['db']): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[]
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]))
}

/** Core dependencies over a real store without the engine, with the events they emit kept in order. */
export function openTestDeps(opts: { dataDir?: string; experiment?: string } = {}) {
  const store = openTestStore({ dataDir: opts.dataDir })
  const bus = createEventBus()
  const emitted: { name: string; payload: unknown }[] = []
  bus.on((name, payload) => void emitted.push({ name, payload }))
  const deps: CoreDeps = {
    db: store.db,
    repos: createRepos(store.db),
    clock: systemClock,
    logger: silentLogger,
    events: bus,
    tasks: createTaskRegistry(systemClock, () => undefined),
    paths: { dataDir: dirname(store.file), resourcesDir: join(REPO_ROOT, 'resources') },
    secrets: memorySecrets(),
  }
  const experiment = opts.experiment ?? 'demo'
  deps.repos.experiments.insertExperiment({ name: experiment, displayName: experiment, dataHandler: 'local' }, 1)
  /** A user with a membership; returns the actor they are when acting in `role` (default: their membership). */
  const member = (username: string, membership: Role, role: Role = membership, face: Face = 'cli'): Actor => {
    if (!deps.repos.experiments.getUser(username)) deps.repos.experiments.insertUser({ username, displayName: username, root: false }, 1)
    deps.repos.experiments.setMembership(experiment, username, membership, 1)
    return { username, role, face, experiment }
  }
  return {
    deps,
    store,
    experiment,
    emitted,
    member,
    close() {
      const dir = dirname(store.file)
      store.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
export type TestDeps = ReturnType<typeof openTestDeps>

/** A small, valid campaign document: gen → sim → reco with one job type and one login setup. */
export function campaignDocument(overrides: Partial<CampaignDocumentInput> = {}): CampaignDocument {
  const stage = (name: string, dataset: string) => ({
    name,
    jobType: 'fife_gen',
    loginSetup: 'dune_login',
    voRole: 'Production',
    dataset,
    splitType: null,
    testSplitType: null,
    softwareVersion: 'v09_00',
    paramOverrides: [['-Oglobal.stage=', name]] as [string, string][],
    testParamOverrides: [],
    completionType: 'located' as const,
    completionPct: 95,
    mergeOverrides: false,
    outputAncestorDepth: 1,
    stageType: 'regular' as const,
    defaultClearCronjob: true,
  })
  return CampaignDocument.parse({
    name: 'mc-prod',
    keywords: { release: 'v09_00' },
    defaults: { jobType: 'fife_gen', loginSetup: 'dune_login', softwareVersion: 'v09_00' },
    stages: [stage('gen', 'gen_input'), stage('sim', ''), stage('reco', '')],
    dependencies: [
      { from: 'gen', to: 'sim', filePatterns: '%.root' },
      { from: 'sim', to: 'reco', filePatterns: '%sim%.root' },
    ],
    jobTypes: [{ name: 'fife_gen', launchScript: 'fife_launch -c gen.cfg', definitionParameters: [['-Oglobal.release=', '%(version)s']], outputFilePatterns: ['%.root'] }],
    loginSetups: [{ name: 'dune_login', backend: 'jobsub_lite', host: 'dunegpvm01.fnal.gov', account: 'dunepro', setup: 'setup fife_utils' }],
    layout: { gen: { x: 0, y: 0 }, sim: { x: 200, y: 0 }, reco: { x: 400, y: 0 } },
    ...overrides,
  })
}

/** A document without the stored ids, for comparing what two materialisations say. */
export function withoutIds(doc: CampaignDocument): CampaignDocument {
  return { ...doc, stages: doc.stages.map(({ id: _id, ...stage }) => stage) }
}

/** A small POMS campaign file: two stages, one dependency, its own job type and login setup (`login_setup` of reco on line 27). */
export function miniCampaignIni(opts: { name?: string; recoLogin?: string; recoDataset?: string; extraStage?: boolean; launchScript?: string } = {}): string {
  return `[campaign]
experiment = dune
poms_role = production
name = ${opts.name ?? 'mini'}
campaign_stage_list = gen,reco${opts.extraStage ? ',ana' : ''}

[campaign_defaults]
vo_role = Production
software_version = v1
dataset_or_split_data = raw_files
cs_split_type = None
completion_type = located
completion_pct = 95
param_overrides = []
test_param_overrides = []
merge_overrides = False
login_setup = mini_login
job_type = mini_jt
stage_type = regular
output_ancestor_depth = 1

[campaign_stage gen]
param_overrides = [["-Oglobal.stage=", "gen"]]

[campaign_stage reco]
dataset_or_split_data = ${opts.recoDataset ?? 'from_parent'}
login_setup = ${opts.recoLogin ?? 'mini_login'}
${
  opts.extraStage
    ? `
[campaign_stage ana]
dataset_or_split_data = from_parent
`
    : ''
}
[dependencies reco]
campaign_stage_1 = gen
file_pattern_1 = %.root

[job_type mini_jt]
launch_script = ${opts.launchScript ?? 'fife_launch -c mini.cfg'}
parameters = [["-N ", "1"]]
output_file_patterns = %.root
recoveries = []

[login_setup mini_login]
host = dunegpvm01.fnal.gov
account = dunepro
setup = setup fife_utils
`
}
