import type { Database } from 'better-sqlite3'
import type { Campaign } from '../../../../shared/domain/campaign'
import { createEntityTable, createNameIndex } from '../entity-table'

export function createCampaignRepo(db: Database) {
  const table = createEntityTable<Campaign>(db, {
    table: 'campaigns',
    shortIdKind: 'campaign',
    label: 'campaign',
    nameScope: 'experiment',
    fields: {
      name: { column: 'name' },
      defaults: { column: 'defaults', codec: 'json' },
      keywords: { column: 'keywords', codec: 'json' },
      tags: { column: 'tags', codec: 'json' },
      active: { column: 'active', codec: 'bool' },
      campaignType: { column: 'campaign_type' },
      layout: { column: 'layout', codec: 'json' },
    },
  })
  const activate = db.prepare('UPDATE campaigns SET active = 1, updated_at = ?, rev = rev + 1 WHERE id = ? AND active = 0')
  return {
    ...table,
    ...createNameIndex(db, 'campaigns', table.decode),
    /** Launching a stage re-activates its campaign (poms-reference.md §3.1). Returns true if it changed. */
    activate(id: string, now: number): boolean {
      return activate.run(now, id).changes > 0
    },
  }
}
export type CampaignRepo = ReturnType<typeof createCampaignRepo>
