import type { Database } from 'better-sqlite3'

export interface WrapupReport {
  seq: number
  at: number
  trigger: string
  lines: string[]
}

/** Reports of wrap-up cycles that did something, newest kept (POMS kept one text file, overwritten). */
export function createWrapupReportRepo(db: Database, keep = 500) {
  const insert = db.prepare('INSERT INTO wrapup_reports (at, trigger, lines) VALUES (?, ?, ?)')
  const prune = db.prepare('DELETE FROM wrapup_reports WHERE seq <= (SELECT max(seq) FROM wrapup_reports) - ?')
  const recent = db.prepare('SELECT * FROM wrapup_reports ORDER BY seq DESC LIMIT ?')
  return {
    append(at: number, trigger: string, lines: string[]): void {
      insert.run(at, trigger, JSON.stringify(lines))
      prune.run(keep)
    },
    recent: (limit: number): WrapupReport[] =>
      (recent.all(limit) as Record<string, unknown>[]).map((r) => ({ seq: r.seq as number, at: r.at as number, trigger: r.trigger as string, lines: JSON.parse(r.lines as string) as string[] })),
  }
}
export type WrapupReportRepo = ReturnType<typeof createWrapupReportRepo>
