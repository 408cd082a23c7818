import type { EmuClock } from '../metacat/auth'

/**
 * Data Dispatcher's projects and file handles with their state machines (protocols.md §5.3,
 * data_dispatcher db.py @049f7164). The daemon's duties (worker time-outs, abandoning idle
 * projects) run in `tick()`, which the server calls before every request.
 */

export const HANDLE_STATES = ['initial', 'reserved', 'done', 'failed'] as const
export type HandleState = (typeof HANDLE_STATES)[number]
export type ProjectState = 'active' | 'done' | 'failed' | 'cancelled' | 'held' | 'abandoned'

export interface DDHandle {
  project_id: number
  namespace: string
  name: string
  state: HandleState
  worker_id: string | null
  attempts: number
  attributes: Record<string, unknown>
  reserved_since: number | null
}

export interface DDProject {
  project_id: number
  owner: string
  state: ProjectState
  retry_count: number | null
  attributes: Record<string, unknown>
  created_timestamp: number
  ended_timestamp: number | null
  query: string | null
  worker_timeout: number | null
  idle_timeout: number | null
  users: string[]
  roles: string[]
  handles: DDHandle[]
  /** The last handle or project event: the idle time-out counts from here. */
  lastActivity: number
}

export interface DDReplica {
  rse: string
  path: string
  url: string
  preference: number
  available: boolean
}

export interface DDRse {
  name: string
  description: string
  is_enabled: boolean
  is_available: boolean
  is_tape: boolean
  preference: number
}

export interface NewFile {
  namespace: string
  name: string
  attributes?: Record<string, unknown>
}

/** JSON containment of one attribute value (Postgres `@>`), enough for the /projects attribute filter. */
function contains(have: unknown, want: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.every((w) => have.some((h) => contains(h, w)))
  if (want !== null && typeof want === 'object') {
    if (have === null || typeof have !== 'object' || Array.isArray(have)) return false
    return Object.entries(want).every(([k, v]) => contains((have as Record<string, unknown>)[k], v))
  }
  return have === want
}

export class Dispatcher {
  readonly projects = new Map<number, DDProject>()
  readonly rses = new Map<string, DDRse>()
  /** Replicas by `ns:name`, as the daemon would have synced them from Rucio. */
  readonly replicas = new Map<string, DDReplica[]>()
  private nextId = 1

  constructor(
    readonly clock: EmuClock,
    /** Replicas of files nobody set explicitly (null: such files have none, and never get handed out). */
    private readonly defaultReplica: ((namespace: string, name: string) => DDReplica[]) | null,
  ) {}

  addRse(name: string, opts: Partial<Omit<DDRse, 'name'>> = {}): DDRse {
    const rse: DDRse = { name, description: '', is_enabled: true, is_available: true, is_tape: false, preference: 0, ...opts }
    this.rses.set(name, rse)
    return rse
  }

  setReplicas(namespace: string, name: string, replicas: DDReplica[]): void {
    this.replicas.set(`${namespace}:${name}`, replicas)
  }

  replicasOf(namespace: string, name: string): DDReplica[] {
    return this.replicas.get(`${namespace}:${name}`) ?? this.defaultReplica?.(namespace, name) ?? []
  }

  private availableReplica(h: DDHandle): boolean {
    return this.replicasOf(h.namespace, h.name).some((r) => {
      const rse = this.rses.get(r.rse)
      return r.available && rse !== undefined && rse.is_enabled && rse.is_available
    })
  }

  create(owner: string, spec: { files: NewFile[]; attributes?: Record<string, unknown>; query?: string | null; worker_timeout?: number | null; idle_timeout?: number | null; users?: string[]; roles?: string[] }): DDProject {
    const now = this.clock.now()
    const p: DDProject = {
      project_id: this.nextId++,
      owner,
      state: 'active',
      retry_count: null,
      attributes: { ...(spec.attributes ?? {}) },
      created_timestamp: now,
      ended_timestamp: null,
      query: spec.query ?? null,
      worker_timeout: spec.worker_timeout ?? null,
      idle_timeout: spec.idle_timeout ?? null,
      users: spec.users ?? [],
      roles: spec.roles ?? [],
      handles: [],
      lastActivity: now,
    }
    const seen = new Set<string>()
    for (const f of spec.files) {
      const key = `${f.namespace}:${f.name}`
      if (seen.has(key)) continue
      seen.add(key)
      p.handles.push({ project_id: p.project_id, namespace: f.namespace, name: f.name, state: 'initial', worker_id: null, attempts: 0, attributes: { ...(f.attributes ?? {}) }, reserved_since: null })
    }
    this.projects.set(p.project_id, p)
    return p
  }

  list(filter: { owner: string | null; state: string | null; notState: string | null; attributes: Record<string, unknown> | null }): DDProject[] {
    return [...this.projects.values()]
      .filter(
        (p) =>
          (filter.owner === null || p.owner === filter.owner) &&
          (filter.state === null || p.state === filter.state) &&
          (filter.notState === null || p.state !== filter.notState) &&
          (filter.attributes === null || Object.entries(filter.attributes).every(([k, v]) => contains(p.attributes[k], v))),
      )
      .sort((a, b) => a.project_id - b.project_id)
  }

