import type { Database } from 'better-sqlite3'
import type { Page } from '../../../shared/api/paging'
import { AppError, badInput } from '../../../shared/errors'
import { uniqueShortId, type ShortIdKind } from './ids'
import { decodeCursor, encodeCursor, fromBool, isUniqueViolation, parseJson, toBool } from './row-codec'

/** How a domain field is stored: as is, as 0/1, or as JSON text. */
export type Codec = 'plain' | 'bool' | 'json'
export interface Column {
  column: string
  codec?: Codec
}

/** The fields every editable, syncable entity carries (see StoredMeta in shared/domain/common.ts). */
export interface EntityMeta {
  id: string
  shortId: string
  experiment: string
  rev: number
  createdAt: number
  updatedAt: number
  creator: string
  creatorRole: string
  updater: string | null
}

const META_COLUMNS: Record<keyof EntityMeta, string> = {
  id: 'id',
  shortId: 'short_id',
  experiment: 'experiment',
  rev: 'rev',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  creator: 'creator',
  creatorRole: 'creator_role',
  updater: 'updater',
}

export interface EntityTableSpec<T extends EntityMeta> {
  table: string
  shortIdKind: ShortIdKind
  /** Singular noun for messages: "campaign". */
  label: string
  /** Where names must be unique, for messages: "experiment" or "campaign". */
  nameScope: string
  fields: { [K in Exclude<keyof T, keyof EntityMeta>]: Column }
  /** The message for a unique-index clash when it is not about the name. */
  describeClash?: (row: Record<string, unknown>) => { path: string; message: string }
}

export type SortSpec = { column: string; direction: 'asc' | 'desc' }
export type Condition = { sql: string; params: unknown[] }

export interface ListQuery {
  conditions: Condition[]
  sort: SortSpec
  cursor: string | null
  limit: number
}

/**
 * The SQL every editable entity shares — get by id or short id, keyset-paged lists, insert,
 * optimistic-concurrency update and tombstone delete — generated once from a column map.
 */
