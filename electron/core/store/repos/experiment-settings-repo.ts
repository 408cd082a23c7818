import type { Database } from 'better-sqlite3'

/** An experiment's data handler configuration: plain settings, and secret ids (values live in the secret store). */
export interface ExperimentSettings {
  settings: Record<string, string>
  secretRefs: Record<string, string>
  rev: number
  updatedAt: number | null
  updater: string | null
}

export function createExperimentSettingsRepo(db: Database) {
  const get = db.prepare('SELECT settings, secret_refs, rev, updated_at, updater FROM experiment_settings WHERE experiment = ?')
  const put = db.prepare(
    'INSERT INTO experiment_settings (experiment, settings, secret_refs, updater, updated_at) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (experiment) DO UPDATE SET settings = excluded.settings, secret_refs = excluded.secret_refs, updater = excluded.updater, ' +
      'updated_at = excluded.updated_at, rev = rev + 1',
  )
  const setHandler = db.prepare('UPDATE experiments SET data_handler = ?, updated_at = ?, rev = rev + 1 WHERE name = ? AND deleted_at IS NULL')
  return {
    get(experiment: string): ExperimentSettings {
      const row = get.get(experiment) as Record<string, unknown> | undefined
      if (!row) return { settings: {}, secretRefs: {}, rev: 0, updatedAt: null, updater: null }
      return {
        settings: JSON.parse(row.settings as string) as Record<string, string>,
        secretRefs: JSON.parse(row.secret_refs as string) as Record<string, string>,
        rev: row.rev as number,
        updatedAt: row.updated_at as number,
        updater: row.updater as string | null,
      }
    },
    put(experiment: string, settings: Record<string, string>, secretRefs: Record<string, string>, updater: string, now: number): void {
      put.run(experiment, JSON.stringify(settings), JSON.stringify(secretRefs), updater, now)
    },
    setDataHandler(experiment: string, kind: string, now: number): void {
      setHandler.run(kind, now, experiment)
    },
  }
}
export type ExperimentSettingsRepo = ReturnType<typeof createExperimentSettingsRepo>
