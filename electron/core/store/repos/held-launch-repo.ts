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

/** Launch requests queued while launches are held (poms-reference.md §3.7). */
export function createHeldLaunchRepo(db: Database) {
  const insert = db.prepare(
    'INSERT INTO held_launches (id, experiment, stage_id, created_at, launcher, launcher_role, test, dataset_override, param_overrides, parent_submission_id) ' +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const list = db.prepare('SELECT * FROM held_launches WHERE experiment = ? ORDER BY created_at, id')
  const remove = db.prepare('DELETE FROM held_launches WHERE id = ?')
  return {
    insert(h: HeldLaunch): void {
      insert.run(h.id, h.experiment, h.stageId, h.createdAt, h.launcher, h.launcherRole, h.test ? 1 : 0, h.datasetOverride, JSON.stringify(h.paramOverrides), h.parentSubmissionId)
    },
    list: (experiment: string): HeldLaunch[] => (list.all(experiment) as Record<string, unknown>[]).map(toHeld),
    remove: (id: string): boolean => remove.run(id).changes > 0,
  }
}
export type HeldLaunchRepo = ReturnType<typeof createHeldLaunchRepo>
