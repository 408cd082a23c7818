import type { Database } from 'better-sqlite3'
import type { Stage } from '../../../../shared/domain/stage'
import { createEntityTable } from '../entity-table'

type StoredStage = Omit<Stage, 'hold'> & { holdBy: string | null; holdRole: string | null; holdAt: number | null }

export function createStageRepo(db: Database) {
  const table = createEntityTable<StoredStage>(db, {
    table: 'stages',
    shortIdKind: 'stage',
    label: 'stage',
    nameScope: 'campaign',
    fields: {
      campaignId: { column: 'campaign_id' },
      name: { column: 'name' },
      jobTypeId: { column: 'job_type_id' },
      loginSetupId: { column: 'login_setup_id' },
      voRole: { column: 'vo_role' },
      dataset: { column: 'dataset' },
      splitType: { column: 'split_type' },
      splitCursor: { column: 'split_cursor' },
      testSplitType: { column: 'test_split_type' },
      softwareVersion: { column: 'software_version' },
      paramOverrides: { column: 'param_overrides', codec: 'json' },
      testParamOverrides: { column: 'test_param_overrides', codec: 'json' },
      completionType: { column: 'completion_type' },
      completionPct: { column: 'completion_pct' },
      mergeOverrides: { column: 'merge_overrides', codec: 'bool' },
      outputAncestorDepth: { column: 'output_ancestor_depth' },
      stageType: { column: 'stage_type' },
      defaultClearCronjob: { column: 'default_clear_cronjob', codec: 'bool' },
      holdBy: { column: 'hold_by' },
      holdRole: { column: 'hold_role' },
      holdAt: { column: 'hold_at' },
    },
  })

  const toStage = ({ holdBy, holdRole, holdAt, ...rest }: StoredStage): Stage => ({
    ...rest,
    hold: holdBy !== null && holdRole !== null && holdAt !== null ? { by: holdBy, role: holdRole, at: holdAt } : null,
  })
  const fromStage = ({ hold, ...rest }: Stage): StoredStage => ({
    ...rest,
    holdBy: hold?.by ?? null,
    holdRole: hold?.role ?? null,
    holdAt: hold?.at ?? null,
  })
  const countByCampaign = db.prepare('SELECT count(*) FROM stages WHERE campaign_id = ? AND deleted_at IS NULL').pluck()
  const usingJobType = db.prepare('SELECT name FROM stages WHERE job_type_id = ? AND deleted_at IS NULL ORDER BY name').pluck()
  const usingLoginSetup = db.prepare('SELECT name FROM stages WHERE login_setup_id = ? AND deleted_at IS NULL ORDER BY name').pluck()
  const tombstoneCampaign = db.prepare(
    'UPDATE stages SET deleted_at = ?, updater = ?, updated_at = ?, rev = rev + 1 WHERE campaign_id = ? AND deleted_at IS NULL',
  )
  const setHold = db.prepare('UPDATE stages SET hold_by = ?, hold_role = ?, hold_at = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  const setCursor = db.prepare('UPDATE stages SET split_cursor = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  const byCampaign = db.prepare(
    'SELECT * FROM stages WHERE campaign_id = ? AND deleted_at IS NULL ORDER BY position IS NULL, position, created_at, id',
  )
  const setPosition = db.prepare('UPDATE stages SET position = ? WHERE id = ? AND position IS NOT ?')

  return {
    get: (experiment: string, ref: string) => {
      const row = table.get(experiment, ref)
      return row ? toStage(row) : null
    },
    require: (experiment: string, ref: string) => toStage(table.require(experiment, ref)),
    list: (...args: Parameters<typeof table.list>) => {
      const page = table.list(...args)
      return { items: page.items.map(toStage), nextCursor: page.nextCursor }
    },
    insert: (stage: Stage) => toStage(table.insert(fromStage(stage))),
    update: (
      experiment: string,
      id: string,
      expectedRev: number,
      changes: Partial<Omit<Stage, 'hold' | keyof import('../entity-table').EntityMeta>>,
      updater: string,
      now: number,
    ) => toStage(table.update(experiment, id, expectedRev, changes, updater, now)),
    softDelete: table.softDelete,
    countByCampaign: (campaignId: string) => countByCampaign.get(campaignId) as number,
    /** Names of live stages that launch with this job type or login setup. */
    namesUsing: (ref: { jobTypeId: string } | { loginSetupId: string }): string[] =>
      'jobTypeId' in ref ? (usingJobType.all(ref.jobTypeId) as string[]) : (usingLoginSetup.all(ref.loginSetupId) as string[]),
    tombstoneCampaign: (campaignId: string, updater: string, now: number): number =>
      tombstoneCampaign.run(now, updater, now, campaignId).changes,
    /** A campaign's live stages in their stored order (file order on import, then creation order). */
    listByCampaign: (campaignId: string): Stage[] =>
      (byCampaign.all(campaignId) as Record<string, unknown>[]).map((row) => toStage(table.decode(row))),
    /** The stage's place in its campaign's order; not configuration, so it bypasses rev. */
    setPosition: (id: string, position: number | null): void => {
      setPosition.run(position, id, position)
    },
    /** The split position moves with launches, not with edits, so it bypasses expectedRev. */
    /** Holding is an action on the stage, not an edit of its configuration, so it bypasses expectedRev. */
    setHold: (id: string, hold: Stage['hold'], now: number): void => {
      setHold.run(hold?.by ?? null, hold?.role ?? null, hold?.at ?? null, now, id)
    },
    setSplitCursor: (id: string, cursor: number | null, now: number): void => {
      setCursor.run(cursor, now, id)
    },
  }
}
export type StageRepo = ReturnType<typeof createStageRepo>
