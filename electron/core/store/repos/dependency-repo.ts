import type { Database } from 'better-sqlite3'
import type { Dependency } from '../../../../shared/domain/stage'
import { createEntityTable } from '../entity-table'

export function createDependencyRepo(db: Database) {
  const table = createEntityTable<Dependency>(db, {
    table: 'dependencies',
    shortIdKind: 'dependency',
    label: 'dependency',
    nameScope: 'campaign',
    fields: {
      campaignId: { column: 'campaign_id' },
      fromStageId: { column: 'from_stage_id' },
      toStageId: { column: 'to_stage_id' },
      filePatterns: { column: 'file_patterns' },
    },
    describeClash: () => ({ path: 'value.toStageId', message: 'these two stages are already connected' }),
  })
  const byCampaign = db.prepare('SELECT * FROM dependencies WHERE campaign_id = ? AND deleted_at IS NULL ORDER BY created_at, id')
  const tombstoneCampaign = db.prepare(
    'UPDATE dependencies SET deleted_at = ?, updater = ?, updated_at = ?, rev = rev + 1 WHERE campaign_id = ? AND deleted_at IS NULL',
  )
  const tombstoneStage = db.prepare(
    'UPDATE dependencies SET deleted_at = ?, updater = ?, updated_at = ?, rev = rev + 1 WHERE (from_stage_id = ? OR to_stage_id = ?) AND deleted_at IS NULL',
  )
  return {
    ...table,
    tombstoneCampaign: (campaignId: string, updater: string, now: number): number =>
      tombstoneCampaign.run(now, updater, now, campaignId).changes,
    tombstoneStage: (stageId: string, updater: string, now: number): number =>
      tombstoneStage.run(now, updater, now, stageId, stageId).changes,
    listByCampaign: (campaignId: string): Dependency[] =>
      (byCampaign.all(campaignId) as Record<string, unknown>[]).map((row) => table.decode(row)),
  }
}
export type DependencyRepo = ReturnType<typeof createDependencyRepo>
