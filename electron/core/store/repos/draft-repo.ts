import type { Database } from 'better-sqlite3'

export interface StoredDraft {
  campaignId: string
  experiment: string
  /** JSON text, exactly as saved. */
  document: string
  baseRevision: number
  rev: number
  createdAt: number
  updatedAt: number
  updater: string
}

const toDraft = (r: Record<string, unknown>): StoredDraft => ({
  campaignId: r.campaign_id as string,
  experiment: r.experiment as string,
  document: r.document as string,
  baseRevision: r.base_revision as number,
  rev: r.rev as number,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  updater: r.updater as string,
})

/** The one shared draft per campaign, with its own revision counter for optimistic concurrency. */
export function createDraftRepo(db: Database) {
  const get = db.prepare('SELECT * FROM campaign_drafts WHERE experiment = ? AND campaign_id = ?')
  const insert = db.prepare(
    'INSERT INTO campaign_drafts (campaign_id, experiment, document, base_revision, rev, created_at, updated_at, updater) VALUES (?, ?, ?, ?, 1, ?, ?, ?)',
  )
  const update = db.prepare(
    'UPDATE campaign_drafts SET document = ?, rev = rev + 1, updated_at = ?, updater = ? WHERE experiment = ? AND campaign_id = ? AND rev = ?',
  )
  const remove = db.prepare('DELETE FROM campaign_drafts WHERE experiment = ? AND campaign_id = ?')

  return {
    get(experiment: string, campaignId: string): StoredDraft | null {
      const row = get.get(experiment, campaignId) as Record<string, unknown> | undefined
      return row ? toDraft(row) : null
    },
    insert(d: { experiment: string; campaignId: string; document: string; baseRevision: number; now: number; updater: string }): void {
      insert.run(d.campaignId, d.experiment, d.document, d.baseRevision, d.now, d.now, d.updater)
    },
    /** False when the draft is gone or its rev is not `expectedRev` (someone saved in between). */
    update(d: { experiment: string; campaignId: string; document: string; expectedRev: number; now: number; updater: string }): boolean {
      return update.run(d.document, d.now, d.updater, d.experiment, d.campaignId, d.expectedRev).changes > 0
    },
    remove: (experiment: string, campaignId: string): boolean => remove.run(experiment, campaignId).changes > 0,
  }
}
export type DraftRepo = ReturnType<typeof createDraftRepo>