export function createEntityTable<T extends EntityMeta>(db: Database, spec: EntityTableSpec<T>) {
  const fieldEntries = Object.entries(spec.fields) as [string, Column][]
  const allColumns: [string, Column][] = [
    ...Object.entries(META_COLUMNS).map(([field, column]) => [field, { column }] as [string, Column]),
    ...fieldEntries,
  ]
  const selectList = allColumns.map(([, c]) => c.column).join(', ')

  const decode = (row: Record<string, unknown>): T => {
    const entity: Record<string, unknown> = {}
    for (const [field, c] of allColumns) {
      const raw = row[c.column]
      entity[field] = raw === null ? null : c.codec === 'bool' ? toBool(raw) : c.codec === 'json' ? parseJson(raw) : raw
    }
    return entity as T
  }
  const encode = (c: Column, value: unknown): unknown =>
    value === null || value === undefined ? null : c.codec === 'bool' ? fromBool(value as boolean) : c.codec === 'json' ? JSON.stringify(value) : value

  const getStmt = db.prepare(
    `SELECT ${selectList} FROM ${spec.table} WHERE experiment = ? AND (id = ? OR short_id = ?) AND deleted_at IS NULL`,
  )
  const shortIdTaken = db.prepare(`SELECT 1 FROM ${spec.table} WHERE short_id = ?`).pluck()
  const insertStmt = db.prepare(
    `INSERT INTO ${spec.table} (${allColumns.map(([, c]) => c.column).join(', ')}) VALUES (${allColumns.map(() => '?').join(', ')})`,
  )
  const revStmt = db.prepare(`SELECT rev FROM ${spec.table} WHERE experiment = ? AND id = ? AND deleted_at IS NULL`).pluck()

  const clash = (row: Record<string, unknown>): AppError => {
    if (spec.describeClash) {
      const { path, message } = spec.describeClash(row)
      return badInput(message, [{ path, message }])
    }
    return badInput(`a ${spec.label} named "${String(row.name)}" already exists in this ${spec.nameScope}`, [
      { path: 'value.name', message: `already used by another ${spec.label} in this ${spec.nameScope}` },
    ])
  }

  function staleOrMissing(experiment: string, id: string, expectedRev: number): AppError {
    const current = revStmt.get(experiment, id) as number | undefined
    if (current === undefined) return new AppError('NOT_FOUND', `${spec.label} ${id} was not found`)
    return new AppError(
      'CONFLICT',
      `this ${spec.label} was changed by someone else (revision ${current}, you edited revision ${expectedRev}); reload it and try again`,
      { details: { currentRev: current, expectedRev } },
    )
  }

  return {
    decode,

    get(experiment: string, ref: string): T | null {
      const row = getStmt.get(experiment, ref, ref) as Record<string, unknown> | undefined
      return row ? decode(row) : null
    },

    require(experiment: string, ref: string): T {
      const row = getStmt.get(experiment, ref, ref) as Record<string, unknown> | undefined
      if (!row) throw new AppError('NOT_FOUND', `${spec.label} ${ref} was not found in ${experiment}`)
      return decode(row)
    },

    list(experiment: string, query: ListQuery): Page<T> {
      const where = ['experiment = ?', 'deleted_at IS NULL', ...query.conditions.map((c) => c.sql)]
      const params: unknown[] = [experiment, ...query.conditions.flatMap((c) => c.params)]
      const { column, direction } = query.sort
      const cmp = direction === 'asc' ? '>' : '<'
      if (query.cursor) {
        const { sortValue, id } = decodeCursor(query.cursor)
        where.push(`(${column} ${cmp} ? OR (${column} = ? AND id ${cmp} ?))`)
        params.push(sortValue, sortValue, id)
      }
      const rows = db
        .prepare(
          `SELECT ${selectList} FROM ${spec.table} WHERE ${where.join(' AND ')} ORDER BY ${column} ${direction}, id ${direction} LIMIT ?`,
        )
        .all(...params, query.limit + 1) as Record<string, unknown>[]
      const more = rows.length > query.limit
      const items = rows.slice(0, query.limit).map(decode)
      const last = rows[query.limit - 1]
      return { items, nextCursor: more && last ? encodeCursor(last[column] as string | number, last.id as string) : null }
    },

    /** Adds a row; `shortId` is assigned here when the entity carries an empty one. */
    insert(entity: T): T {
      const row = { ...entity } as Record<string, unknown>
      if (!row.shortId) row.shortId = uniqueShortId(spec.shortIdKind, (c) => shortIdTaken.get(c) !== undefined)
      try {
        insertStmt.run(...allColumns.map(([field, c]) => encode(c, row[field])))
      } catch (err) {
        if (isUniqueViolation(err)) throw clash(row)
        throw err
      }
      return row as T
    },

    update(
      experiment: string,
      id: string,
      expectedRev: number,
      changes: Partial<Omit<T, keyof EntityMeta>>,
      updater: string,
      now: number,
    ): T {
      const set = Object.keys(changes).filter((f) => f in spec.fields)
      const columns = set.map((f) => (spec.fields as Record<string, Column>)[f]!)
      const sql =
        `UPDATE ${spec.table} SET ${[...columns.map((c) => `${c.column} = ?`), 'updater = ?', 'updated_at = ?', 'rev = rev + 1'].join(', ')} ` +
        'WHERE experiment = ? AND id = ? AND rev = ? AND deleted_at IS NULL'
      let changed: number
      try {
        changed = db
          .prepare(sql)
          .run(...set.map((f, i) => encode(columns[i]!, (changes as Record<string, unknown>)[f])), updater, now, experiment, id, expectedRev).changes
      } catch (err) {
        if (isUniqueViolation(err)) throw clash(changes as Record<string, unknown>)
        throw err
      }
      if (changed === 0) throw staleOrMissing(experiment, id, expectedRev)
      return this.require(experiment, id)
    },

    /** Tombstone: the row stays (for sync and history) with deleted_at set. */
    softDelete(experiment: string, id: string, expectedRev: number, updater: string, now: number): void {
      const changed = db
        .prepare(
          `UPDATE ${spec.table} SET deleted_at = ?, updater = ?, updated_at = ?, rev = rev + 1 WHERE experiment = ? AND id = ? AND rev = ? AND deleted_at IS NULL`,
        )
        .run(now, updater, now, experiment, id, expectedRev).changes
      if (changed === 0) throw staleOrMissing(experiment, id, expectedRev)
    },
  }
}

export type EntityTable<T extends EntityMeta> = ReturnType<typeof createEntityTable<T>>

/** Lookups by name, for entities whose names are unique among the live rows of an experiment. */
export function createNameIndex<T>(db: Database, table: string, decode: (row: Record<string, unknown>) => T) {
  const byName = db.prepare(`SELECT * FROM ${table} WHERE experiment = ? AND name = ? AND deleted_at IS NULL`)
  const names = db.prepare(`SELECT name FROM ${table} WHERE experiment = ? AND deleted_at IS NULL ORDER BY name`).pluck()
  return {
    getByName(experiment: string, name: string): T | null {
      const row = byName.get(experiment, name) as Record<string, unknown> | undefined
      return row ? decode(row) : null
    },
    /** Names of the live rows, sorted. */
    names: (experiment: string): string[] => names.all(experiment) as string[],
  }
}
