import BetterSqlite3 from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { assertStrictlyIncreasing, type Migration } from '../../electron/core/store/migrate'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../electron/core/store/migrations'
import { LOCK_FILE, STORE_FILE } from '../../electron/core/store/open-store'
import { openTestStore, tempDataDir } from '../helpers/core-harness'

const dirs: string[] = []
const freshDir = () => {
  const dir = tempDataDir('poms-migrate-')
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const userVersion = (file: string): number => {
  const db = new BetterSqlite3(file, { readonly: true })
  try {
    return db.pragma('user_version', { simple: true }) as number
  } finally {
    db.close()
  }
}
const backups = (dir: string) => readdirSync(dir).filter((f) => f.includes('.bak-'))
const thrown = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('expected a throw')
}

const m1: Migration = { version: 1, name: 'one', up: (db) => db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT) STRICT') }
const m2: Migration = { version: 2, name: 'two', up: (db) => db.exec('ALTER TABLE t ADD COLUMN b TEXT') }
const mBroken: Migration = {
  version: 2,
  name: 'broken',
  up: (db) => {
    db.exec('CREATE TABLE half_done (x INTEGER) STRICT')
    db.exec('ALTER TABLE t ADD COLUMN b TEXT')
    throw new Error('migration blew up')
  },
}

describe('a fresh store', () => {
  it('is at the latest schema version', () => {
    const store = openTestStore({ dataDir: freshDir() })
    try {
      expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.at(-1)!.version)
      expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION)
    } finally {
      store.close()
    }
  })

  it('has only STRICT tables', () => {
    const store = openTestStore({ dataDir: freshDir() })
    try {
      const tables = store.db
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string; sql: string }[]
      expect(tables.length).toBeGreaterThanOrEqual(10)
      for (const { name, sql } of tables) expect(sql, name).toMatch(/\)\s*STRICT\s*$/)
      // STRICT is enforced, not decoration: a text in an INTEGER column is refused.
      expect(() => store.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 'soon')").run()).toThrow(/cannot store TEXT/)
    } finally {
      store.close()
    }
  })

  it('runs in WAL mode with foreign keys enforced', () => {
    const dir = freshDir()
    const store = openTestStore({ dataDir: dir })
    try {
      expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1)
      expect(() =>
        store.db
          .prepare("INSERT INTO login_setups (id, short_id, experiment, name, backend, creator, creator_role, created_at, updated_at) VALUES ('x', 'l-AAAAAA', 'nope', 'n', 'local', 'u', 'production', 1, 1)")
          .run(),
      ).toThrow(/FOREIGN KEY/)
      expect(store.file).toBe(join(dir, STORE_FILE))
    } finally {
      store.close()
    }
  })

  it('makes no backup', () => {
    const dir = freshDir()
    openTestStore({ dataDir: dir }).close()
    expect(backups(dir)).toEqual([])
  })
})

describe('re-opening', () => {
  it('is idempotent: same version, data kept, no backup', () => {
    const dir = freshDir()
    const first = openTestStore({ dataDir: dir })
    first.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', '\"v\"', 1)").run()
    first.close()
    const second = openTestStore({ dataDir: dir })
    try {
      expect(second.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION)
      expect(second.db.prepare("SELECT value FROM settings WHERE key = 'k'").pluck().get()).toBe('"v"')
    } finally {
      second.close()
    }
    expect(backups(dir)).toEqual([])
  })
})

