import type { Database } from 'better-sqlite3'

/** A stage's cron schedule as stored; the next runs are computed, not stored (except the next one). */
export interface StoredSchedule {
  stageId: string
  experiment: string
  cron: string
  timezone: string
  /** null: the stage's default_clear_cronjob decides. */
  clearWhenExhausted: boolean | null
  launcher: string
  launcherRole: string
  nextRunAt: number | null
  lastRunAt: number | null
  lastOutcome: string | null
  exhaustedCount: number
  createdAt: number
  updatedAt: number
}

const toSchedule = (r: Record<string, unknown>): StoredSchedule => ({
  stageId: r.stage_id as string,
  experiment: r.experiment as string,
  cron: r.cron as string,
  timezone: r.timezone as string,
  clearWhenExhausted: r.clear_when_exhausted === null ? null : r.clear_when_exhausted === 1,
  launcher: r.launcher as string,
  launcherRole: r.launcher_role as string,
  nextRunAt: r.next_run_at as number | null,
  lastRunAt: r.last_run_at as number | null,
  lastOutcome: r.last_outcome as string | null,
  exhaustedCount: r.exhausted_count as number,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
})

/** Per-stage cron schedules (poms-reference.md §3.9), one row per stage. */
export function createScheduleRepo(db: Database) {
  const upsert = db.prepare(
    'INSERT INTO schedules (stage_id, experiment, cron, timezone, clear_when_exhausted, launcher, launcher_role, next_run_at, created_at, updated_at) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stage_id) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, ' +
      'clear_when_exhausted = excluded.clear_when_exhausted, launcher = excluded.launcher, launcher_role = excluded.launcher_role, ' +
      'next_run_at = excluded.next_run_at, exhausted_count = 0, updated_at = excluded.updated_at, rev = rev + 1',
  )
  const get = db.prepare('SELECT * FROM schedules WHERE stage_id = ?')
  const list = db.prepare('SELECT s.* FROM schedules s JOIN stages st ON st.id = s.stage_id WHERE s.experiment = ? AND st.deleted_at IS NULL ORDER BY st.name, s.stage_id')
  const all = db.prepare('SELECT s.* FROM schedules s JOIN stages st ON st.id = s.stage_id WHERE st.deleted_at IS NULL ORDER BY s.next_run_at')
  const due = db.prepare('SELECT s.* FROM schedules s JOIN stages st ON st.id = s.stage_id WHERE st.deleted_at IS NULL AND s.next_run_at <= ? ORDER BY s.next_run_at')
  const remove = db.prepare('DELETE FROM schedules WHERE stage_id = ?')
  const ran = db.prepare('UPDATE schedules SET last_run_at = ?, last_outcome = ?, next_run_at = ?, updated_at = ?, rev = rev + 1 WHERE stage_id = ?')
  const exhausted = db.prepare('UPDATE schedules SET exhausted_count = exhausted_count + 1, last_outcome = ?, updated_at = ?, rev = rev + 1 WHERE stage_id = ?')

  return {
    upsert(s: Omit<StoredSchedule, 'lastRunAt' | 'lastOutcome' | 'exhaustedCount' | 'updatedAt'>, now: number): void {
      upsert.run(
        s.stageId,
        s.experiment,
        s.cron,
        s.timezone,
        s.clearWhenExhausted === null ? null : s.clearWhenExhausted ? 1 : 0,
        s.launcher,
        s.launcherRole,
        s.nextRunAt,
        s.createdAt,
        now,
      )
    },
    get(stageId: string): StoredSchedule | null {
      const row = get.get(stageId) as Record<string, unknown> | undefined
      return row ? toSchedule(row) : null
    },
    list: (experiment: string): StoredSchedule[] => (list.all(experiment) as Record<string, unknown>[]).map(toSchedule),
    all: (): StoredSchedule[] => (all.all() as Record<string, unknown>[]).map(toSchedule),
    /** Schedules whose next run is at or before `now`. */
    due: (now: number): StoredSchedule[] => (due.all(now) as Record<string, unknown>[]).map(toSchedule),
    remove: (stageId: string): boolean => remove.run(stageId).changes > 0,
    /** Records a run (or a skipped one) and where the schedule goes next. */
    recordRun(stageId: string, at: number | null, outcome: string, nextRunAt: number | null, now: number): void {
      const current = this.get(stageId)
      ran.run(at ?? current?.lastRunAt ?? null, outcome, nextRunAt, now, stageId)
    },
    countExhausted(stageId: string, outcome: string, now: number): void {
      exhausted.run(outcome, now, stageId)
    },
  }
}
export type ScheduleRepo = ReturnType<typeof createScheduleRepo>
