import { EmuClock, TokenAuthority } from '../metacat/auth'
import { Faults, reply, serve, text, type EmuReply, type EmuRequest } from '../metacat/http-kit'
import { Dispatcher, HANDLE_STATES, type DDProject, type DDReplica, type HandleState, type NewFile } from './state'

/**
 * A Data Dispatcher server (protocols.md §5, data_dispatcher web_server/data_server.py @049f7164):
 * the handler methods under `<origin>/<experiment>_dd/data/<method>`, answering `text/json` or text
 * errors, with MetaCat's tokens.
 */

export interface DataDispatcherEmulatorOptions {
  /** Share the MetaCat emulator's auth (as the real services share MetaCat's auth server). */
  auth?: TokenAuthority
  clock?: EmuClock
  admins?: string[]
  experiment?: string
  /**
   * Replicas of files no test set explicitly: by default each has one available replica on the
   * enabled disk RSE `EMU_DISK`; `null` gives them none, so that only virtual projects hand them out.
   */
  defaultReplica?: ((namespace: string, name: string) => DDReplica[]) | null
}

export interface DataDispatcherEmulator {
  /** DATA_DISPATCHER_URL: the client calls `<url>/<method>`. */
  url: string
  dispatcher: Dispatcher
  auth: TokenAuthority
  clock: EmuClock
  faults: Faults
  log: string[]
  close(): Promise<void>
}

const textJson = (value: unknown, status = 200): EmuReply => reply(status, JSON.stringify(value), 'text/json')

