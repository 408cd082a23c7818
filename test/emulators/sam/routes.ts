import type { ConsumedStatus } from '../../../shared/dimensions/catalog'
import type { FileSpec, SamCatalog, StoredFile } from './catalog'
import { checkDimensions, defnameDims, evaluate } from './dims'
import { badRequest, SamError } from './errors'
import type { Faults } from './faults'
import { definitionJson, definitionPlain, metadataJson, metadataPlain } from './formats'
import { empty, json, param, plain, required, wantsJson, type SamReply, type SamRequest } from './http'
import type { ProcessStatus, SamProjects } from './projects'

export interface SamContext {
  experiment: string
  catalog: SamCatalog
  projects: SamProjects
  faults: Faults
}

type Params = Record<string, string>
type Handler = (req: SamRequest, p: Params, ctx: SamContext) => SamReply

export interface Route {
  method: string
  /** Segments after `/api/`; `:name` captures one (decoded) segment. */
  pattern: string
  /** Writes need a credential (a certificate at FNAL; a bearer token here when one is required). */
  write?: boolean
  handler: Handler
}

const files = (ctx: SamContext, dims: string): string[] => evaluate(ctx.catalog, dims, ctx.faults.queryLimit)
const dimsOf = (req: SamRequest, p: Params): string => (p.def !== undefined ? defnameDims(p.def) : required(req, 'dims'))

function count(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  return plain(String(files(ctx, dimsOf(req, p)).length))
}

/** plain: one name a line (`fileinfo=1`: `name id size events`); json: a list of names (or objects). */
function list(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const names = files(ctx, dimsOf(req, p))
  const fileinfo = param(req, 'fileinfo') === '1'
  const stored = (name: string): StoredFile => ctx.catalog.stored(name)
  if (wantsJson(req)) {
    if (!fileinfo) return json(names)
    return json(names.map((n) => ({ file_name: n, file_id: stored(n).id, file_size: stored(n).size, event_count: stored(n).events })))
  }
  const lines = fileinfo ? names.map((n) => `${n}\t${stored(n).id}\t${stored(n).size}\t${stored(n).events ?? ''}`) : names
  return plain(lines.map((l) => `${l}\n`).join(''))
}

/** Keys INFERRED (protocols.md §3.2). */
function summary(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const names = files(ctx, dimsOf(req, p))
  const stored = names.map((n) => ctx.catalog.stored(n))
  return json({
    file_count: names.length,
    total_file_size: stored.reduce((sum, f) => sum + f.size, 0),
    total_event_count: stored.reduce((sum, f) => sum + (f.events ?? 0), 0),
  })
}

function createDefinition(req: SamRequest, ctx: SamContext, nameField: string): SamReply {
  const name = required(req, nameField)
  const dims = required(req, 'dims')
  checkDimensions(dims)
  const def = ctx.catalog.createDefinition({
    name,
    dims,
    username: param(req, 'user') ?? 'sam',
    group: param(req, 'group') ?? ctx.experiment,
    description: param(req, 'description') ?? '',
  })
  return json(definitionJson(def))
}

function describe(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const def = ctx.catalog.getDefinition(p.def!)
  return wantsJson(req) ? json(definitionJson(def)) : plain(definitionPlain(def))
}

function deleteDefinition(_req: SamRequest, p: Params, ctx: SamContext): SamReply {
  ctx.catalog.deleteDefinition(p.def!)
  return plain(`Dataset definition ${p.def} has been deleted`)
}

/** Freezes the definition's current files; answers the new snapshot id as plain integer text. */
function snapshot(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  ctx.catalog.getDefinition(p.def!)
  const id = ctx.catalog.takeSnapshot(files(ctx, defnameDims(p.def!)))
  return param(req, 'format') === 'json' ? json(id) : plain(String(id))
}

function metadata(req: SamRequest, file: StoredFile, ctx: SamContext): SamReply {
  const meta = metadataJson(
    file,
    ctx.catalog.parents(file.name).map((n) => ctx.catalog.stored(n)),
  )
  return wantsJson(req) ? json(meta) : plain(metadataPlain(meta))
}

function lineage(_req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const step = { parents: 'parents', ancestors: 'parents', children: 'children', descendants: 'children' } as const
  const kind = p.type as keyof typeof step
  if (!(kind in step)) throw badRequest(`Unknown lineage type "${p.type}"`)
  ctx.catalog.stored(p.file!)
  const next = (name: string) => (step[kind] === 'parents' ? ctx.catalog.parents(name) : ctx.catalog.children(name))
  const seen = new Set<string>()
  let frontier = [...next(p.file!)]
  while (frontier.length > 0) {
    const name = frontier.shift()!
    if (seen.has(name)) continue
    seen.add(name)
    if (kind === 'ancestors' || kind === 'descendants') frontier = frontier.concat(next(name))
  }
  return json([...seen].map((n) => ({ file_name: n, file_id: ctx.catalog.stored(n).id })))
}

