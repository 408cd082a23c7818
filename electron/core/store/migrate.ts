import type { Database } from 'better-sqlite3'
import { AppError } from '../../../shared/errors'

export interface Migration {
  version: number
  name: string
  up(db: Database): void
}

export function assertStrictlyIncreasing(list: readonly Migration[]): void {
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.version <= list[i - 1]!.version) {
      throw new Error(`migration ${list[i]!.name} (${list[i]!.version}) is not after ${list[i - 1]!.name} (${list[i - 1]!.version})`)
    }
  }
}

export const schemaVersion = (db: Database): number => db.pragma('user_version', { simple: true }) as number

export function newerStoreError(file: string, found: number, known: number): AppError {
  return new AppError(
    'UNAVAILABLE',
    `The store ${file} was written by a newer version of POMS Desktop (schema ${found}; this version knows up to ${known}). ` +
      'It was not opened and is left untouched; use the newer version.',
    { details: { file, found, known } },
  )
}

/**
 * Bring the store to the newest schema: pending migrations run in one transaction and
 * user_version moves only if all of them succeed. Returns the versions it moved between.
 */
export function migrate(db: Database, list: readonly Migration[], file: string): { from: number; to: number } {
  assertStrictlyIncreasing(list)
  const from = schemaVersion(db)
  const latest = list.at(-1)?.version ?? 0
  if (from > latest) throw newerStoreError(file, from, latest)
  const pending = list.filter((m) => m.version > from)
  if (pending.length === 0) return { from, to: from }
  db.transaction(() => {
    for (const m of pending) m.up(db)
    db.pragma(`user_version = ${latest}`)
  })()
  return { from, to: latest }
}
