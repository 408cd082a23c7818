import { z } from 'zod'
import { DataServiceError, DatasetError } from '../data-handler'
import { HttpTransport, type HttpAnswer, type HttpPolicy, type TokenProvider } from './http'
import { DDHandle, DDProject, NextFile, type HandleState } from './schemas'

/**
 * Data Dispatcher (protocols.md §5.2): projects of per-file handles. Answers are `text/json`;
 * errors are text with a status code.
 */

export interface DataDispatcherClientOptions {
  /** DATA_DISPATCHER_URL, e.g. `https://metacat.fnal.gov:9443/dune/dd/data`. */
  url: string
  token: TokenProvider
  policy?: Partial<HttpPolicy>
  closed?: AbortSignal
}

export interface NewProject {
  files: { namespace: string; name: string; attributes?: Record<string, unknown> }[]
  query?: string | null
  users?: string[]
  attributes?: Record<string, unknown>
  workerTimeout?: number | null
  idleTimeout?: number | null
}

/** What `next_file` gave a worker. */
export type NextFileResult =
  | { kind: 'file'; handle: DDHandle }
  /** Nothing available now (no replica yet, all reserved): ask again later. */
  | { kind: 'retry' }
  /** The project is over: `next_file` answered `400 Inactive project. State=<state>` or "project inactive". */
  | { kind: 'ended'; state: string }

export class DataDispatcherClient {
  readonly http: HttpTransport

  constructor(private readonly opts: DataDispatcherClientOptions) {
    this.http = new HttpTransport('Data Dispatcher', opts.policy, opts.closed)
  }

  private url(method: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams(params).toString()
    return `${this.opts.url.replace(/\/+$/, '')}/${method}${q ? `?${q}` : ''}`
  }

