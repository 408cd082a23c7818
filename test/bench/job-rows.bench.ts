import type { Database } from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { silentLogger } from '../../electron/core/logging/logger'
import { systemClock } from '../../electron/core/ports'
import { newId } from '../../electron/core/store/ids'
import { openStore, type Store } from '../../electron/core/store/open-store'
import { createRepos } from '../../electron/core/store/repos'
import type { Job } from '../../shared/domain/job'
import { tempDataDir } from '../helpers/core-harness'
import { measurePair, type BenchResult } from './harness'

const ROWS = 100_000
const JOBS_PER_SUBMISSION = 1000

/** A fresh store with the experiment, stage and submissions the job rows point at. */
function prepareStore(): { store: Store; dataDir: string; submissionIds: string[] } {
  const dataDir = tempDataDir('poms-bench-')
  const store = openStore({ dataDir, clock: systemClock, logger: silentLogger, purpose: 'bench' })
  const db: Database = store.db
  const now = Date.now()
  const stageId = newId()
  db.exec(`INSERT INTO experiments (id, name, display_name, created_at, updated_at) VALUES ('${newId()}', 'bench', 'bench', ${now}, ${now})`)
  db.prepare(
    "INSERT INTO stages (id, short_id, experiment, name, creator, creator_role, created_at, updated_at) VALUES (?, 't-BENCH0', 'bench', 'stage', 'b', 'production', ?, ?)",
  ).run(stageId, now, now)
  const insert = db.prepare(
    "INSERT INTO submissions (id, short_id, experiment, stage_id, status, status_at, launch_state, backend, creator, creator_role, created_at, updated_at) " +
      "VALUES (?, ?, 'bench', ?, 'Running', ?, 'launched', 'local', 'b', 'production', ?, ?)",
  )
  const submissionIds: string[] = []
  for (let i = 0; i < ROWS / JOBS_PER_SUBMISSION; i++) {
    const id = newId()
    insert.run(id, `s-B${String(i).padStart(5, '0')}`, stageId, now, now, now)
    submissionIds.push(id)
  }
  return { store, dataDir, submissionIds }
}

function jobRows(submissionIds: string[]): Job[] {
  const now = Date.now()
  const jobs: Job[] = []
  for (const submissionId of submissionIds) {
    for (let index = 0; index < JOBS_PER_SUBMISSION; index++) {
      jobs.push({
        id: newId(),
        submissionId,
        index,
        batchJobId: `${1000 + index}.0@schedd`,
        state: index % 10 === 0 ? 'failed' : 'completed',
        exitCode: index % 10 === 0 ? 1 : 0,
        holdReason: null,
        submittedAt: now,
        startedAt: now,
        finishedAt: now,
        wallSeconds: 12.5,
        cpuSeconds: 10.25,
        memoryMb: 512,
        host: 'worker.example.org',
        updatedAt: now,
      })
    }
  }
  return jobs
}

type State = { store: Store; dataDir: string; jobs: Job[] }

/** issue 2: 100,000 job-status rows through the store's own code vs a raw prepared-statement bulk insert. */
export async function benchJobRows(): Promise<BenchResult> {
  const states: State[] = []
  const setup = () => {
    const { store, dataDir, submissionIds } = prepareStore()
    const state = { store, dataDir, jobs: jobRows(submissionIds) }
    states.push(state)
    return state
  }
  const { subject, baseline } = await measurePair(
    5,
    { label: 'store: JobRepo.insert in one transaction', setup, fn: (s) => {
      const { store, jobs } = s as State
      const repos = createRepos(store.db)
      store.db.transaction(() => {
        for (const job of jobs) repos.jobs.insert(job)
      })()
    } },
    { label: 'raw: one prepared INSERT, one transaction', setup, fn: (s) => {
    const { store, jobs } = s as State
    const stmt = store.db.prepare(
      'INSERT INTO jobs (id, submission_id, job_index, batch_job_id, state, exit_code, hold_reason, submitted_at, started_at, finished_at, wall_seconds, cpu_seconds, memory_mb, host, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    store.db.transaction(() => {
      for (const j of jobs) {
        stmt.run(j.id, j.submissionId, j.index, j.batchJobId, j.state, j.exitCode, j.holdReason, j.submittedAt, j.startedAt, j.finishedAt, j.wallSeconds, j.cpuSeconds, j.memoryMb, j.host, j.updatedAt)
      }
    })()
    } },
  )
  for (const s of states) {
    s.store.close()
    rmSync(s.dataDir, { recursive: true, force: true })
  }
  return { name: `Writing ${ROWS.toLocaleString('en')} job-status rows`, subject, baseline, budget: 1.5 }
}
