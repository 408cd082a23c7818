import { rmSync } from 'node:fs'
import { condorAdToJob, parseCondorJson } from '../../electron/core/engine/backends/htcondor/condor-ads'
import type { Backend, QueryResult } from '../../electron/core/engine/backends/backend'
import { createPoller } from '../../electron/core/engine/poller'
import { createEventBus } from '../../electron/core/events'
import { silentLogger } from '../../electron/core/logging/logger'
import { systemClock } from '../../electron/core/ports'
import { newId } from '../../electron/core/store/ids'
import { openStore, type Store } from '../../electron/core/store/open-store'
import { createRepos } from '../../electron/core/store/repos'
import { createTaskRegistry } from '../../electron/core/tasks/task-registry'
import type { CoreDeps } from '../../electron/core/deps'
import { memorySecrets, tempDataDir, REPO_ROOT } from '../helpers/core-harness'
import { measurePair, type BenchResult } from './harness'

const JOBS = 100_000
/** The baseline's minimal JobStatus mapping (the engine's real one is in condor-ads.ts). */
const RAW_STATES: Record<number, string> = { 1: 'idle', 2: 'running', 3: 'removed', 4: 'completed', 5: 'held' }

/** A condor_q -json answer shaped like HTCondor 23's (the attributes the backend asks for), for JOBS procs. */
function condorQSnapshot(submissionId: string): string {
  const now = Math.floor(Date.now() / 1000)
  const ads: string[] = []
  for (let p = 0; p < JOBS; p++) {
    const status = p % 10 === 0 ? 4 : p % 7 === 0 ? 5 : 2
    ads.push(
      [
        '{',
        `  "ClusterId": 4242,`,
        `  "CompletionDate": ${status === 4 ? now - 60 : 0},`,
        `  "EnteredCurrentStatus": ${now - 120},`,
        `  "ExitBySignal": false,`,
        `  "ExitCode": ${status === 4 ? p % 3 : 0},`,
        `  "GlobalJobId": "schedd.example.org#4242.${p}#${now - 600}",`,
        status === 5 ? `  "HoldReason": "via condor_hold (by user pomstest)",` : null,
        `  "Iwd": "/home/pomstest/work",`,
        `  "JobCurrentStartDate": ${now - 300},`,
        `  "JobStartDate": ${now - 300},`,
        `  "JobStatus": ${status},`,
        `  "POMS4_SUBMISSION_ID": "${submissionId}",`,
        `  "ProcId": ${p},`,
        `  "QDate": ${now - 600},`,
        `  "RemoteHost": "slot1_${p % 64}@worker${p % 500}.example.org",`,
        `  "RemoteSysCpu": 1.5,`,
        `  "RemoteUserCpu": 250.25,`,
        `  "RemoteWallClockTime": 300.0,`,
        `  "ResidentSetSize": 2048000,`,
        `  "ServerTime": ${now}`,
        '}',
      ]
        .filter((l) => l !== null)
        .join('\n'),
    )
  }
  return `[\n${ads.join('\n,\n')}\n]\n`
}

interface Fixture {
  store: Store
  dataDir: string
  submissionId: string
}

function prepare(): Fixture {
  const dataDir = tempDataDir('poms-bench-ingest-')
  const store = openStore({ dataDir, clock: systemClock, logger: silentLogger, purpose: 'bench' })
  const now = Date.now()
  const submissionId = newId()
  const stageId = newId()
  store.db.exec(`INSERT INTO experiments (id, name, display_name, created_at, updated_at) VALUES ('${newId()}', 'bench', 'bench', ${now}, ${now})`)
  store.db.prepare("INSERT INTO stages (id, short_id, experiment, name, creator, creator_role, created_at, updated_at) VALUES (?, 't-BENCH1', 'bench', 's', 'b', 'production', ?, ?)").run(stageId, now, now)
  store.db
    .prepare(
      "INSERT INTO submissions (id, short_id, experiment, stage_id, status, status_at, launch_state, backend, batch_id, creator, creator_role, created_at, updated_at) VALUES (?, 's-BENCH1', 'bench', ?, 'Running', ?, 'launched', 'htcondor', '4242', 'b', 'production', ?, ?)",
    )
    .run(submissionId, stageId, now, now, now)
  store.db.prepare("INSERT INTO submission_snapshots (submission_id, snapshot, taken_at) VALUES (?, ?, ?)").run(submissionId, JSON.stringify({ takenAt: now, loginSetup: { name: 'x', authMethod: 'agent', keyFile: '', secretRef: null }, launch: { target: null, setup: '', env: {}, group: 'bench', role: 'Production' } }), now)
  return { store, dataDir, submissionId }
}

