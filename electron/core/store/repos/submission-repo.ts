import type { Database } from 'better-sqlite3'
import type { Page } from '../../../../shared/api/paging'
import { emptyJobCounts, type JobCounts } from '../../../../shared/domain/job'
import type { BackendKind } from '../../../../shared/domain/login-setup'
import type { Face, LaunchState, StatusChange, Submission, SubmissionSnapshot } from '../../../../shared/domain/submission'
import type { SubmissionStatus } from '../../../../shared/domain/submission-status'
import { AppError } from '../../../../shared/errors'
import { uniqueShortId } from '../ids'
import { decodeCursor, encodeCursor, toBool } from '../row-codec'
import type { JobRepo } from './job-repo'

const SELECT =
  'SELECT s.*, st.name AS stage_name, c.name AS campaign_name FROM submissions s ' +
  'JOIN stages st ON st.id = s.stage_id LEFT JOIN campaigns c ON c.id = s.campaign_id'

type Row = Record<string, unknown>

const toSubmission = (r: Row, jobCounts: JobCounts): Submission => ({
  id: r.id as string,
  shortId: r.short_id as string,
  experiment: r.experiment as string,
  campaignId: r.campaign_id as string | null,
  stageId: r.stage_id as string,
  stageName: r.stage_name as string,
  campaignName: (r.campaign_name as string | null) ?? null,
  status: r.status as SubmissionStatus,
  statusAt: r.status_at as number,
  launchState: r.launch_state as LaunchState,
  launchError: r.launch_error as string | null,
  test: toBool(r.test),
  backend: r.backend as BackendKind,
  batchId: r.batch_id as string | null,
  dataset: r.dataset as string,
  parentSubmissionId: r.parent_submission_id as string | null,
  creator: r.creator as string,
  creatorRole: r.creator_role as string,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  rev: r.rev as number,
  jobCounts,
})

export interface NewSubmission {
  id: string
  experiment: string
  campaignId: string | null
  stageId: string
  status: SubmissionStatus
  launchState: LaunchState
  test: boolean
  backend: BackendKind
  dataset: string
  parentSubmissionId: string | null
  idempotencyKey: string | null
  launchOutputFile: string | null
  creator: string
  creatorRole: string
  now: number
}

export interface SubmissionEngineState {
  project: string | null
  projectEnv: Record<string, string>
  recoveryPosition: number
  followedUpAt: number | null
}

export interface SubmissionFilterQuery {
  campaignId?: string
  stageId?: string
  status?: SubmissionStatus[]
  activeOnly: boolean
  sort: '-createdAt' | 'createdAt'
  cursor: string | null
  limit: number
}