  private async call(method: 'GET' | 'POST', path: string, params: Record<string, string>, body: unknown, idempotent: boolean): Promise<HttpAnswer> {
    return this.http.send({
      method,
      url: this.url(path, params),
      headers: { Accept: 'text/json', ...(body !== undefined ? { 'Content-Type': 'text/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      idempotent,
      auth: { provider: this.opts.token, header: 'X-Authentication-Token' },
    })
  }

  private json<T>(answer: HttpAnswer, schema: z.ZodType<T>, what: string): T {
    if (answer.status !== 200) throw this.http.failure(answer, what)
    // The Python client decodes JSON only for text/json (http_client.py interpret_response).
    this.http.expectType(answer, ['text/json'], what)
    return this.http.parse(schema, answer.body, what)
  }

  /** A 404 `Project not found` as a dataset problem: the project a dataset or submission names is gone. */
  private missing(answer: HttpAnswer, id: number): void {
    if (answer.status === 404) throw new DatasetError(`Data Dispatcher has no project ${id}`)
  }

  /** Not retried after a time-out: a second POST could create a second project. */
  async createProject(p: NewProject): Promise<DDProject> {
    const answer = await this.call('POST', 'create_project', {}, { files: p.files, query: p.query ?? null, users: p.users ?? [], roles: [], project_attributes: p.attributes ?? {}, worker_timeout: p.workerTimeout ?? null, idle_timeout: p.idleTimeout ?? null }, false)
    return this.json(answer, DDProject, 'a new project')
  }

  async project(id: number, opts: { withFiles?: boolean; withReplicas?: boolean } = {}): Promise<DDProject | null> {
    const answer = await this.call('GET', 'project', { project_id: String(id), with_files: opts.withFiles === false ? 'no' : 'yes', with_replicas: opts.withReplicas ? 'yes' : 'no' }, undefined, true)
    if (answer.status === 404) return null
    return this.json(answer, DDProject, `project ${id}`)
  }

  /** `/projects`; `owner: 'all'` is needed to see projects of other accounts (protocols.md §5.6). */
  async projects(filter: { owner?: string; state?: string; notState?: string; attributes?: Record<string, unknown>; withHandles?: boolean } = {}): Promise<DDProject[]> {
    const params: Record<string, string> = { with_handles: filter.withHandles ? 'yes' : 'no', with_replicas: 'no' }
    if (filter.owner) params.owner = filter.owner
    if (filter.state) params.state = filter.state
    if (filter.notState) params.not_state = filter.notState
    if (filter.attributes) params.attributes = JSON.stringify(filter.attributes)
    return this.json(await this.call('GET', 'projects', params, undefined, true), z.array(DDProject), 'a project list')
  }

  async handles(id: number, opts: { state?: HandleState; notState?: HandleState; withReplicas?: boolean } = {}): Promise<DDHandle[]> {
    const params: Record<string, string> = { project_id: String(id), with_replicas: opts.withReplicas ? 'yes' : 'no' }
    if (opts.state) params.state = opts.state
    if (opts.notState) params.not_state = opts.notState
    const answer = await this.call('GET', 'handles', params, undefined, true)
    this.missing(answer, id)
    return this.json(answer, z.array(DDHandle), `the handles of project ${id}`)
  }

  async cancelProject(id: number): Promise<DDProject> {
    const answer = await this.call('GET', 'cancel_project', { project_id: String(id) }, undefined, true)
    this.missing(answer, id)
    return this.json(answer, DDProject, `cancelling project ${id}`)
  }

  async activateProject(id: number): Promise<DDProject> {
    const answer = await this.call('GET', 'activate_project', { project_id: String(id) }, undefined, true)
    this.missing(answer, id)
    return this.json(answer, DDProject, `activating project ${id}`)
  }

  /** Handles back to `initial`: by DID, or every handle in the given states. */
  async restartHandles(id: number, sel: { dids: string[] } | { states: HandleState[] }): Promise<DDProject> {
    const body = 'dids' in sel ? { project_id: id, handles: sel.dids } : { project_id: id, ...Object.fromEntries(sel.states.map((s) => [s, true])) }
    const answer = await this.call('POST', 'restart_handles', {}, body, true)
    this.missing(answer, id)
    return this.json(answer, DDProject, `restarting handles of project ${id}`)
  }

  /**
   * A worker asks for its next file. A finished project answers `400 Inactive project. State=done`,
   * not a JSON "no more"; the public client's check for that is broken (protocols.md §5.6), so the
   * status and the `State=` text are read here explicitly.
   */
  async nextFile(id: number, workerId: string, cpuSite?: string): Promise<NextFileResult> {
    const answer = await this.call('GET', 'next_file', { project_id: String(id), worker_id: workerId, ...(cpuSite ? { cpu_site: cpuSite } : {}) }, undefined, false)
    const ended = answer.status === 400 ? /Inactive project\. State=(\w+)/.exec(answer.body) : null
    if (ended) return { kind: 'ended', state: ended[1]! }
    this.missing(answer, id)
    const out = this.json(answer, NextFile, `next_file of project ${id}`)
    if (out.handle) return { kind: 'file', handle: out.handle }
    return out.retry ? { kind: 'retry' } : { kind: 'ended', state: out.reason }
  }

  /** `file_done` / `file_failed`: `GET /release?handle_id=<pid>:<ns>:<name>`. */
  async release(id: number, did: string, opts: { failed: boolean; retry?: boolean; workerId?: string }): Promise<DDHandle> {
    const params: Record<string, string> = { handle_id: `${id}:${did}`, failed: opts.failed ? 'yes' : 'no', retry: opts.retry === false ? 'no' : 'yes' }
    if (opts.workerId) params.worker_id = opts.workerId
    const answer = await this.call('GET', 'release', params, undefined, false)
    if (answer.status === 404) throw new DataServiceError(this.http.service, `Data Dispatcher would not release ${did} in project ${id}: ${answer.body.trim()}`, 404)
    return this.json(answer, DDHandle, `releasing ${did}`)
  }
}
