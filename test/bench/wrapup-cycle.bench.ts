import type Database from 'better-sqlite3'
import type { DataHandler } from '../../electron/core/engine/data/data-handler'
import { newId } from '../../electron/core/store/ids'
import { engineHarness, type EngineHarness } from '../helpers/engine-harness'
import { measurePair, type BenchResult } from './harness'

const ACTIVE = 10_000
/**
 * Wrap-up's own work per submission is a read of its row and snapshot, one handler call and the
 * status rows it writes, each step in its own transaction so a crash loses nothing; the baseline
 * does exactly those reads and writes in plain SQL, so the ratio is what the engine adds.
 */
const BUDGET_LOCATE = 4
const BUDGET_WAITING = 4

/**
 * A data handler answering at once, so the bench measures the engine, not a service: every
 * submission is (or is not yet) located, and its recovery step finds nothing to recover.
 */
function instantHandler(located: boolean): DataHandler {
  const unused = () => Promise.reject(new Error('not used by wrap-up'))
  return {
    kind: 'local',
    nextSplit: unused,
    previewSplits: unused,
    countFiles: unused,
    listFiles: async () => ['bench_1.root', 'bench_2.root'],
    beginProject: async () => ({ project: null, env: {} }),
    accounting: unused,
    located: async () => ({ located, count: located ? 10 : 0, threshold: 9.5, detail: 'outputs of the bench' }),
    recoveryDataset: async (_facts, type) => ({ type, dataset: null, count: 0, files: [], detail: 'no file failed' }),
    dependencyDataset: unused,
    close: async () => undefined,
  }
}

/** Copies every row of `table` where `column` = `from`, with `column` (and `extra`) changed. */
function cloneRows(db: Database.Database, table: string, column: string, from: string, to: string, extra: Record<string, unknown> = {}) {
  const rows = db.prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).all(from) as Record<string, unknown>[]
  for (const row of rows) {
    const copy: Record<string, unknown> = { ...row, [column]: to, ...extra }
    if ('seq' in copy) delete copy.seq
    const names = Object.keys(copy)
    db.prepare(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((n) => `@${n}`).join(', ')})`).run(copy)
  }
}

/** A store with ACTIVE Completed submissions of one stage (one real launch, cloned), and its engine. */
async function prepare(located: boolean): Promise<EngineHarness> {
  const h = engineHarness(instantHandler(located))
  const jobType = h.jobType('bench-job', { recoveryPlan: [{ type: 'consumed_status', paramOverrides: [] }] })
  const stage = h.stage('bench', jobType.id, { dataset: 'bench_files' })
  const first = await h.launches.launch(h.alice, { experiment: h.experiment, stageId: stage.id, test: false, datasetOverride: null, paramOverrides: [], idempotencyKey: 'bench-first', dryRun: false })
  await h.settle()
  const id = first.submission!.id
  const { db } = h.deps
  db.transaction(() => {
    for (let i = 1; i < ACTIVE; i++) {
      const copy = newId()
      cloneRows(db, 'submissions', 'id', id, copy, { short_id: `s-B${String(i).padStart(5, '0')}`, idempotency_key: null, created_at: Date.now() + i })
      cloneRows(db, 'submission_snapshots', 'submission_id', id, copy)
      cloneRows(db, 'submission_history', 'submission_id', id, copy)
    }
  })()
  const completed = h.deps.repos.submissions.completedIds().length
  if (completed !== ACTIVE) throw new Error(`the bench store has ${completed} Completed submissions, not ${ACTIVE}`)
  return h
}

/** The plain-SQL floor of one cycle: per submission, read row and snapshot, then write what wrap-up writes. */
function rawCycle(h: EngineHarness, locate: boolean): void {
  const { db } = h.deps
  const ids = db.prepare("SELECT id FROM submissions WHERE status = 'Completed' ORDER BY created_at").pluck().all() as string[]
  const row = db.prepare('SELECT * FROM submissions WHERE id = ?')
  const snapshot = db.prepare('SELECT snapshot FROM submission_snapshots WHERE submission_id = ?').pluck()
  const setStatus = db.prepare('UPDATE submissions SET status = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  const history = db.prepare('INSERT INTO submission_history (submission_id, status, at, actor, face, reason) VALUES (?, ?, ?, ?, ?, ?)')
  const followed = db.prepare('UPDATE submissions SET followed_up_at = ?, recovery_position = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  for (const id of ids) {
    row.get(id)
    JSON.parse(snapshot.get(id) as string)
    if (!locate) continue
    const now = Date.now()
    db.transaction(() => {
      setStatus.run('Located', now, id)
      history.run(id, 'Located', now, 'engine', 'engine', 'outputs located')
    })()
    row.get(id)
    JSON.parse(snapshot.get(id) as string)
    db.transaction(() => {
      followed.run(now, 1, now, id)
      history.run(id, 'Located', now, 'engine', 'engine', 'wrap-up: nothing to recover')
    })()
  }
}

/** Fails the bench if a cycle did not do its work (a cheap count, timed on both sides alike). */
function expectStatuses(h: EngineHarness, status: 'Located' | 'Completed', followedUp: boolean): void {
  const n = h.deps.db.prepare(`SELECT count(*) FROM submissions WHERE status = ? AND (followed_up_at IS NOT NULL) = ?`).pluck().get(status, followedUp ? 1 : 0)
  if (n !== ACTIVE) throw new Error(`after the cycle ${String(n)} submissions are ${status}${followedUp ? ' and followed up' : ''}, not ${ACTIVE}`)
}

/**
 * One wrap-up cycle over 10,000 Completed submissions (POMS's "active" ones wrap-up must look
 * at): when all are located at once (completion, then each one's recovery walk, every step
 * committed), and the steady state of weeks where none is located yet (each one checked again).
 */
export async function benchWrapupCycle(): Promise<BenchResult[]> {
  const opened: EngineHarness[] = []
  const fresh = (located: boolean) => async () => {
    const h = await prepare(located)
    opened.push(h)
    return h
  }
  const done = async () => {
    for (const h of opened.splice(0)) await h.close()
  }
  try {
    const locate = await measurePair(
      3,
      {
        label: `wrap-up: ${ACTIVE.toLocaleString('en')} located + follow-ups`,
        setup: fresh(true),
        fn: async (h) => {
          await (h as EngineHarness).wrapup.run('engine')
          expectStatuses(h as EngineHarness, 'Located', true)
        },
      },
      {
        label: 'the same reads and writes in plain SQL',
        setup: fresh(true),
        fn: (h) => {
          rawCycle(h as EngineHarness, true)
          expectStatuses(h as EngineHarness, 'Located', true)
        },
      },
    )
    await done()
    const waiting = await measurePair(
      3,
      {
        label: `wrap-up: ${ACTIVE.toLocaleString('en')} checked, none located`,
        setup: fresh(false),
        fn: async (h) => {
          await (h as EngineHarness).wrapup.run('engine')
          expectStatuses(h as EngineHarness, 'Completed', false)
        },
      },
      {
        label: 'read each row and snapshot (SQL)',
        setup: fresh(false),
        fn: (h) => {
          rawCycle(h as EngineHarness, false)
          expectStatuses(h as EngineHarness, 'Completed', false)
        },
      },
    )
    return [
      { name: `wrap-up cycle: ${ACTIVE.toLocaleString('en')} active submissions, all Located at once`, ...locate, budget: BUDGET_LOCATE },
      { name: `wrap-up cycle: ${ACTIVE.toLocaleString('en')} active submissions, none located yet`, ...waiting, budget: BUDGET_WAITING },
    ]
  } finally {
    await done()
  }
}
