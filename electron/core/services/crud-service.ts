import type { Page } from '../../../shared/api/paging'
import { canModify, creatorRoleFor } from '../../../shared/domain/roles'
import { AppError } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Condition, EntityMeta, ListQuery } from '../store/entity-table'
import { newId } from '../store/ids'
import type { Actor } from './actor'
import { recordAudit } from './audit'

type ChangedEvent = 'loginSetups:changed' | 'jobTypes:changed' | 'campaigns:changed' | 'stages:changed' | 'dependencies:changed'

interface TableLike<T extends EntityMeta> {
  get(experiment: string, ref: string): T | null
  require(experiment: string, ref: string): T
  list(experiment: string, query: ListQuery): Page<T>
  insert(entity: T): T
  update(experiment: string, id: string, expectedRev: number, changes: Partial<Omit<T, keyof EntityMeta>>, updater: string, now: number): T
  softDelete(experiment: string, id: string, expectedRev: number, updater: string, now: number): void
}

export interface CrudOptions<T extends EntityMeta, I> {
  table: TableLike<T>
  /** "campaign", for audit entries and messages. */
  entityType: string
  event: ChangedEvent
  /** The editable fields from a parsed input; meta fields are added here. */
  fields(input: I, existing: T | null, experiment: string): Omit<T, keyof EntityMeta>
  /** Cross-entity checks (references exist, in the same experiment); throw BAD_INPUT. */
  validate?(experiment: string, fields: Omit<T, keyof EntityMeta>, existing: T | null): void
  /** Refuse a delete that would break something, or tombstone dependents too. */
  onDelete?(actor: Actor, item: T, now: number): void
  /** Other ids whose views change with this one (a stage's campaign, say). */
  describe(item: T): string
}

export interface ListRequest {
  conditions: Condition[]
  sort: '-updatedAt' | 'name'
  cursor: string | null
  limit: number
}

const SORTS = { name: { column: 'name', direction: 'asc' }, '-updatedAt': { column: 'updated_at', direction: 'desc' } } as const

/** Create, read, update and tombstone with roles, audit and events, the same for every editable entity. */
export function createCrudService<T extends EntityMeta, I>(deps: CoreDeps, opts: CrudOptions<T, I>) {
  const { db, clock, events, repos } = deps
  const emit = (experiment: string, ids: string[]) => events.emit(opts.event, { experiment, ids })

  const assertMayModify = (actor: Actor, item: T) => {
    if (!canModify(actor.username, actor.role, item)) {
      throw new AppError(
        'FORBIDDEN',
        `${actor.username} acting as ${actor.role} may not change ${opts.entityType} ${opts.describe(item)} (created by ${item.creator} as ${item.creatorRole})`,
      )
    }
  }

  return {
    list(actor: Actor, req: ListRequest): Page<T> {
      return opts.table.list(actor.experiment, { conditions: req.conditions, sort: SORTS[req.sort], cursor: req.cursor, limit: req.limit })
    },

    get: (actor: Actor, ref: string): T => opts.table.require(actor.experiment, ref),

    create(actor: Actor, input: I): T {
      if (actor.role === 'production-shifter') {
        throw new AppError('FORBIDDEN', `a production shifter may not create a ${opts.entityType}; act as production or analysis`)
      }
      const now = clock.now()
      const fields = opts.fields(input, null, actor.experiment)
      const created = db.transaction(() => {
        opts.validate?.(actor.experiment, fields, null)
        const entity = {
          ...fields,
          id: newId(),
          shortId: '',
          experiment: actor.experiment,
          rev: 1,
          createdAt: now,
          updatedAt: now,
          creator: actor.username,
          creatorRole: creatorRoleFor(actor.role),
          updater: null,
        } as unknown as T
        const stored = opts.table.insert(entity)
        recordAudit(repos, clock, actor, 'create', { type: opts.entityType, id: stored.id }, `created ${opts.entityType} ${opts.describe(stored)}`)
        return stored
      })()
      emit(actor.experiment, [created.id])
      return created
    },

    update(actor: Actor, ref: string, expectedRev: number, input: I): T {
      const now = clock.now()
      const updated = db.transaction(() => {
        const existing = opts.table.require(actor.experiment, ref)
        assertMayModify(actor, existing)
        const fields = opts.fields(input, existing, actor.experiment)
        opts.validate?.(actor.experiment, fields, existing)
        const stored = opts.table.update(actor.experiment, existing.id, expectedRev, fields, actor.username, now)
        recordAudit(repos, clock, actor, 'update', { type: opts.entityType, id: stored.id }, `updated ${opts.entityType} ${opts.describe(stored)} to revision ${stored.rev}`)
        return stored
      })()
      emit(actor.experiment, [updated.id])
      return updated
    },

    delete(actor: Actor, ref: string, expectedRev: number): { id: string; deleted: true } {
      const now = clock.now()
      const id = db.transaction(() => {
        const existing = opts.table.require(actor.experiment, ref)
        assertMayModify(actor, existing)
        opts.onDelete?.(actor, existing, now)
        opts.table.softDelete(actor.experiment, existing.id, expectedRev, actor.username, now)
        recordAudit(repos, clock, actor, 'delete', { type: opts.entityType, id: existing.id }, `deleted ${opts.entityType} ${opts.describe(existing)}`)
        return existing.id
      })()
      emit(actor.experiment, [id])
      return { id, deleted: true }
    },
  }
}
export type CrudService<T extends EntityMeta, I> = ReturnType<typeof createCrudService<T, I>>
