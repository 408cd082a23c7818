import { EmuClock, TokenAuthority } from './auth'
import { Catalog, CatalogError, type CatFile, type DeclareSpec } from './catalog'
import { Faults, reply, serve, text, type EmuReply, type EmuRequest } from './http-kit'
import { MqlError } from './mql/ast'
import { evaluateMql } from './mql/evaluate'
import { parseMql } from './mql/parse'

/**
 * A MetaCat server (protocols.md §4, metacat webserver/data_handler.py and auth_handler.py @0d5c44f7):
 * the auth service at `<origin>/auth/<experiment>` and the data server at `<origin>/<instance>/app`.
 */

export interface MetacatEmulatorOptions {
  clock?: EmuClock
  auth?: TokenAuthority
  /** Shuffle unordered query results (default on; see EvalOptions.shuffleSeed). */
  shuffleUnordered?: boolean
  admins?: string[]
  experiment?: string
}

export interface MetacatEmulator {
  /** METACAT_SERVER_URL: the client calls `<url>/data/<method>`. */
  url: string
  /** METACAT_AUTH_SERVER_URL: the client calls `<authUrl>/auth?method=…`. */
  authUrl: string
  catalog: Catalog
  auth: TokenAuthority
  clock: EmuClock
  faults: Faults
  /** `METHOD path` of every request, in order. */
  log: string[]
  close(): Promise<void>
}

const RS = '\u001e'
const json = (value: unknown, status = 200): EmuReply => reply(status, JSON.stringify(value), 'application/json')
/** `application/json-seq` (RFC 7464): RS, the JSON text, LF per record (data_handler.py json_stream). */
export const jsonSeq = (records: unknown[]): EmuReply => reply(200, records.map((r) => `${RS}${JSON.stringify(r)}\n`).join(''), 'application/json-seq')

/** common_handler.py sanitize "fname": parameter values outside this pattern are refused with 400. */
const FNAME = /^[a-z0-9_./-]+$/i
function sanitize(values: Record<string, string | null | undefined>): EmuReply | null {
  for (const [key, value] of Object.entries(values)) {
    if (value && !FNAME.test(value)) return text(`Invalid value for ${key}: ${value}`, 400)
  }
  return null
}

const yes = (v: string | null, dflt = false) => (v === null ? dflt : v === 'yes')

