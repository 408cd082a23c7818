import type { Database } from 'better-sqlite3'
import type { Page } from '../../../../shared/api/paging'
import type { AuditEntry } from '../../../../shared/domain/submission'
import { decodeCursor, encodeCursor } from '../row-codec'

export type NewAuditEntry = Omit<AuditEntry, 'seq'>

const toEntry = (r: Record<string, unknown>): AuditEntry => ({
  seq: r.seq as number,
  at: r.at as number,
  experiment: (r.experiment as string | null) ?? null,
  actor: r.actor as string,
  role: r.role as string,
  face: r.face as AuditEntry['face'],
  action: r.action as string,
  entityType: r.entity_type as string,
  entityId: (r.entity_id as string | null) ?? null,
  summary: r.summary as string,
})

/** Append-only (triggers refuse UPDATE and DELETE): who did what, through which face. */
export function createAuditRepo(db: Database) {
  const insert = db.prepare(
    'INSERT INTO audit_log (at, experiment, actor, role, face, action, entity_type, entity_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  return {
    append(e: NewAuditEntry): void {
      insert.run(e.at, e.experiment, e.actor, e.role, e.face, e.action, e.entityType, e.entityId, e.summary)
    },
    list(experiment: string, q: { entityId?: string; actor?: string; cursor: string | null; limit: number }): Page<AuditEntry> {
      const where = ['experiment = ?']
      const params: unknown[] = [experiment]
      if (q.entityId) {
        where.push('entity_id = ?')
        params.push(q.entityId)
      }
      if (q.actor) {
        where.push('actor = ?')
        params.push(q.actor)
      }
      if (q.cursor) {
        where.push('seq < ?')
        params.push(decodeCursor(q.cursor).sortValue)
      }
      const rows = db
        .prepare(`SELECT * FROM audit_log WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`)
        .all(...params, q.limit + 1) as Record<string, unknown>[]
      const items = rows.slice(0, q.limit).map(toEntry)
      const last = items.at(-1)
      return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.seq, String(last.seq)) : null }
    },
  }
}
export type AuditRepo = ReturnType<typeof createAuditRepo>