function time(value: unknown): string | number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? value : undefined
}

/** POST /files with a JSON metadata body (what a job does to declare its outputs). */
function declare(req: SamRequest, _p: Params, ctx: SamContext): SamReply {
  const body = req.json
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Metadata must be a JSON object', 'InvalidMetadata')
  const { file_name, file_size, event_count, create_date, end_time, runs, parents, application, ...rest } = body as Record<string, unknown>
  if (typeof file_name !== 'string') throw badRequest('Metadata has no file_name', 'InvalidMetadata')
  const app = (typeof application === 'object' && application !== null ? application : {}) as Record<string, unknown>
  const parentNames = (Array.isArray(parents) ? parents : []).map((entry: unknown) => {
    if (typeof entry === 'string') return entry
    const e = entry as { file_name?: unknown; file_id?: unknown }
    if (typeof e.file_name === 'string') return e.file_name
    if (typeof e.file_id === 'number') return ctx.catalog.storedById(e.file_id).name
    throw badRequest(`Invalid parent ${JSON.stringify(entry)}`, 'InvalidMetadata')
  })
  const runList = (Array.isArray(runs) ? runs : []).map((r: unknown) => {
    if (!Array.isArray(r)) throw badRequest(`Invalid run ${JSON.stringify(r)}`, 'InvalidMetadata')
    return typeof r[1] === 'number' ? `${r[0]}.${r[1]}` : String(r[0])
  })
  const spec: FileSpec = {
    name: file_name,
    version: typeof app.version === 'string' ? app.version : null,
    runs: runList,
    availability: 'virtual',
    parents: parentNames,
    metadata: { ...rest, ...(Object.keys(app).length > 0 ? { application: app } : {}) },
  }
  const created = time(create_date)
  if (created !== undefined) spec.createdAt = created
  const end = time(end_time)
  if (end !== undefined) spec.endTime = end
  if (typeof file_size === 'number') spec.size = file_size
  if (typeof event_count === 'number') spec.events = event_count
  return plain(String(ctx.catalog.declare(spec).id))
}

function locations(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const add = param(req, 'add')
  const remove = param(req, 'remove')
  if (add) ctx.catalog.addLocation(p.file!, add)
  else if (remove) ctx.catalog.removeLocation(p.file!, remove)
  else throw badRequest('Give add=<location> or remove=<location>')
  return plain('')
}

export interface ProjectRequest {
  name: string
  station: string
  group: string
  username: string
  defname: string | null
  snapshotId: string | null
}

/** Starts a project on a definition (freezing it in a new snapshot) or on an existing snapshot. */
export function beginProject(ctx: SamContext, r: ProjectRequest): void {
  if ((r.defname === null) === (r.snapshotId === null)) throw badRequest('Give exactly one of defname and snapshot_id')
  let snapshot: { id: number; files: readonly string[] }
  let def: { name: string; id: number } | null = null
  if (r.defname !== null) {
    const d = ctx.catalog.getDefinition(r.defname)
    def = { name: d.name, id: d.id }
    const frozen = files(ctx, defnameDims(d.name))
    snapshot = { id: ctx.catalog.takeSnapshot(frozen), files: frozen }
  } else {
    const id = Number(r.snapshotId)
    const frozen = ctx.catalog.snapshot(id)
    if (frozen === null) throw new SamError(404, 'SnapshotNotFound', `Snapshot ${r.snapshotId} not found`)
    snapshot = { id, files: frozen }
  }
  ctx.projects.start({
    name: r.name,
    station: r.station,
    group: r.group,
    username: r.username,
    defname: def?.name ?? null,
    defId: def?.id ?? null,
    snapshotId: snapshot.id,
    files: snapshot.files,
  })
}

/** `<base>/projects/<station>/<project>` (INFERRED: POMS posts descriptions to exactly that path). */
export const projectUrl = (base: string, station: string, name: string): string => `${base}/projects/${encodeURIComponent(station)}/${encodeURIComponent(name)}`

/** POST /startProject → the project URL as plain text. */
function startProject(req: SamRequest, _p: Params, ctx: SamContext): SamReply {
  const r: ProjectRequest = {
    name: required(req, 'name'),
    station: param(req, 'station') || ctx.experiment,
    group: param(req, 'group') ?? ctx.experiment,
    username: param(req, 'username') ?? 'sam',
    defname: param(req, 'defname'),
    snapshotId: param(req, 'snapshot_id'),
  }
  beginProject(ctx, r)
  return plain(projectUrl(req.base, r.station, r.name))
}