/** Submissions, their append-only status history and immutable snapshots: one aggregate. */
export function createSubmissionRepo(db: Database, jobs: JobRepo) {
  const shortIdTaken = db.prepare('SELECT 1 FROM submissions WHERE short_id = ?').pluck()
  const insert = db.prepare(
    'INSERT INTO submissions (id, short_id, experiment, campaign_id, stage_id, status, status_at, launch_state, test, backend, dataset, ' +
      'parent_submission_id, idempotency_key, launch_output_file, creator, creator_role, created_at, updated_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const appendHistory = db.prepare('INSERT INTO submission_history (submission_id, status, at, actor, face, reason) VALUES (?, ?, ?, ?, ?, ?)')
  const setStatus = db.prepare('UPDATE submissions SET status = ?, status_at = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  const setLaunch = db.prepare(
    'UPDATE submissions SET launch_state = ?, launch_error = ?, batch_id = coalesce(?, batch_id), updated_at = ?, rev = rev + 1 WHERE id = ?',
  )
  const getScoped = db.prepare(`${SELECT} WHERE s.experiment = ? AND (s.id = ? OR s.short_id = ?)`)
  const getById = db.prepare(`${SELECT} WHERE s.id = ?`)
  const statusOf = db.prepare('SELECT status FROM submissions WHERE id = ?').pluck()
  const byKey = db.prepare(`${SELECT} WHERE s.experiment = ? AND s.idempotency_key = ?`)
  const idByKey = db.prepare('SELECT id FROM submissions WHERE experiment = ? AND idempotency_key = ?').pluck()
  const history = db.prepare('SELECT status, at, actor, face, reason FROM submission_history WHERE submission_id = ? ORDER BY seq')
  const insertSnapshot = db.prepare('INSERT INTO submission_snapshots (submission_id, snapshot, taken_at) VALUES (?, ?, ?)')
  const getSnapshot = db.prepare('SELECT snapshot FROM submission_snapshots WHERE submission_id = ?').pluck()
  const launchOutputFile = db.prepare('SELECT launch_output_file FROM submissions WHERE id = ?').pluck()
  // Active submissions, plus killed ones whose jobs have not all ended yet: the engine follows those
  // jobs to their end (the status itself is kept by the guard rules).
  // Two index searches rather than one OR, so the poll stays cheap with millions of old submissions.
  const activeIds = db.prepare(
    "SELECT id, created_at FROM submissions WHERE launch_state = 'launched' AND status IN ('New', 'Idle', 'Running', 'Held') " +
      "UNION ALL SELECT id, created_at FROM submissions s WHERE launch_state = 'launched' AND status IN ('Cancelled', 'Removed') " +
      "AND EXISTS (SELECT 1 FROM jobs j WHERE j.submission_id = s.id AND j.state IN ('idle', 'running', 'held')) " +
      'ORDER BY created_at'
  ).pluck()
  const interrupted = db.prepare("SELECT id FROM submissions WHERE launch_state IN ('pending', 'launching') ORDER BY created_at").pluck()
  const engineState = db.prepare('SELECT project, project_env, recovery_position, followed_up_at FROM submissions WHERE id = ?')
  const setProject = db.prepare('UPDATE submissions SET project = ?, project_env = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  const setRecoveryPosition = db.prepare('UPDATE submissions SET recovery_position = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  const markFollowedUp = db.prepare('UPDATE submissions SET followed_up_at = ?, updated_at = ?, rev = rev + 1 WHERE id = ? AND followed_up_at IS NULL')
  const completedIds = db.prepare("SELECT id FROM submissions WHERE status = 'Completed' ORDER BY created_at").pluck()
  const followUpIds = db.prepare("SELECT id FROM submissions WHERE status = 'Located' AND followed_up_at IS NULL ORDER BY created_at").pluck()
  const resultsPending = db.prepare(
    "SELECT id FROM submissions WHERE backend = 'local' AND results_recorded_at IS NULL AND launch_state IN ('launched', 'failed') " +
      "AND status NOT IN ('New', 'Idle', 'Running', 'Held') ORDER BY created_at",
  ).pluck()
  const resultsRecorded = db.prepare('UPDATE submissions SET results_recorded_at = ? WHERE id = ?')
  const recentOfStage = db.prepare(
    'SELECT id FROM submissions WHERE stage_id = ? AND parent_submission_id IS NULL AND status IN (?, ?) ORDER BY created_at DESC LIMIT ?',
  ).pluck()

  const withCounts = (row: Row): Submission => toSubmission(row, jobs.counts(row.id as string))

  return {
    insert(s: NewSubmission): string {
      const shortId = uniqueShortId('submission', (c) => shortIdTaken.get(c) !== undefined)
      insert.run(
        s.id,
        shortId,
        s.experiment,
        s.campaignId,
        s.stageId,
        s.status,
        s.now,
        s.launchState,
        s.test ? 1 : 0,
        s.backend,
        s.dataset,
        s.parentSubmissionId,
        s.idempotencyKey,
        s.launchOutputFile,
        s.creator,
        s.creatorRole,
        s.now,
        s.now,
      )
      return shortId
    },
    appendHistory(id: string, change: StatusChange): void {
      appendHistory.run(id, change.status, change.at, change.actor, change.face, change.reason)
    },
    /** The denormalised current status; always paired with appendHistory by the service. */
    setStatus(id: string, status: SubmissionStatus, at: number): void {
      setStatus.run(status, at, at, id)
    },
    setLaunchState(id: string, state: LaunchState, error: string | null, batchId: string | null, now: number): void {
      setLaunch.run(state, error, batchId, now, id)
    },
    get(experiment: string, ref: string): Submission | null {
      const row = getScoped.get(experiment, ref, ref) as Row | undefined
      return row ? withCounts(row) : null
    },
    require(experiment: string, ref: string): Submission {
      const row = getScoped.get(experiment, ref, ref) as Row | undefined
      if (!row) throw new AppError('NOT_FOUND', `submission ${ref} was not found in ${experiment}`)
      return withCounts(row)
    },
    getById(id: string): Submission | null {
      const row = getById.get(id) as Row | undefined
      return row ? withCounts(row) : null
    },
    /** The current status alone, read inside a writer's transaction so a guard never judges a stale one. */
    statusOf: (id: string): SubmissionStatus | null => (statusOf.get(id) as SubmissionStatus | undefined) ?? null,
    /** The submission an earlier call with this idempotency key made, if any (the cheap check on every launch). */
    idForIdempotencyKey: (experiment: string, key: string): string | null => (idByKey.get(experiment, key) as string | undefined) ?? null,
    findByIdempotencyKey(experiment: string, key: string): Submission | null {
      const row = byKey.get(experiment, key) as Row | undefined
      return row ? withCounts(row) : null
    },
    history: (id: string): StatusChange[] =>
      (history.all(id) as Row[]).map((r) => ({
        status: r.status as SubmissionStatus,
        at: r.at as number,
        actor: r.actor as string,
        face: r.face as Face,
        reason: r.reason as string | null,
      })),
    insertSnapshot(id: string, snapshot: SubmissionSnapshot): void {
      insertSnapshot.run(id, JSON.stringify(snapshot), snapshot.takenAt)
    },
    getSnapshot(id: string): SubmissionSnapshot | null {
      const raw = getSnapshot.get(id) as string | undefined
      return raw === undefined ? null : (JSON.parse(raw) as SubmissionSnapshot)
    },
    launchOutputFile: (id: string): string | null => (launchOutputFile.get(id) as string | null | undefined) ?? null,
    activeIds: (): string[] => activeIds.all() as string[],
    interruptedLaunchIds: (): string[] => interrupted.all() as string[],

    /** What the engine keeps beside the status: the data project, and where wrap-up stands. */
    engineState(id: string): SubmissionEngineState | null {
      const r = engineState.get(id) as Row | undefined
      if (!r) return null
      return {
        project: r.project as string | null,
        projectEnv: JSON.parse(r.project_env as string) as Record<string, string>,
        recoveryPosition: r.recovery_position as number,
        followedUpAt: r.followed_up_at as number | null,
      }
    },
    setProject(id: string, project: string | null, env: Record<string, string>, now: number): void {
      setProject.run(project, JSON.stringify(env), now, id)
    },
    /** On a parent: how many steps of its recovery plan have been evaluated (never re-evaluated). */
    setRecoveryPosition(id: string, position: number, now: number): void {
      setRecoveryPosition.run(position, now, id)
    },
    /** Once per Located submission: its recovery walk and dependents ran. False when already marked. */
    markFollowedUp: (id: string, now: number): boolean => markFollowedUp.run(now, now, id).changes > 0,
    /** Local submissions that are over and whose job results are not yet in the local catalog. */
    resultsPendingIds: (): string[] => resultsPending.all() as string[],
    markResultsRecorded(id: string, now: number): void {
      resultsRecorded.run(now, id)
    },
    /** Every Completed submission, oldest first: wrap-up checks each until it is Located (no 4-day window). */
    completedIds: (): string[] => completedIds.all() as string[],
    /** Located submissions whose follow-ups have not run yet. */
    followUpIds: (): string[] => followUpIds.all() as string[],
    /** A stage's newest finished first launches (not recoveries), for expectations drawn from history. */
    recentFinishedOfStage: (stageId: string, limit: number): string[] => recentOfStage.all(stageId, 'Completed', 'Located', limit) as string[],

    list(experiment: string, q: SubmissionFilterQuery): Page<Submission> {
      const where = ['s.experiment = ?']
      const params: unknown[] = [experiment]
      if (q.campaignId) {
        where.push('s.campaign_id = ?')
        params.push(q.campaignId)
      }
      if (q.stageId) {
        where.push('s.stage_id = ?')
        params.push(q.stageId)
      }
      const statuses = q.activeOnly ? (['New', 'Idle', 'Running', 'Held'] as SubmissionStatus[]) : q.status
      if (statuses && statuses.length > 0) {
        where.push(`s.status IN (${statuses.map(() => '?').join(', ')})`)
        params.push(...statuses)
      }
      const direction = q.sort === 'createdAt' ? 'ASC' : 'DESC'
      const cmp = direction === 'ASC' ? '>' : '<'
      if (q.cursor) {
        const { sortValue, id } = decodeCursor(q.cursor)
        where.push(`(s.created_at ${cmp} ? OR (s.created_at = ? AND s.id ${cmp} ?))`)
        params.push(sortValue, sortValue, id)
      }
      const rows = db
        .prepare(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.created_at ${direction}, s.id ${direction} LIMIT ?`)
        .all(...params, q.limit + 1) as Row[]
      const pageRows = rows.slice(0, q.limit)
      const counts = jobs.countsFor(pageRows.map((r) => r.id as string))
      const items = pageRows.map((r) => toSubmission(r, counts.get(r.id as string) ?? emptyJobCounts()))
      const last = pageRows.at(-1)
      return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.created_at as number, last.id as string) : null }
    },
  }
}
export type SubmissionRepo = ReturnType<typeof createSubmissionRepo>
