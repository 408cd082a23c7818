import type { Page } from '../../../shared/api/paging'
import { canModify, creatorRoleFor, type Owned } from '../../../shared/domain/roles'
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
  /** How audit entries and messages name an item: "generate", "generate → process". */
  describe(item: T): string
  /** The campaign whose configuration this entity is part of: every write records a revision of it. */
  campaignOf?(item: T): string | null
}

/**
 * Records a campaign's current configuration as its next revision, inside the caller's transaction.
 * Answers false when nothing was recorded (the campaign is gone, or its configuration did not change).
 */
export interface RevisionRecorder {
  record(actor: Actor, campaignId: string, summary: string): boolean
}

/** POMS's can_modify for configuration: FORBIDDEN unless the actor may change this item. */
export function assertMayChange(actor: Actor, entityType: string, description: string, item: Owned): void {
  if (!canModify(actor.username, actor.role, item)) {
    throw new AppError(
      'FORBIDDEN',
      `${actor.username} acting as ${actor.role} may not change ${entityType} ${description} (created by ${item.creator} as ${item.creatorRole})`,
    )
  }
}

/** Shifters operate campaigns; they do not author configuration. */
export function assertMayCreate(actor: Actor, entityType: string): void {
  if (actor.role === 'production-shifter') {
    throw new AppError('FORBIDDEN', `a production shifter may not create a ${entityType}; act as production or analysis`)
  }
}

/** The meta fields of an entity an actor creates now; the repository assigns the short id. */
export function newEntityMeta(actor: Actor, now: number): EntityMeta {
  return {
    id: newId(),
    shortId: '',
    experiment: actor.experiment,
    rev: 1,
    createdAt: now,
    updatedAt: now,
    creator: actor.username,
    creatorRole: creatorRoleFor(actor.role),
    updater: null,
  }
}

export interface ListRequest {
  conditions: Condition[]
  sort: '-updatedAt' | 'name'
  cursor: string | null
  limit: number
}

const SORTS = { name: { column: 'name', direction: 'asc' }, '-updatedAt': { column: 'updated_at', direction: 'desc' } } as const

/** Create, read, update and tombstone with roles, audit and events, the same for every editable entity. */
export function createCrudService<T extends EntityMeta, I>(deps: CoreDeps, opts: CrudOptions<T, I>, revisions?: RevisionRecorder) {
  const { db, clock, events, repos } = deps
  const emit = (experiment: string, ids: string[], revised: string[]) => {
    events.emit(opts.event, { experiment, ids })
    if (revised.length > 0) events.emit('revisions:changed', { experiment, ids: revised })
  }
  /** New revisions of the campaigns these items belong to (before and after an edit); their ids. */
  const revise = (actor: Actor, items: T[], summary: string): string[] => {
    if (!revisions || !opts.campaignOf) return []
    const campaignIds = new Set(items.map((item) => opts.campaignOf!(item)).filter((id): id is string => id !== null))
    return [...campaignIds].filter((id) => revisions.record(actor, id, summary))
  }

  const assertMayModify = (actor: Actor, item: T) => assertMayChange(actor, opts.entityType, opts.describe(item), item)

  return {
    list(actor: Actor, req: ListRequest): Page<T> {
      return opts.table.list(actor.experiment, { conditions: req.conditions, sort: SORTS[req.sort], cursor: req.cursor, limit: req.limit })
    },

    get: (actor: Actor, ref: string): T => opts.table.require(actor.experiment, ref),

    create(actor: Actor, input: I): T {
      assertMayCreate(actor, opts.entityType)
      const now = clock.now()
      const fields = opts.fields(input, null, actor.experiment)
      const { created, revised } = db.transaction(() => {
        opts.validate?.(actor.experiment, fields, null)
        const stored = opts.table.insert({ ...fields, ...newEntityMeta(actor, now) } as unknown as T)
        const summary = `created ${opts.entityType} ${opts.describe(stored)}`
        recordAudit(repos, clock, actor, 'create', { type: opts.entityType, id: stored.id }, summary)
        return { created: stored, revised: revise(actor, [stored], summary) }
      })()
      emit(actor.experiment, [created.id], revised)
      return created
    },

    update(actor: Actor, ref: string, expectedRev: number, input: I): T {
      const now = clock.now()
      const { updated, revised } = db.transaction(() => {
        const existing = opts.table.require(actor.experiment, ref)
        assertMayModify(actor, existing)
        const fields = opts.fields(input, existing, actor.experiment)
        opts.validate?.(actor.experiment, fields, existing)
        const stored = opts.table.update(actor.experiment, existing.id, expectedRev, fields, actor.username, now)
        recordAudit(repos, clock, actor, 'update', { type: opts.entityType, id: stored.id }, `updated ${opts.entityType} ${opts.describe(stored)} to revision ${stored.rev}`)
        return { updated: stored, revised: revise(actor, [existing, stored], `updated ${opts.entityType} ${opts.describe(stored)}`) }
      })()
      emit(actor.experiment, [updated.id], revised)
      return updated
    },

    delete(actor: Actor, ref: string, expectedRev: number): { id: string; deleted: true } {
      const now = clock.now()
      const { id, revised } = db.transaction(() => {
        const existing = opts.table.require(actor.experiment, ref)
        assertMayModify(actor, existing)
        opts.onDelete?.(actor, existing, now)
        opts.table.softDelete(actor.experiment, existing.id, expectedRev, actor.username, now)
        const summary = `deleted ${opts.entityType} ${opts.describe(existing)}`
        recordAudit(repos, clock, actor, 'delete', { type: opts.entityType, id: existing.id }, summary)
        return { id: existing.id, revised: revise(actor, [existing], summary) }
      })()
      emit(actor.experiment, [id], revised)
      return { id, deleted: true }
    },
  }
}
export type CrudService<T extends EntityMeta, I> = ReturnType<typeof createCrudService<T, I>>