export async function startMetacatEmulator(opts: MetacatEmulatorOptions = {}): Promise<MetacatEmulator> {
  const clock = opts.clock ?? opts.auth?.clock ?? new EmuClock()
  const auth = opts.auth ?? new TokenAuthority(clock)
  const catalog = new Catalog(clock)
  const faults = new Faults()
  const log: string[] = []
  const admins = new Set(opts.admins ?? ['admin'])
  const experiment = opts.experiment ?? 'emu'
  const dataPrefix = `/${experiment}_meta/app/data/`
  const authPrefix = `/auth/${experiment}/`
  let queries = 0

  const user = (req: EmuRequest) => auth.userFromRequest(req.headers)

  const canWrite = (username: string, namespace: string): boolean | null => {
    const ns = catalog.namespaces.get(namespace)
    if (!ns) return null
    return admins.has(username) || ns.owner_user === username || ns.owner_role !== null
  }

  function authRoute(method: string, req: EmuRequest): EmuReply {
    switch (method) {
      case 'auth': {
        const how = req.query.get('method') ?? 'password'
        const username = req.query.get('username')
        if (how === 'token') {
          const m = /^bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')
          const subject = m ? auth.bearerUser(m[1]!) : null
          if (!subject || (username && username !== subject)) return text('Authentication failed\n', 401)
          return reply(200, '', 'text/plain', { 'X-Authentication-Token': auth.issue(subject) })
        }
        if (how === 'password' || how === 'ldap') {
          if (!username || !auth.checkPassword(username, req.body)) return text('Authentication failed\n', 401)
          return reply(200, '', 'text/plain', { 'X-Authentication-Token': auth.issue(username) })
        }
        // x509 needs the client certificate of an HTTPS connection, which this plain-HTTP emulator never has.
        return text('Authentication failed\n', 401)
      }
      case 'verify': {
        const u = user(req)
        return 'username' in u ? text('OK') : text(u.error, 401)
      }
      case 'whoami': {
        const u = user(req)
        return text('username' in u ? u.username : '')
      }
      default:
        return text('Not found', 404)
    }
  }

  function fileRef(body: unknown): { fid?: string; namespace?: string; name?: string } | null {
    if (typeof body === 'string') {
      const [namespace, name] = body.split(':', 2)
      return name === undefined ? { fid: body } : { namespace: namespace!, name }
    }
    if (body && typeof body === 'object') {
      const o = body as Record<string, unknown>
      if (typeof o.fid === 'string') return { fid: o.fid }
      if (typeof o.did === 'string') return fileRef(o.did)
      if (typeof o.namespace === 'string' && typeof o.name === 'string') return { namespace: o.namespace, name: o.name }
    }
    return null
  }

  const lookup = (ref: { fid?: string; namespace?: string; name?: string }): CatFile | undefined =>
    ref.fid !== undefined ? catalog.file(ref.fid) : catalog.fileByDid(ref.namespace!, ref.name!)

  function query(req: EmuRequest): EmuReply {
    const summary = req.query.get('summary')
    if (summary !== null && summary !== 'count' && summary !== 'keys') return text(`Unsupported summary type: ${summary}`, 400)
    const namespace = req.query.get('namespace')
    const bad = sanitize({ namespace })
    if (bad) return bad
    const src = req.query.get('query') ?? req.body
    const saveAs = req.query.get('save_as')
    const addTo = req.query.get('add_to')
    let writer: string | null = null
    if (saveAs || addTo) {
      const u = user(req)
      if (!('username' in u)) return text(u.error, 401)
      writer = u.username
    }
    if (src.trim() === '') return reply(200, '[]', 'application/json')
    let files: CatFile[]
    try {
      files = evaluateMql(catalog, parseMql(src), {
        defaultNamespace: namespace,
        includeRetired: yes(req.query.get('include_retired_files')),
        shuffleSeed: opts.shuffleUnordered === false ? null : 1 + queries++,
      })
    } catch (err) {
      if (err instanceof MqlError) return text(`${err.errorClass}: ${err.message}`, 400)
      throw err
    }
    if (summary === 'count') return json({ count: files.length, total_size: files.reduce((n, f) => n + f.size, 0) })
    if (summary === 'keys') return json([...new Set(files.flatMap((f) => Object.keys(f.metadata)))].sort())
    const target = saveAs ?? addTo
    if (target && writer) {
      const [ns, name] = target.includes(':') ? target.split(':', 2) : [namespace, target]
      if (!ns || !name) return text('Namespace not specified', 400)
      const allowed = canWrite(writer, ns)
      if (allowed === null) return text(`Namespace ${ns} does not exist`, 404)
      if (!allowed) return text(`Permission to create a dataset in the namespace ${ns} denied`, 403)
      if (saveAs) {
        if (catalog.dataset(`${ns}:${name}`)) return text(`Dataset ${ns}:${name} already exists`, 409)
        catalog.addDataset(ns, name, { creator: writer })
      } else if (!catalog.dataset(`${ns}:${name}`)) return text(`Dataset ${ns}:${name} does not exist`, 404)
      catalog.addToDataset(`${ns}:${name}`, files.map((f) => f.fid))
    }
    const withMeta = yes(req.query.get('with_meta'))
    const withProv = yes(req.query.get('with_provenance'))
    return jsonSeq(files.map((f) => catalog.fileJson(f, { metadata: withMeta, provenance: withProv })))
  }

  function declare(req: EmuRequest): EmuReply {
    const u = user(req)
    if (!('username' in u)) return text(u.error, 401)
    const dataset = req.query.get('dataset')
    if (!dataset) return text('Dataset not specified', 400)
    const dflt = req.query.get('namespace')
    const [dsNs, dsName] = dataset.includes(':') ? dataset.split(':', 2) : [dflt, dataset]
    if (!dsNs) return text('Namespace not specified', 400)
    const allowed = canWrite(u.username, dsNs)
    if (allowed === null) return text(`Namespace ${dsNs} does not exist`, 404)
    if (!allowed) return text(`Permission to add files to dataset ${dsNs}:${dsName} denied`, 403)
    let list: unknown
    try {
      list = req.body ? JSON.parse(req.body) : []
    } catch {
      return text('Invalid JSON in the request body', 400)
    }
    if (!Array.isArray(list) || list.length === 0) return text('Empty file list', 400)
    const specs: DeclareSpec[] = []
    for (const item of list as Record<string, unknown>[]) {
      const full = String(item.name ?? '')
      const [namespace, name] = full.includes(':') ? full.split(':', 2) : [typeof item.namespace === 'string' ? item.namespace : dflt, full]
      if (!namespace || !name) return text(`Namespace not specified for file ${full}`, 400)
      const parents = Array.isArray(item.parents)
        ? item.parents.map((p) => {
            const ref = fileRef(p)
            return ref?.fid ?? `${ref?.namespace}:${ref?.name}`
          })
        : []
      specs.push({
        namespace,
        name,
        ...(typeof item.fid === 'string' ? { fid: item.fid } : {}),
        size: typeof item.size === 'number' ? item.size : 0,
        metadata: (item.metadata as Record<string, unknown>) ?? {},
        checksums: (item.checksums as Record<string, string>) ?? {},
        parents,
        creator: u.username,
      })
    }
    const declared = catalog.declare(specs, `${dsNs}:${dsName}`)
    return json(declared.map((f) => catalog.fileJson(f, { metadata: true })))
  }

  function dataRoute(method: string, req: EmuRequest): EmuReply {
    switch (method) {
      case 'version':
        return text('3.47.1-emulator')
      case 'namespace': {
        const name = req.query.get('name')
        const bad = sanitize({ name })
        if (bad) return bad
        const ns = name ? catalog.namespaces.get(name) : undefined
        return ns ? json(ns) : text('Not found', 404)
      }
      case 'namespaces':
        return json([...catalog.namespaces.values()].sort((a, b) => a.name.localeCompare(b.name)))
      case 'create_namespace': {
        const name = req.query.get('name')
        const bad = sanitize({ name, owner_role: req.query.get('owner_role') })
        if (bad) return bad
        const u = user(req)
        if (!('username' in u)) return text(u.error, 401)
        if (!name) return text('Namespace name is required', 400)
        if (catalog.namespaces.has(name)) return text('Namespace already exists', 409)
        return json(catalog.addNamespace(name, u.username, req.query.get('owner_role'), req.query.get('description') ?? ''))
      }
      case 'datasets':
        return json([...catalog.datasets.values()].map((d) => catalog.datasetJson(d)))
      case 'dataset':
      case 'dataset_count':
      case 'dataset_files': {
        const spec = req.query.get('dataset') ?? ''
        const [ns, name] = spec.split(':', 2)
        const bad = sanitize({ namespace: ns, name })
        if (bad) return bad
        const ds = catalog.dataset(spec)
        if (method === 'dataset_count') return reply(200, `{"file_count":${ds?.files.length ?? 0}}\n`, 'application/json')
        if (!ds) return text('Dataset not found', 404)
        if (method === 'dataset') return json(catalog.datasetJson(ds))
        const withMeta = yes(req.query.get('with_metadata'))
        return jsonSeq(ds.files.map((fid) => catalog.fileJson(catalog.file(fid)!, { metadata: withMeta })))
      }
      case 'create_dataset': {
        const u = user(req)
        if (!('username' in u)) return text(u.error, 401)
        if (!req.body) return text('Dataset parameters are not specified', 400)
        const p = JSON.parse(req.body) as { namespace: string; name: string; frozen?: boolean; monotonic?: boolean; description?: string; metadata?: Record<string, unknown> }
        const bad = sanitize({ namespace: p.namespace, name: p.name })
        if (bad) return bad
        const allowed = canWrite(u.username, p.namespace)
        if (allowed === null) return text('Namespace not found', 404)
        if (!allowed) return text('Permission denied', 403)
        if (catalog.dataset(`${p.namespace}:${p.name}`)) return text('Already exists', 409)
        const ds = catalog.addDataset(p.namespace, p.name, { creator: u.username, frozen: p.frozen ?? false, monotonic: p.monotonic ?? false, description: p.description ?? '', metadata: p.metadata ?? {} })
        return json(catalog.datasetJson(ds))
      }
      case 'declare_files':
        return declare(req)
      case 'file': {
        let namespace = req.query.get('namespace')
        let name = req.query.get('name')
        const fid = req.query.get('fid')
        const didParam = req.query.get('did')
        if (didParam) [namespace, name] = didParam.split(':', 2) as [string, string]
        const bad = sanitize({ namespace, name, fid })
        if (bad) return bad
        const f = fid ? catalog.file(fid) : namespace && name ? catalog.fileByDid(namespace, name) : undefined
        if (!f) return text('File not found', 404)
        return json(
          catalog.fileJson(f, {
            metadata: yes(req.query.get('with_metadata'), true),
            provenance: yes(req.query.get('with_provenance'), true),
            datasets: yes(req.query.get('with_datasets')),
          }),
        )
      }
      case 'files': {
        let list: unknown
        try {
          list = JSON.parse(req.body)
        } catch {
          return text('Invalid JSON in the request body', 400)
        }
        if (!Array.isArray(list)) return text('Expected a list of files', 400)
        const withMeta = yes(req.query.get('with_metadata'))
        const withProv = yes(req.query.get('with_provenance'))
        const out: Record<string, unknown>[] = []
        for (const item of list) {
          const ref = fileRef(item)
          if (!ref) return text(`Invalid file specification: ${JSON.stringify(item)}`, 400)
          const bad = sanitize({ fid: ref.fid, namespace: ref.namespace, name: ref.name })
          if (bad) return bad
          const f = lookup(ref)
          if (f) out.push(catalog.fileJson(f, { metadata: withMeta, provenance: withProv }))
        }
        return json(out)
      }
      case 'query':
        return query(req)
      default:
        return text('Not found', 404)
    }
  }

  const server = await serve(
    (req) => {
      try {
        if (req.path.startsWith(dataPrefix)) return dataRoute(req.path.slice(dataPrefix.length), req)
        if (req.path.startsWith(authPrefix)) return authRoute(req.path.slice(authPrefix.length), req)
        return text('Not found', 404)
      } catch (err) {
        if (err instanceof CatalogError) return text(err.message, err.status)
        throw err
      }
    },
    faults,
    log,
  )
  return {
    url: `${server.origin}/${experiment}_meta/app`,
    authUrl: `${server.origin}/auth/${experiment}`,
    catalog,
    auth,
    clock,
    faults,
    log,
    close: server.close,
  }
}
