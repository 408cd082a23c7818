import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { ConsumedStatus } from '../../../shared/dimensions/catalog'
import { listenOnLoopback } from '../shared/listen-loopback'
import { SamCatalog, type FileSpec } from './catalog'
import { SamError } from './errors'
import { Faults, type FaultAction, type FaultMatch } from './faults'
import { errorReply, parseBody, wantsJson, type SamReply, type SamRequest } from './http'
import { runSamJob, type SamJobOptions, type SamJobResult } from './job'
import { SamProjects } from './projects'
import { beginProject, matchRoute, projectUrl, type SamContext } from './routes'

export interface SamEmulatorOptions {
  experiment: string
  /** 0 (the default) picks a free port on 127.0.0.1. */
  port?: number
  /** The emulator's clock for create dates and project times (epoch ms). */
  now?: () => number
}

/** A request as the emulator received it, for tests that count attempts or check parameters. */
export interface RecordedRequest {
  method: string
  /** The path after `/sam/<exp>/api/`, decoded. */
  path: string
  query: Record<string, string>
  form: Record<string, string>
  headers: Record<string, string | string[] | undefined>
}

export interface SamEmulator {
  /** The SAM base (`sam_base`), `http://127.0.0.1:<port>`. */
  url: string
  /** `<url>/sam/<experiment>/api`. */
  apiBase: string
  experiment: string
  catalog: SamCatalog
  projects: SamProjects
  faults: Faults
  requests: RecordedRequest[]
  /** Declares files in order (parents before children). */
  declareFiles(specs: FileSpec[]): void
  defineDataset(name: string, dims: string): void
  /** Starts a project on a definition without HTTP; returns the project URL. */
  startProject(name: string, defname: string): string
  setConsumedStatus(project: string, file: string, status: ConsumedStatus): void
  /** Acts as one grid job over HTTP: consumer process, files, outputs, end status. */
  runJob(options: SamJobOptions): Promise<SamJobResult>
  /** The next `count` matching requests get `action` instead of their answer. */
  failNext(count: number, action: FaultAction, match?: FaultMatch): void
  /** Matching requests wait `ms` first (0 clears every delay). */
  delay(ms: number, match?: FaultMatch): void
  /** Counts and lists selecting more than `limit` files are refused with "query limit" text. */
  queryLimit(limit: number | null): void
  /** Requests (writes only, if asked) must carry `Authorization: Bearer <token>`; null lifts it. */
  requireToken(token: string | null, options?: { writesOnly?: boolean }): void
  /** The next `count` getNextFile calls answer 202 + Retry-After (files still staging). */
  stageNext(count: number, retryAfterSeconds?: number): void
  stop(): Promise<void>
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })

function send(res: ServerResponse, reply: SamReply): void {
  if (res.destroyed || res.writableEnded) return
  res.writeHead(reply.status, { 'Content-Type': reply.contentType, ...(reply.headers ?? {}) })
  res.end(reply.body)
}

/** Bearer token check. SAM itself takes X.509 certificates; token auth is emulated (protocols.md §3.1 UNKNOWN). */
function authFailure(faults: Faults, write: boolean, header: string | undefined): SamError | null {
  const token = faults.token
  if (!token || (token.writesOnly && !write)) return null
  if (!header) return new SamError(401, 'HTTPUnauthorized', 'Authentication required: no credentials were presented')
  if (header !== `Bearer ${token.value}`) return new SamError(401, 'HTTPUnauthorized', 'Authentication failed: the bearer token is not valid')
  return null
}

/**
 * A SAM web server for one experiment on loopback: `/sam/<exp>/api/...` as protocols.md §3
 * describes, over an in-memory catalog evaluated with the shared dimension evaluator.
 */
