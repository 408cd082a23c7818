import BetterSqlite3 from 'better-sqlite3'
import type { Database } from 'better-sqlite3'
import { closeSync, existsSync, mkdirSync, openSync, readSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock, Logger } from '../ports'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations'
import { migrate, newerStoreError, schemaVersion, type Migration } from './migrate'
import { acquireStoreLock } from './store-lock'

export const STORE_FILE = 'poms.sqlite'
export const LOCK_FILE = 'poms.lock'

const SQLITE_MAGIC = 'SQLite format 3\0'

/**
 * The schema version of a store file without opening it through SQLite: a read-only connection to a
 * WAL store creates (and leaves) -wal and -shm files. user_version is bytes 60–63 of the header,
 * big-endian. Only when a -wal file already exists (a crash) can newer content sit outside the main
 * file; then SQLite itself is asked, touching nothing that is not already there but the -shm index.
 */
function storedSchemaVersion(file: string): number {
  if (!existsSync(`${file}-wal`)) {
    const header = Buffer.alloc(100)
    const fd = openSync(file, 'r')
    let read: number
    try {
      read = readSync(fd, header, 0, header.length, 0)
    } finally {
      closeSync(fd)
    }
    if (read === 0) return 0
    if (read === header.length && header.toString('latin1', 0, 16) === SQLITE_MAGIC) return header.readInt32BE(60)
  }
  // Not a plain SQLite header (SQLite reports what is wrong) or a -wal is present.
  const probe = new BetterSqlite3(file, { readonly: true, fileMustExist: true })
  try {
    return schemaVersion(probe)
  } finally {
    probe.close()
  }
}

/** `base`, or `base.1`, `base.2`… when an earlier backup (say, of a migration that failed) is there. */
function freeBackupName(base: string): string {
  let name = base
  for (let n = 1; existsSync(name); n++) name = `${base}.${n}`
  return name
}

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
      // A store from a newer version must not even get a WAL file from us.
      found = storedSchemaVersion(file)
      if (found > latest) throw newerStoreError(file, found, latest)
    }
    const db = new BetterSqlite3(file)
    try {
      db.pragma('journal_mode = WAL')
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      db.pragma('synchronous = NORMAL')
      if (found > 0 && found < latest) {
        const backup = freeBackupName(`${file}.bak-v${found}-v${latest}`)
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