describe('a store from a newer version', () => {
  it('is refused, naming both versions, and left untouched', () => {
    const dir = freshDir()
    const file = join(dir, STORE_FILE)
    openTestStore({ dataDir: dir }).close()
    const newer = LATEST_SCHEMA_VERSION + 5
    const raw = new BetterSqlite3(file)
    raw.pragma(`user_version = ${newer}`)
    raw.close()
    expect(existsSync(`${file}-wal`)).toBe(false)
    const past = new Date('2020-01-02T03:04:05Z')
    utimesSync(file, past, past)
    const before = { bytes: createHash('sha256').update(readFileSync(file)).digest('hex'), stat: statSync(file) }

    const err = thrown(() => openTestStore({ dataDir: dir }))
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('UNAVAILABLE')
    expect((err as AppError).message).toContain(`schema ${newer}`)
    expect((err as AppError).message).toContain(`knows up to ${LATEST_SCHEMA_VERSION}`)
    expect((err as AppError).details).toMatchObject({ found: newer, known: LATEST_SCHEMA_VERSION })

    const after = statSync(file)
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(before.bytes)
    expect(after.size).toBe(before.stat.size)
    expect(after.mtimeMs).toBe(before.stat.mtimeMs)
    expect(existsSync(`${file}-wal`)).toBe(false)
    expect(existsSync(`${file}-shm`)).toBe(false)
    expect(backups(dir)).toEqual([])
    // The refusal releases the lock it took.
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
  })

  it('is refused even when its new version sits in a -wal file left by a crash', () => {
    const source = freshDir()
    openTestStore({ dataDir: source }).close()
    const raw = new BetterSqlite3(join(source, STORE_FILE))
    raw.pragma('wal_autocheckpoint = 0')
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`)
    // Copy the files as a crash would leave them: the header still says the old version.
    const dir = freshDir()
    for (const suffix of ['', '-wal']) copyFileSync(join(source, STORE_FILE + suffix), join(dir, STORE_FILE + suffix))
    raw.close()
    expect(readFileSync(join(dir, STORE_FILE)).readInt32BE(60)).toBe(LATEST_SCHEMA_VERSION)

    const err = thrown(() => openTestStore({ dataDir: dir }))
    expect((err as AppError).code).toBe('UNAVAILABLE')
    expect((err as AppError).message).toContain(`schema ${LATEST_SCHEMA_VERSION + 1}`)
  })

  it('is refused by a custom migration list too', () => {
    const dir = freshDir()
    openTestStore({ dataDir: dir, migrations: [m1, m2] }).close()
    const err = thrown(() => openTestStore({ dataDir: dir, migrations: [m1] }))
    expect((err as AppError).code).toBe('UNAVAILABLE')
    expect((err as AppError).message).toMatch(/schema 2; this version knows up to 1/)
    expect(userVersion(join(dir, STORE_FILE))).toBe(2)
  })
})

describe('migrating an older store', () => {
  it('backs it up as .bak-v<from>-v<to> first, then migrates', () => {
    const dir = freshDir()
    const file = join(dir, STORE_FILE)
    const old = openTestStore({ dataDir: dir, migrations: [m1] })
    old.db.prepare("INSERT INTO t (a) VALUES ('kept')").run()
    old.close()

    const store = openTestStore({ dataDir: dir, migrations: [m1, m2] })
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(2)
      expect(store.db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'kept', b: null }])
    } finally {
      store.close()
    }
    expect(backups(dir)).toEqual([`${STORE_FILE}.bak-v1-v2`])
    const backup = new BetterSqlite3(`${file}.bak-v1-v2`, { readonly: true })
    try {
      expect(backup.pragma('user_version', { simple: true })).toBe(1)
      expect(backup.prepare('SELECT * FROM t').all()).toEqual([{ id: 1, a: 'kept' }])
    } finally {
      backup.close()
    }
  })

  it('a failing migration leaves the version and schema as they were', () => {
    const dir = freshDir()
    const file = join(dir, STORE_FILE)
    openTestStore({ dataDir: dir, migrations: [m1] }).close()

    expect(() => openTestStore({ dataDir: dir, migrations: [m1, mBroken] })).toThrow('migration blew up')

    expect(userVersion(file)).toBe(1)
    const db = new BetterSqlite3(file, { readonly: true })
    try {
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()
      expect(tables).toEqual(['t'])
      expect((db.prepare('PRAGMA table_info(t)').all() as { name: string }[]).map((c) => c.name)).toEqual(['id', 'a'])
    } finally {
      db.close()
    }
    // Nothing stays locked or open: the store opens again and a fixed migration still applies,
    // keeping the first attempt's backup beside a new one.
    const store = openTestStore({ dataDir: dir, migrations: [m1, m2] })
    expect(store.db.pragma('user_version', { simple: true })).toBe(2)
    store.close()
    expect(backups(dir).sort()).toEqual([`${STORE_FILE}.bak-v1-v2`, `${STORE_FILE}.bak-v1-v2.1`])
  })

  it('refuses a migration list that is not strictly increasing', () => {
    expect(() => assertStrictlyIncreasing([m1, m1])).toThrow(/is not after/)
    expect(() => assertStrictlyIncreasing([m2, m1])).toThrow(/is not after/)
    expect(() => assertStrictlyIncreasing(MIGRATIONS)).not.toThrow()
    expect(() => openTestStore({ dataDir: freshDir(), migrations: [m2, m1] })).toThrow(/is not after/)
  })
})