function findProject(req: SamRequest, _p: Params, ctx: SamContext): SamReply {
  const project = ctx.projects.get(required(req, 'name'))
  return plain(projectUrl(req.base, project.station, project.name))
}

function projectSummary(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  if (!wantsJson(req)) return plain(ctx.projects.summaryPlain(p.project!))
  const limit = param(req, 'process_limit')
  return json(ctx.projects.summary(p.project!, limit === null ? null : Number(limit)))
}

function recoveryDimensions(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const dims = ctx.projects.recoveryDimensions(p.project!, param(req, 'useProcess') === '1')
  return param(req, 'format') === 'json' ? json(dims) : plain(dims)
}

/** A project URL's station must be the project's own. */
function projectAt(p: Params, ctx: SamContext): string {
  const project = ctx.projects.get(p.project!)
  if (project.station !== p.station) throw new SamError(404, 'ProjectNotFound', `Project ${p.project} not found on station ${p.station}`)
  return project.name
}

const pidOf = (p: Params): number => {
  const pid = Number(p.pid)
  if (!Number.isInteger(pid)) throw badRequest(`Invalid process id "${p.pid}"`)
  return pid
}

function establishProcess(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const process = ctx.projects.establishProcess(projectAt(p, ctx), {
    appname: required(req, 'appname'),
    appversion: required(req, 'appversion'),
    appfamily: param(req, 'appfamily') ?? '',
    node: param(req, 'node') ?? param(req, 'deliverylocation') ?? 'localhost',
    username: param(req, 'username') ?? 'sam',
    description: param(req, 'description') ?? '',
    filelimit: Number(param(req, 'filelimit') ?? 0) || 0,
  })
  return plain(String(process.id))
}

/** 200 `url\nfilename`; 202 + Retry-After while files are staging; 204 when there are no more. */
function getNextFile(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const project = projectAt(p, ctx)
  const staging = ctx.faults.staging
  if (staging.remaining > 0) {
    staging.remaining--
    return plain('', 202, { 'Retry-After': String(staging.retryAfterSeconds) })
  }
  const next = ctx.projects.nextFile(project, pidOf(p))
  if ('none' in next) return empty(204)
  const url = `file:///pnfs/${ctx.experiment}/emulated/${next.file}`
  return wantsJson(req) ? json({ url, filename: next.file }) : plain(`${url}\n${next.file}`)
}

function updateFileStatus(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  ctx.projects.updateFileStatus(projectAt(p, ctx), pidOf(p), required(req, 'filename'), required(req, 'status'))
  return plain('')
}

/** The older client's releaseFile: `ok` means consumed, anything else failed. */
function releaseFile(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  const status: ConsumedStatus = (param(req, 'status') ?? 'ok') === 'ok' ? 'consumed' : 'failed'
  // The old client passes a URL it was given; the file name is its last part.
  const file = required(req, 'filename').split('/').pop()!
  ctx.projects.updateFileStatus(projectAt(p, ctx), pidOf(p), file, status)
  return plain('')
}

function setProcessStatus(req: SamRequest, p: Params, ctx: SamContext, project: string): SamReply {
  ctx.projects.endProcess(project, pidOf(p), required(req, 'status') as ProcessStatus)
  return plain('')
}

function listDefinitions(req: SamRequest, _p: Params, ctx: SamContext): SamReply {
  const defs = ctx.catalog.listDefinitions()
  return wantsJson(req) ? json(defs.map(definitionJson)) : plain(defs.map((d) => `${d.name}\n`).join(''))
}

/** POMS's update_project_description (its answer is ignored). */
function setDescription(req: SamRequest, p: Params, ctx: SamContext): SamReply {
  ctx.projects.get(projectAt(p, ctx)).description = param(req, 'description') ?? ''
  return plain('')
}

function endProcess(_req: SamRequest, p: Params, ctx: SamContext): SamReply {
  ctx.projects.endProcess(projectAt(p, ctx), pidOf(p), 'completed')
  return plain('')
}

function endProject(_req: SamRequest, p: Params, ctx: SamContext): SamReply {
  ctx.projects.endProject(projectAt(p, ctx))
  return plain('')
}

const consumer = (path: string, handler: Handler): Route[] =>
  ['processes', 'process'].map((word) => ({ method: 'POST', pattern: `projects/:station/:project/${word}/:pid/${path}`, handler }))

