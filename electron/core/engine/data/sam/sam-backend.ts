import type { DimensionBackend, ProjectSummary } from '../dimension-backend'
import type { CircuitBreaker, FaultyRequest } from './circuit-breaker'
import { garbageError, httpError } from './sam-errors'
import { SamHttp, type SamCall, type SamHttpOptions } from './sam-http'
import { definitionSchema, fileListSchema, metadataSchema, parseInteger, parseJson, projectSummarySchema } from './sam-schemas'
import { samApiBase, seg } from './sam-urls'

export interface SamBackendOptions extends Omit<SamHttpOptions, 'apiBase'> {
  /** SAM's base (`https://samnova.fnal.gov:8483`), or a full API base ending in `/api`. */
  baseUrl: string
  experiment: string
  /** The user definitions are created for (POMS sends `sam`). */
  user?: string
  /** Station and group for projects and snapshots (default: the experiment). */
  station?: string
  group?: string
}

export interface SamDimensionBackend extends DimensionBackend {
  readonly apiBase: string
  /** URLs the circuit breaker skips or remembers (POMS's faulty_requests), for the UI. */
  faults(): FaultyRequest[]
  readonly breaker: CircuitBreaker
}

/** The SAM client goes to POST above this many characters of dims, like samweb's listFiles. */
const LONG_DIMS = 1024

/**
 * The `sam` data handler's DimensionBackend over SAM web (poms-reference.md §8.1). Every call is
 * typed: a body that is not what the call expects is a DataServiceError naming the URL.
 */
export function createSamDimensionBackend(options: SamBackendOptions): SamDimensionBackend {
  const http = new SamHttp({ ...options, apiBase: samApiBase(options.baseUrl, options.experiment) })
  const group = options.group ?? options.experiment
  const station = options.station ?? options.experiment

  /** GET with `dims` in the query, or POST it as a form field when it is long. */
  const dimsCall = (path: string, dims: string, extra: Record<string, string>, policy: SamCall['policy']): SamCall =>
    dims.length > LONG_DIMS ? { method: 'POST', path, query: extra, form: { dims }, policy } : { method: 'GET', path, query: { dims, ...extra }, policy }

  async function definitionExists(name: string): Promise<boolean> {
    const answer = await http.request({ method: 'GET', path: `definitions/name/${seg(name)}`, policy: 'read', accept: [404] })
    return answer.status !== 404
  }

  async function create(name: string, dims: string, acceptConflict: boolean): Promise<boolean> {
    const answer = await http.request({
      method: 'POST',
      path: 'definitions/create',
      form: { defname: name, dims, user: options.user ?? 'sam', group },
      policy: 'write',
      accept: acceptConflict ? [409] : [],
    })
    return answer.status !== 409
  }

  return {
    apiBase: http.apiBase,
    breaker: http.breaker,
    faults: () => http.breaker.faults(),

    async countFiles(dims) {
      return parseInteger(await http.request(dimsCall('files/count', dims, {}, 'count')), 'a file count')
    },

    async listFiles(dims, limit) {
      const query = limit === undefined ? dims : `(${dims}) with limit ${limit}`
      return parseJson(await http.request(dimsCall('files/list', query, { format: 'json' }, 'read')), fileListSchema, 'a list of file names')
    },

    // POMS create_definition: on 409 the old definition is removed (GET, then DELETE) and the name created again.
    async createDefinition(name, dims) {
      if (await create(name, dims, true)) return
      if (await definitionExists(name)) await http.request({ method: 'DELETE', path: `definitions/name/${seg(name)}`, policy: 'write', accept: [404] })
      await create(name, dims, false)
    },

    async describeDefinition(name) {
      const answer = await http.request({ method: 'GET', path: `definitions/name/${seg(name)}/describe`, query: { format: 'json' }, policy: 'read', accept: [404] })
      if (answer.status === 404) return null
      return parseJson(answer, definitionSchema, 'a definition description').dimensions
    },

    async takeSnapshot(defname) {
      const answer = await http.request({ method: 'POST', path: `definitions/name/${seg(defname)}/snapshot`, query: { format: 'plain' }, form: { group }, policy: 'write' })
      return parseInteger(answer, 'a snapshot id')
    },

    async fileMetadata(file) {
      const answer = await http.request({ method: 'GET', path: `files/name/${seg(file)}/metadata`, query: { format: 'json' }, policy: 'read', accept: [404] })
      if (answer.status === 404) return null
      return parseJson(answer, metadataSchema, 'a metadata object')
    },

    async startProject(name, defname) {
      const answer = await http.request({
        method: 'POST',
        path: 'startProject',
        form: { name, station, group, defname, username: options.user ?? 'sam' },
        policy: 'write',
        accept: [409],
      })
      // A 409 after a retry means an earlier attempt started it; on the first attempt the name is taken.
      if (answer.status === 409 && answer.attempts === 1) {
        throw httpError(answer.method, answer.url, 409, answer.text, answer.contentType, 1)
      }
      if (answer.status !== 409 && !/^https?:\/\//.test(answer.text.trim())) {
        throw garbageError(answer.method, answer.url, answer.status, 'a project URL', 'it does not start with http', answer.text)
      }
      return name
    },

    async projectSummary(project): Promise<ProjectSummary | null> {
      const answer = await http.request({
        method: 'GET',
        path: `projects/name/${seg(project)}/summary`,
        query: { format: 'json', process_limit: '0' },
        policy: 'summary',
        accept: [404],
      })
      if (answer.status === 404) return null
      const s = parseJson(answer, projectSummarySchema, 'a project summary')
      const n = (key: string) => s.file_counts[key] ?? 0
      return {
        project,
        state: s.project_status,
        dataset: s.dataset_def_name ?? null,
        filesInSnapshot: s.files_in_snapshot,
        consumed: n('consumed'),
        completed: n('completed'),
        failed: n('failed'),
        skipped: n('skipped'),
        delivered: n('delivered'),
        cancelled: n('cancelled'),
        unknown: n('unknown'),
      }
    },

    async recoveryDimensions(project, useProcess) {
      const answer = await http.request({
        method: 'GET',
        path: `projects/name/${seg(project)}/recovery_dimensions`,
        query: { format: 'plain', useProcess: useProcess ? '1' : '0' },
        policy: 'read',
      })
      const text = answer.text.trim()
      if (answer.contentType.includes('application/json') || text.startsWith('<') || text.startsWith('{')) {
        throw garbageError(answer.method, answer.url, answer.status, 'a dimension string', 'it looks like a document, not plain text', answer.text)
      }
      return text
    },
  }
}