  /** db.py is_active: active, and some handle is neither done nor failed. */
  isActive(p: DDProject): boolean {
    return p.state === 'active' && !p.handles.every((h) => h.state === 'done' || h.state === 'failed')
  }

  authorized(p: DDProject, username: string): boolean {
    return p.owner === username || p.users.includes(username)
  }

  private touch(p: DDProject): void {
    p.lastActivity = this.clock.now()
  }

  /** reserve_for_worker: the initial handle with the fewest attempts that has an available replica (unless virtual). */
  reserve(p: DDProject, workerId: string): { handle: DDHandle | null; reason: string; retry: boolean } {
    const virtual = p.attributes.virtual === true
    const candidates = p.handles.filter((h) => h.state === 'initial' && (virtual || this.availableReplica(h)))
    const pick = candidates.reduce<DDHandle | null>((best, h) => (best === null || h.attempts < best.attempts ? h : best), null)
    if (pick) {
      pick.state = 'reserved'
      pick.worker_id = workerId
      pick.attempts++
      pick.reserved_since = this.clock.now()
      this.touch(p)
      return { handle: pick, reason: 'reserved', retry: false }
    }
    return this.isActive(p) ? { handle: null, reason: 'retry', retry: true } : { handle: null, reason: 'project inactive', retry: false }
  }

  /** release_handle: done, back to initial (failed with retry) or failed; ends the project when nothing is left. */
  release(p: DDProject, namespace: string, name: string, failed: boolean, retry: boolean): DDHandle | null {
    const h = p.handles.find((x) => x.namespace === namespace && x.name === name)
    if (!h || h.state !== 'reserved') return null
    h.state = failed ? (retry ? 'initial' : 'failed') : 'done'
    h.worker_id = null
    this.touch(p)
    if (p.state === 'active' && !this.isActive(p)) {
      p.state = p.handles.some((x) => x.state === 'failed') ? 'failed' : 'done'
      p.ended_timestamp = this.clock.now()
    }
    return h
  }

  /** restart_handles: chosen handles back to initial; a finished project becomes active again. */
  restartHandles(p: DDProject, sel: { states?: HandleState[]; dids?: string[] }): void {
    const states = new Set(sel.states ?? [])
    const dids = new Set(sel.dids ?? [])
    for (const h of p.handles) {
      if (dids.has(`${h.namespace}:${h.name}`) || states.has(h.state)) {
        h.state = 'initial'
        h.worker_id = null
      }
    }
    this.touch(p)
    if (p.state !== 'active' && !p.handles.every((h) => h.state === 'done' || h.state === 'failed')) {
      p.state = 'active'
      p.ended_timestamp = null
    }
  }

  cancel(p: DDProject): void {
    if (p.state !== 'cancelled') {
      p.state = 'cancelled'
      p.ended_timestamp = this.clock.now()
    }
  }

  activate(p: DDProject): void {
    if (p.state !== 'active') p.state = 'active'
    this.touch(p)
  }

  /**
   * The daemon: reservations older than the worker time-out go back to initial (or to failed when the
   * project's `retry_on_timeout` attribute is not 'True'), and active projects idle longer than their
   * idle time-out become abandoned. A time-out of 0 or null means none.
   */
  tick(): void {
    const now = this.clock.now()
    for (const p of this.projects.values()) {
      if (p.worker_timeout) {
        for (const h of p.handles) {
          if (h.state === 'reserved' && h.reserved_since !== null && h.reserved_since < now - p.worker_timeout) {
            h.state = (p.attributes.retry_on_timeout ?? 'True') === 'True' ? 'initial' : 'failed'
            h.worker_id = null
            h.attributes.timeouts = Number(h.attributes.timeouts ?? 0) + 1
            p.lastActivity = now
          }
        }
      }
      if (p.state === 'active' && p.idle_timeout && now - p.lastActivity > p.idle_timeout) p.state = 'abandoned'
    }
  }

  handleJson(h: DDHandle, withReplicas: boolean): Record<string, unknown> {
    const { project_id, namespace, name, state, worker_id, attempts, attributes, reserved_since } = h
    const out: Record<string, unknown> = { project_id, namespace, name, state, worker_id, attempts, attributes, reserved_since }
    if (withReplicas) {
      out.replicas = Object.fromEntries(
        this.replicasOf(namespace, name).map((r) => [
          r.rse,
          { name, namespace, path: r.path, rse: r.rse, url: r.url, urls: [r.url], preference: r.preference, available: r.available, rse_available: this.rses.get(r.rse)?.is_available ?? false },
        ]),
      )
    }
    return out
  }

  projectJson(p: DDProject, withHandles: boolean, withReplicas: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {
      project_id: p.project_id,
      owner: p.owner,
      state: p.state,
      retry_count: p.retry_count,
      attributes: p.attributes,
      created_timestamp: p.created_timestamp,
      ended_timestamp: p.ended_timestamp,
      active: this.isActive(p),
      query: p.query,
      worker_timeout: p.worker_timeout,
      idle_timeout: p.idle_timeout,
      users: p.users,
      roles: p.roles,
    }
    if (withHandles || withReplicas) out.file_handles = p.handles.map((h) => this.handleJson(h, withReplicas))
    return out
  }
}