/** The endpoints of protocols.md §3.2 that POMS, jobs (ifdh, samweb) and the sambegin scripts use. */
export const ROUTES: Route[] = [
  // definitions
  { method: 'GET', pattern: 'definitions/list', handler: listDefinitions },
  { method: 'POST', pattern: 'definitions/create', write: true, handler: (req, _p, ctx) => createDefinition(req, ctx, 'defname') },
  { method: 'POST', pattern: 'createDefinition', write: true, handler: (req, _p, ctx) => createDefinition(req, ctx, 'name') },
  { method: 'GET', pattern: 'definitions/name/:def/describe', handler: describe },
  { method: 'GET', pattern: 'definitions/name/:def', handler: describe },
  { method: 'DELETE', pattern: 'definitions/name/:def', write: true, handler: deleteDefinition },
  { method: 'POST', pattern: 'definitions/name/:def/delete', write: true, handler: deleteDefinition },
  { method: 'POST', pattern: 'definitions/name/:def/snapshot', write: true, handler: snapshot },
  { method: 'GET', pattern: 'definitions/name/:def/snapshot', write: true, handler: snapshot },
  { method: 'GET', pattern: 'definitions/name/:def/files/count', handler: count },
  { method: 'GET', pattern: 'definitions/name/:def/files/list', handler: list },
  { method: 'GET', pattern: 'definitions/name/:def/files/summary', handler: summary },
  // files
  { method: 'GET', pattern: 'files/count', handler: count },
  { method: 'POST', pattern: 'files/count', handler: count },
  { method: 'GET', pattern: 'files/list', handler: list },
  { method: 'POST', pattern: 'files/list', handler: list },
  { method: 'GET', pattern: 'files/summary', handler: summary },
  { method: 'POST', pattern: 'files/summary', handler: summary },
  { method: 'GET', pattern: 'files/name/:file/metadata', handler: (req, p, ctx) => metadata(req, ctx.catalog.stored(p.file!), ctx) },
  { method: 'GET', pattern: 'files/id/:id/metadata', handler: (req, p, ctx) => metadata(req, ctx.catalog.storedById(Number(p.id)), ctx) },
  { method: 'GET', pattern: 'files/name/:file/lineage/:type', handler: lineage },
  { method: 'GET', pattern: 'files/name/:file/locations', handler: (_req, p, ctx) => json(ctx.catalog.stored(p.file!).locations.map((l) => ({ full_path: l }))) },
  { method: 'POST', pattern: 'files/name/:file/locations', write: true, handler: locations },
  { method: 'POST', pattern: 'files', write: true, handler: declare },
  // projects
  { method: 'POST', pattern: 'startProject', write: true, handler: startProject },
  { method: 'GET', pattern: 'findProject', handler: findProject },
  { method: 'GET', pattern: 'projects', handler: (_req, _p, ctx) => plain(ctx.projects.list().map((p) => `${p.name}\n`).join('')) },
  { method: 'GET', pattern: 'projects/name/:project/summary', handler: projectSummary },
  { method: 'GET', pattern: 'projects/name/:project/recovery_dimensions', handler: recoveryDimensions },
  { method: 'PUT', pattern: 'projects/name/:project/processes/:pid/status', write: true, handler: (req, p, ctx) => setProcessStatus(req, p, ctx, ctx.projects.get(p.project!).name) },
  // a project URL (`<base>/projects/<station>/<project>`) and its consumer protocol
  { method: 'POST', pattern: 'projects/:station/:project/description', write: true, handler: setDescription },
  { method: 'POST', pattern: 'projects/:station/:project/establishProcess', handler: establishProcess },
  ...consumer('getNextFile', getNextFile),
  ...consumer('updateFileStatus', updateFileStatus),
  ...consumer('releaseFile', releaseFile),
  ...consumer('endProcess', endProcess),
  ...consumer('setStatus', (req, p, ctx) => setProcessStatus(req, p, ctx, projectAt(p, ctx))),
  { method: 'POST', pattern: 'projects/:station/:project/endProject', handler: endProject },
  { method: 'GET', pattern: 'projects/:station/:project/status', handler: (_req, p, ctx) => plain(ctx.projects.get(projectAt(p, ctx)).state) },
  { method: 'GET', pattern: 'projects/:station/:project/summary', handler: (req, p, ctx) => projectSummary(req, { project: projectAt(p, ctx) }, ctx) },
]

/** The first route whose method and segments match; literal segments beat captures by route order. */
export function matchRoute(method: string, segments: string[]): { route: Route; params: Params } | { allowed: string[] } {
  const allowed: string[] = []
  for (const route of ROUTES) {
    const parts = route.pattern.split('/')
    if (parts.length !== segments.length) continue
    const params: Params = {}
    const ok = parts.every((part, i) => {
      if (part.startsWith(':')) {
        params[part.slice(1)] = segments[i]!
        return true
      }
      return part === segments[i]
    })
    if (!ok) continue
    if (route.method !== method) {
      allowed.push(route.method)
      continue
    }
    return { route, params }
  }
  return { allowed }
}