export async function startDataDispatcherEmulator(opts: DataDispatcherEmulatorOptions = {}): Promise<DataDispatcherEmulator> {
  const clock = opts.clock ?? opts.auth?.clock ?? new EmuClock()
  const auth = opts.auth ?? new TokenAuthority(clock)
  const dflt =
    opts.defaultReplica === undefined
      ? (namespace: string, name: string): DDReplica[] => [{ rse: 'EMU_DISK', path: `/pnfs/emu/${namespace}/${name}`, url: `root://emu.invalid//pnfs/emu/${namespace}/${name}`, preference: 0, available: true }]
      : opts.defaultReplica
  const dispatcher = new Dispatcher(clock, dflt)
  dispatcher.addRse('EMU_DISK')
  const admins = new Set(opts.admins ?? ['admin'])
  const faults = new Faults()
  const log: string[] = []
  const prefix = `/${opts.experiment ?? 'emu'}_dd/data/`

  type Authed = { username: string; admin: boolean }
  const who = (req: EmuRequest): Authed | EmuReply => {
    const u = auth.userFromRequest(req.headers)
    return 'username' in u ? { username: u.username, admin: admins.has(u.username) } : text(u.error, 401)
  }
  const isReply = (x: unknown): x is EmuReply => typeof x === 'object' && x !== null && 'status' in x && 'contentType' in x

  const body = (req: EmuRequest): Record<string, unknown> => {
    const parsed: unknown = JSON.parse(req.body || '{}')
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('expected a JSON object')
    return parsed as Record<string, unknown>
  }

  /** The project named by `project_id`, checked for existence and (when `owner`) for its owner. */
  function project(id: unknown, user: Authed | null, ownerOnly: boolean): DDProject | EmuReply {
    if (id === null || id === undefined || id === '') return text('Project id must be specified', 400)
    const p = dispatcher.projects.get(Number(id))
    if (!p) return text('Project not found', 404)
    if (ownerOnly && user && user.username !== p.owner && !user.admin) return text('Forbidden', 403)
    return p
  }

  function route(method: string, req: EmuRequest): EmuReply {
    dispatcher.tick()
    const q = req.query
    switch (method) {
      case 'version':
        return text('2.0.4-emulator')
      case 'probe':
        return text('OK')
      case 'create_project': {
        const u = who(req)
        if (isReply(u)) return u
        const specs = body(req)
        const files: NewFile[] = []
        for (const f of (specs.files as unknown[]) ?? []) {
          if (typeof f === 'string') {
            const parts = f.split(':')
            if (parts.length !== 2) return text(`Invalid file specification: ${f} - can not parse as namespace:name`, 400)
            files.push({ namespace: parts[0]!, name: parts[1]! })
          } else if (f && typeof f === 'object') {
            const o = f as Record<string, unknown>
            if (typeof o.namespace !== 'string' || typeof o.name !== 'string') return text(`Invalid file specification: ${JSON.stringify(f)} - namespace or name missing`, 400)
            const attrs = o.attributes ?? {}
            if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) return text(`Invalid file specification: ${JSON.stringify(f)} - invalid file attributes specification, expected a dictionary`, 400)
            files.push({ namespace: o.namespace, name: o.name, attributes: attrs as Record<string, unknown> })
          } else return text(`Invalid file specification: ${JSON.stringify(f)} - unsupported type`, 400)
        }
        const p = dispatcher.create(u.username, {
          files,
          attributes: (specs.project_attributes as Record<string, unknown>) ?? {},
          query: (specs.query as string | undefined) ?? null,
          worker_timeout: (specs.worker_timeout as number | null | undefined) ?? null,
          idle_timeout: (specs.idle_timeout as number | null | undefined) ?? null,
          users: (specs.users as string[] | undefined) ?? [],
          roles: (specs.roles as string[] | undefined) ?? [],
        })
        return textJson(dispatcher.projectJson(p, true, false))
      }
      case 'copy_project': {
        const u = who(req)
        if (isReply(u)) return u
        const specs = body(req)
        const orig = project(specs.project_id, null, false)
        if (isReply(orig)) return orig
        const fileAttrs = (specs.file_attributes as Record<string, unknown>) ?? {}
        const timeout = (v: unknown, fallback: number | null) => (typeof v === 'number' ? v : v === 'no timeout' ? null : fallback)
        const p = dispatcher.create(u.username, {
          files: orig.handles.map((h) => ({ namespace: h.namespace, name: h.name, attributes: { ...h.attributes, ...fileAttrs } })),
          attributes: { ...orig.attributes, ...((specs.project_attributes as Record<string, unknown>) ?? {}) },
          query: orig.query,
          worker_timeout: timeout(specs.worker_timeout, orig.worker_timeout),
          idle_timeout: timeout(specs.idle_timeout, orig.idle_timeout),
        })
        return textJson(dispatcher.projectJson(p, true, false))
      }
      case 'project': {
        if (!q.get('project_id')) return text('Project id must be specified', 400)
        const p = project(q.get('project_id'), null, false)
        if (isReply(p)) return p
        return textJson(dispatcher.projectJson(p, (q.get('with_files') ?? 'yes') === 'yes', (q.get('with_replicas') ?? 'yes') === 'yes'))
      }
      case 'projects': {
        const u = who(req)
        if (isReply(u)) return u
        // data_server.py projects: without `owner`, only the caller's own projects; `owner=all` for everyone's.
        const ownerParam = q.get('owner')
        const owner = ownerParam === null ? u.username : ownerParam === 'all' ? null : ownerParam
        const attrText = q.get('attributes')
        const attributes = attrText ? (JSON.parse(attrText) as Record<string, unknown>) : null
        const list = dispatcher.list({ owner, state: q.get('state'), notState: q.get('not_state'), attributes })
        const withHandles = (q.get('with_handles') ?? 'yes') === 'yes'
        const withReplicas = (q.get('with_replicas') ?? 'yes') === 'yes'
        return textJson(list.map((p) => dispatcher.projectJson(p, withHandles, withReplicas)))
      }
      case 'handles': {
        const p = project(q.get('project_id'), null, false)
        if (isReply(p)) return p
        const state = q.get('state')
        const notState = q.get('not_state')
        const withReplicas = q.get('with_replicas') === 'yes'
        return textJson(p.handles.filter((h) => (state === null || h.state === state) && (notState === null || h.state !== notState)).map((h) => dispatcher.handleJson(h, withReplicas)))
      }
      case 'project_files': {
        const p = project(q.get('project_id'), null, false)
        if (isReply(p)) return p
        const state = q.get('state')
        return textJson(p.handles.filter((h) => state === null || h.state === state).map((h) => dispatcher.handleJson(h, false)))
      }
      case 'file_handle': {
        const p = project(q.get('project_id'), null, false)
        if (isReply(p)) return p
        const did = q.get('name') ?? ''
        const [namespace, name] = did.includes(':') ? did.split(':', 2) : [q.get('namespace'), did]
        if (!namespace) return text('File namespace unspecified', 400)
        const h = p.handles.find((x) => x.namespace === namespace && x.name === name)
        return h ? textJson(dispatcher.handleJson(h, true)) : reply(200, 'null', 'text/json')
      }
      case 'activate_project':
      case 'cancel_project':
      case 'delete_project': {
        if (!q.get('project_id')) return text('Project id must be specified', 400)
        const u = who(req)
        if (isReply(u)) return u
        const p = project(q.get('project_id'), u, true)
        if (isReply(p)) return p
        if (method === 'delete_project') {
          dispatcher.projects.delete(p.project_id)
          return reply(200, 'null', 'text/json')
        }
        if (method === 'activate_project') dispatcher.activate(p)
        else dispatcher.cancel(p)
        return textJson(dispatcher.projectJson(p, false, true))
      }
      case 'restart_handles': {
        const params = body(req)
        if (!params.project_id) return text('Project id must be specified', 400)
        const u = who(req)
        if (isReply(u)) return u
        const p = project(params.project_id, u, true)
        if (isReply(p)) return p
        if (Array.isArray(params.handles)) dispatcher.restartHandles(p, { dids: params.handles as string[] })
        else dispatcher.restartHandles(p, { states: HANDLE_STATES.filter((s) => params[s] === true) as HandleState[] })
        return textJson(dispatcher.projectJson(p, true, true))
      }
      case 'next_file': {
        const u = who(req)
        if (isReply(u)) return u
        const workerId = q.get('worker_id')
        if (workerId === null || q.get('project_id') === null) return text('Project ID and Worker ID must be specified', 400)
        const p = project(q.get('project_id'), null, false)
        if (isReply(p)) return p
        if (!(u.admin || dispatcher.authorized(p, u.username))) return text('Not authorized', 403)
        if (p.state === 'abandoned') dispatcher.activate(p)
        else if (p.state !== 'active') return text(`Inactive project. State=${p.state}`, 400)
        const got = dispatcher.reserve(p, workerId)
        if (!got.handle) return textJson({ handle: null, reason: got.reason, retry: got.retry })
        const virtual = p.attributes.virtual === true
        const info = dispatcher.handleJson(got.handle, !virtual)
        // next_file hands out only usable replicas, with a preference/proximity per replica.
        const replicas = (info.replicas ?? {}) as Record<string, { available: boolean; rse_available: boolean }>
        info.replicas = Object.fromEntries(Object.entries(replicas).filter(([, r]) => r.available && r.rse_available).map(([k, r]) => [k, { ...r, preference: null, proximity: null }]))
        info.project_attributes = p.attributes
        return textJson({ handle: info, reason: 'reserved', retry: false })
      }
      case 'release': {
        const handleId = q.get('handle_id')
        if (handleId === null) return text('File Handle ID (<project_id>:<namespace>:<name>) must be specified', 400)
        const u = who(req)
        if (isReply(u)) return u
        const [pid, namespace, ...rest] = handleId.split(':')
        const p = project(pid, null, false)
        if (isReply(p)) return p
        if (!u.admin && u.username !== p.owner) return text('Not authorized', 403)
        const name = rest.join(':')
        const h = p.handles.find((x) => x.namespace === namespace && x.name === name)
        const workerId = q.get('worker_id')
        if (workerId && h && h.worker_id !== workerId) return text('Not authorized: wrong worker_id', 403)
        const released = dispatcher.release(p, namespace ?? '', name, q.get('failed') === 'yes', (q.get('retry') ?? 'yes') === 'yes')
        if (!released) return text('Handle not found or was not reserved', 404)
        if (p.state === 'abandoned') dispatcher.activate(p)
        return textJson(dispatcher.handleJson(released, false))
      }
      case 'rses':
        return textJson([...dispatcher.rses.values()])
      case 'get_rse': {
        const name = q.get('name') ?? ''
        const rse = dispatcher.rses.get(name)
        return rse ? textJson(rse) : text(`RSE ${name} not found`, 404)
      }
      default:
        return text('Not found', 404)
    }
  }

  const server = await serve(
    (req) => {
      if (!req.path.startsWith(prefix)) return text('Not found', 404)
      try {
        return route(req.path.slice(prefix.length), req)
      } catch (err) {
        // A body that is not JSON makes the real server's json.loads raise: an uncaught 500.
        if (err instanceof SyntaxError) return text(`Internal Server Error: ${err.message}`, 500)
        throw err
      }
    },
    faults,
    log,
  )
  return { url: `${server.origin}${prefix.slice(0, -1)}`, dispatcher, auth, clock, faults, log, close: server.close }
}
