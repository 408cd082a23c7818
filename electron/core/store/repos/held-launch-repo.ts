import type { Database } from 'better-sqlite3'
import type { HeldLaunch } from '../../../../shared/domain/submission'
import { toBool } from '../row-codec'

const toHeld = (r: Record<string, unknown>): HeldLaunch => ({
  id: r.id as string,
  experiment: r.experiment as string,
  stageId: r.stage_id as string,
  createdAt: r.created_at as number,
  launcher: r.launcher as string,
  launcherRole: r.launcher_role as string,
  test: toBool(r.test),
  datasetOverride: r.dataset_override as string | null,
  paramOverrides: JSON.parse(r.param_overrides as string) as HeldLaunch['paramOverrides'],
  parentSubmissionId: r.parent_submission_id as string | null,
})

export interface HeldLaunchOrigin {
  idempotencyKey: string | null
  reason: string | null
}

/** Launch requests queued while launches are held (poms-reference.md §3.7). */
export function createHeldLaunchRepo(db: Database) {
  const insert = db.prepare(
    'INSERT INTO held_launches (id, experiment, stage_id, created_at, launcher, launcher_role, test, dataset_override, param_overrides, parent_submission_id, idempotency_key, reason) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const byKey = db.prepare('SELECT * FROM held_launches WHERE experiment = ? AND idempotency_key = ?')
  const origin = db.prepare('SELECT idempotency_key, reason FROM held_launches WHERE id = ?')
  const list = db.prepare('SELECT * FROM held_launches WHERE experiment = ? ORDER BY created_at, id')
  const remove = db.prepare('DELETE FROM held_launches WHERE id = ?')
  return {
    /** `origin`: the key of the launch request it stands for (automatic launches), and why it was asked for. */
    insert(h: HeldLaunch, origin: HeldLaunchOrigin = { idempotencyKey: null, reason: null }): void {
      insert.run(
        h.id,
        h.experiment,
        h.stageId,
        h.createdAt,
        h.launcher,
        h.launcherRole,
        h.test ? 1 : 0,
        h.datasetOverride,
        JSON.stringify(h.paramOverrides),
        h.parentSubmissionId,
        origin.idempotencyKey,
        origin.reason,
      )
    },
    findByKey(experiment: string, key: string): HeldLaunch | null {
      const row = byKey.get(experiment, key) as Record<string, unknown> | undefined
      return row ? toHeld(row) : null
    },
    originOf(id: string): HeldLaunchOrigin {
      const row = origin.get(id) as { idempotency_key: string | null; reason: string | null } | undefined
      return { idempotencyKey: row?.idempotency_key ?? null, reason: row?.reason ?? null }
    },
    list: (experiment: string): HeldLaunch[] => (list.all(experiment) as Record<string, unknown>[]).map(toHeld),
    remove: (id: string): boolean => remove.run(id).changes > 0,
  }
}
export type HeldLaunchRepo = ReturnType<typeof createHeldLaunchRepo>
