import BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock, Logger } from '../ports'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations'
import { migrate, newerStoreError, schemaVersion, type Migration } from './migrate'
import { acquireStoreLock } from './store-lock'

export const STORE_FILE = 'poms.sqlite'
export const LOCK_FILE = 'poms.lock'

export interface Store {
  db: Database
  file: string
  close(): void
}

export interface OpenStoreOptions {
  dataDir: string
  clock: Clock
  logger: Logger
  /** Shown to a second process that finds the store locked. */
  purpose: string
  migrations?: readonly Migration[]
}

/**
 * Open (creating if needed) the store in a data directory: take the lock, refuse a store from a
 * newer version without touching it, back it up before migrating, then migrate.
 */
export function openStore(opts: OpenStoreOptions): Store {
  const migrations = opts.migrations ?? MIGRATIONS
  const latest = migrations.at(-1)?.version ?? LATEST_SCHEMA_VERSION
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 })
  const file = join(opts.dataDir, STORE_FILE)
  const lock = acquireStoreLock(join(opts.dataDir, LOCK_FILE), opts.purpose, opts.clock.now())
  try {
    let found = 0
    if (existsSync(file)) {
      // Read-only first: a store from a newer version must not even get a WAL file from us.
      const probe = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
      try {
        found = schemaVersion(probe)
      } finally {
        probe.close()
      }
      if (found > latest) throw newerStoreError(file, found, latest)
    }
    const db = new BetterSqlite3(file)
    try {
      db.pragma('journal_mode = WAL')
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      db.pragma('synchronous = NORMAL')
      if (found > 0 && found < latest) {
        const backup = `${file}.bak-v${found}-v${latest}`
        db.prepare('VACUUM INTO ?').run(backup)
        opts.logger.info('store backed up before migrating', { backup })
      }
      const moved = migrate(db, migrations, file)
      if (moved.from !== moved.to) opts.logger.info('store migrated', moved)
    } catch (err) {
      db.close()
      throw err
    }
    return {
      db,
      file,
      close() {
        if (db.open) db.close()
        lock.release()
      },
    }
  } catch (err) {
    lock.release()
    throw err
  }
}