export async function startSamEmulator(options: SamEmulatorOptions): Promise<SamEmulator> {
  const experiment = options.experiment
  const now = options.now ?? (() => Date.now())
  const projects = new SamProjects(now)
  const catalog = new SamCatalog(now, projects)
  const faults = new Faults()
  const ctx: SamContext = { experiment, catalog, projects, faults }
  const requests: RecordedRequest[] = []
  const prefix = `/sam/${experiment}/api/`
  const timers = new Set<NodeJS.Timeout>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t)
        resolve()
      }, ms)
      timers.add(t)
    })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://emulator')
    const asJsonHeader = (req.headers.accept ?? '').includes('application/json')
    if (!url.pathname.startsWith(prefix)) {
      send(res, errorReply(new SamError(404, 'HTTPNotFound', `Not found: ${url.pathname}`), asJsonHeader))
      return
    }
    const rawPath = url.pathname.slice(prefix.length)
    let request: SamRequest | null = null
    try {
      const segments = rawPath.split('/').map((s) => decodeURIComponent(s))
      const { form, json } = parseBody(await readBody(req), req.headers['content-type'])
      request = { method, path: rawPath, segments, query: url.searchParams, form, json, headers: req.headers, base: `http://${req.headers.host}/sam/${experiment}/api` }
      requests.push({
        method,
        path: segments.join('/'),
        query: Object.fromEntries(url.searchParams),
        form: Object.fromEntries(form),
        headers: { ...req.headers },
      })
      const wait = faults.delayFor(method, request.path)
      if (wait > 0) await sleep(wait)
      const forced = faults.take(method, segments.join('/'))
      if (forced === 'reset') {
        req.socket.destroy()
        return
      }
      if (forced) {
        send(res, { status: forced.status, body: forced.body ?? '', contentType: forced.contentType ?? 'text/plain; charset=utf-8', ...(forced.headers ? { headers: forced.headers } : {}) })
        return
      }
      const found = matchRoute(method, segments)
      if (!('route' in found)) {
        throw found.allowed.length > 0
          ? new SamError(405, 'HTTPMethodNotAllowed', `${method} is not allowed on /${segments.join('/')}`)
          : new SamError(404, 'HTTPNotFound', `No such endpoint: /${segments.join('/')}`)
      }
      const denied = authFailure(faults, found.route.write === true, req.headers.authorization)
      if (denied) throw denied
      send(res, found.route.handler(request, found.params, ctx))
    } catch (err) {
      const asJson = request ? wantsJson(request) : asJsonHeader
      const samError = err instanceof SamError ? err : new SamError(err instanceof URIError ? 400 : 500, err instanceof URIError ? 'HTTPBadRequest' : 'InternalServerError', (err as Error).message)
      send(res, errorReply(samError, asJson))
    }
  }

  const server = createServer((req, res) => void handle(req, res))
  const port = await listenOnLoopback(server, options.port)
  const url = `http://127.0.0.1:${port}`
  const apiBase = `${url}/sam/${experiment}/api`

  return {
    url,
    apiBase,
    experiment,
    catalog,
    projects,
    faults,
    requests,
    declareFiles(specs) {
      for (const spec of specs) catalog.declare(spec)
    },
    defineDataset(name, dims) {
      catalog.createDefinition({ name, dims, username: 'sam', group: experiment, description: '' })
    },
    startProject(name, defname) {
      beginProject(ctx, { name, station: experiment, group: experiment, username: 'sam', defname, snapshotId: null })
      return projectUrl(apiBase, experiment, name)
    },
    setConsumedStatus(project, file, status) {
      projects.setStatus(project, file, status)
    },
    runJob: (jobOptions) => runSamJob(apiBase, jobOptions),
    failNext: (count, action, match) => faults.failNext(count, action, match),
    delay: (ms, match) => faults.delay(ms, match),
    queryLimit(limit) {
      faults.queryLimit = limit
    },
    requireToken(token, opts = {}) {
      faults.token = token === null ? null : { value: token, writesOnly: opts.writesOnly ?? false }
    },
    stageNext(count, retryAfterSeconds = 1) {
      faults.staging = { remaining: count, retryAfterSeconds }
    },
    async stop() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
