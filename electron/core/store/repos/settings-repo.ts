import type { Database } from 'better-sqlite3'

/** Store-wide settings as JSON values (e.g. the global launch hold). */
export function createSettingsRepo(db: Database) {
  const get = db.prepare('SELECT value FROM settings WHERE key = ?').pluck()
  const set = db.prepare(
    'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  )
  return {
    get<T>(key: string, fallback: T): T {
      const raw = get.get(key) as string | undefined
      return raw === undefined ? fallback : (JSON.parse(raw) as T)
    },
    set(key: string, value: unknown, now: number): void {
      set.run(key, JSON.stringify(value), now)
    },
  }
}
export type SettingsRepo = ReturnType<typeof createSettingsRepo>