/**
 * issue 4 (b): ingesting a 100,000-job condor_q -json snapshot through the engine's own poll path
 * (the backend's parser, the poller's diff and one transaction of writes, the status rule) vs
 * JSON.parse plus a raw prepared-statement bulk insert of the same rows. Budget: within 2×.
 */
export async function benchCondorIngest(): Promise<BenchResult> {
  const fixtures: Fixture[] = []
  const snapshots = new Map<string, string>()
  const setup = () => {
    const f = prepare()
    fixtures.push(f)
    snapshots.set(f.submissionId, condorQSnapshot(f.submissionId))
    return f
  }
  const sizeMb = (condorQSnapshot(newId()).length / 1e6).toFixed(1)

  const result = await measurePair(
    5,
    {
      label: 'engine: parse + poll write path (one transaction)',
      setup,
      fn: async (state) => {
        const f = state as Fixture
        const text = snapshots.get(f.submissionId)!
        const backend: Backend = {
          kind: 'htcondor',
          submit: () => Promise.reject(new Error('unused')),
          query: async (subs): Promise<QueryResult> => {
            const ads = parseCondorJson(text)
            return { jobs: new Map([[subs[0]!.id, ads.map((ad) => condorAdToJob(ad, ad.ProcId as number))]]), unknown: [], partial: false }
          },
          control: () => Promise.reject(new Error('unused')),
          fetchLog: () => Promise.reject(new Error('unused')),
          findTagged: async () => new Map(),
          close: async () => undefined,
        }
        const events = createEventBus()
        const deps: CoreDeps = {
          db: f.store.db,
          repos: createRepos(f.store.db),
          clock: systemClock,
          logger: silentLogger,
          events,
          tasks: createTaskRegistry(systemClock, () => undefined),
          paths: { dataDir: f.dataDir, resourcesDir: `${REPO_ROOT}/resources` },
          secrets: memorySecrets(),
        }
        const outcome = await createPoller(deps, new Map([['htcondor', backend]]))()
        if (outcome.jobsChanged !== JOBS) throw new Error(`expected ${JOBS} job rows, got ${outcome.jobsChanged}`)
      },
    },
    {
      label: 'raw: JSON.parse + one prepared INSERT',
      setup,
      fn: (state) => {
        const f = state as Fixture
        const ads = JSON.parse(snapshots.get(f.submissionId)!) as Record<string, number | string>[]
        const stmt = f.store.db.prepare(
          'INSERT INTO jobs (id, submission_id, job_index, batch_job_id, state, exit_code, hold_reason, submitted_at, started_at, finished_at, wall_seconds, cpu_seconds, memory_mb, host, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        const now = Date.now()
        f.store.db.transaction(() => {
          for (const ad of ads) {
            stmt.run(newId(), f.submissionId, ad.ProcId, `${ad.ClusterId}.${ad.ProcId}`, RAW_STATES[ad.JobStatus as number] ?? 'idle', ad.ExitCode, ad.HoldReason ?? null, ad.QDate, ad.JobStartDate, ad.CompletionDate || null, ad.RemoteWallClockTime, Number(ad.RemoteUserCpu) + Number(ad.RemoteSysCpu), Number(ad.ResidentSetSize) / 1024, ad.RemoteHost, now)
          }
        })()
      },
    },
  )
  for (const f of fixtures) {
    f.store.close()
    rmSync(f.dataDir, { recursive: true, force: true })
  }
  return { name: `Ingesting a ${JOBS.toLocaleString('en')}-job condor_q -json snapshot (${sizeMb} MB)`, ...result, budget: 2 }
}
