import type { Database } from 'better-sqlite3'
import type { RevisionInfo } from '../../../../shared/api/contract'
import { newId } from '../ids'

export interface NewRevision {
  experiment: string
  campaignId: string
  revision: number
  /** The document as JSON text, stored verbatim. */
  document: string
  createdAt: number
  creator: string
  face: string
  summary: string
}

const toInfo = (r: Record<string, unknown>): RevisionInfo => ({
  campaignId: r.campaign_id as string,
  revision: r.revision as number,
  createdAt: r.created_at as number,
  creator: r.creator as string,
  face: r.face as string,
  summary: r.summary as string,
})

const INFO_COLUMNS = 'campaign_id, revision, created_at, creator, face, summary'

/** Published campaign revisions: append-only (triggers refuse UPDATE and DELETE). */
export function createRevisionRepo(db: Database) {
  const insert = db.prepare(
    'INSERT INTO campaign_revisions (id, experiment, campaign_id, revision, document, created_at, creator, face, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const latest = db.prepare(`SELECT ${INFO_COLUMNS}, document FROM campaign_revisions WHERE campaign_id = ? ORDER BY revision DESC LIMIT 1`)
  const list = db.prepare(`SELECT ${INFO_COLUMNS} FROM campaign_revisions WHERE experiment = ? AND campaign_id = ? ORDER BY revision DESC`)
  const get = db.prepare(`SELECT ${INFO_COLUMNS}, document FROM campaign_revisions WHERE experiment = ? AND campaign_id = ? AND revision = ?`)

  return {
    insert(r: NewRevision): RevisionInfo {
      insert.run(newId(), r.experiment, r.campaignId, r.revision, r.document, r.createdAt, r.creator, r.face, r.summary)
      return { campaignId: r.campaignId, revision: r.revision, createdAt: r.createdAt, creator: r.creator, face: r.face, summary: r.summary }
    },
    /** The newest revision with its document text, or null for a campaign without one. */
    latest(campaignId: string): { info: RevisionInfo; document: string } | null {
      const row = latest.get(campaignId) as Record<string, unknown> | undefined
      return row ? { info: toInfo(row), document: row.document as string } : null
    },
    /** Newest first. */
    list: (experiment: string, campaignId: string): RevisionInfo[] => (list.all(experiment, campaignId) as Record<string, unknown>[]).map(toInfo),
    get(experiment: string, campaignId: string, revision: number): { info: RevisionInfo; document: string } | null {
      const row = get.get(experiment, campaignId, revision) as Record<string, unknown> | undefined
      return row ? { info: toInfo(row), document: row.document as string } : null
    },
  }
}
export type RevisionRepo = ReturnType<typeof createRevisionRepo>
