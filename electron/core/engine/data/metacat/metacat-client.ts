import { z } from 'zod'
import { DataServiceError, DatasetError } from '../data-handler'
import { excerpt, HttpTransport, type HttpAnswer, type HttpPolicy, type TokenProvider } from './http'
import { MetacatFile, QueryCount } from './schemas'

/**
 * MetaCat's data server (protocols.md §4.3): MQL queries, file lookups. Queries go as a POST body
 * (no length limit, as the Python client does) and come back as `application/json-seq`.
 */

export interface MetacatClientOptions {
  /** METACAT_SERVER_URL, e.g. `https://metacat.fnal.gov:9443/dune_meta_prod/app`. */
  url: string
  /** Queries need none; only writes do. */
  token?: TokenProvider
  policy?: Partial<HttpPolicy>
  closed?: AbortSignal
}

export type FileRef = { fid: string } | { namespace: string; name: string }

/**
 * RFC 7464 records as MetaCat writes them: RS (0x1E), JSON, LF. Leading RS bytes and blank lines
 * are dropped (http_client.py unpack_json_seq).
 */
export function parseJsonSeq(body: string): unknown[] {
  const out: unknown[] = []
  for (const raw of body.split('\n')) {
    const line = raw.replace(/^[\s\u001e]+/, '').trim()
    if (line) out.push(JSON.parse(line))
  }
  return out
}

export class MetacatClient {
  readonly http: HttpTransport

  constructor(private readonly opts: MetacatClientOptions) {
    this.http = new HttpTransport('MetaCat', opts.policy, opts.closed)
  }

  private url(method: string, params: Record<string, string> = {}): string {
    const q = new URLSearchParams(params).toString()
    return `${this.opts.url.replace(/\/+$/, '')}/data/${method}${q ? `?${q}` : ''}`
  }

  private auth() {
    return this.opts.token ? { auth: { provider: this.opts.token, header: 'X-Authentication-Token' } } : {}
  }

  /** 400 is MetaCat refusing the query itself (`MQLSyntaxError: …`): a bad dataset, not an outage. */
  private checkQueryAnswer(answer: HttpAnswer, mql: string): void {
    if (answer.status === 400) throw new DatasetError(`MetaCat refused the query ${excerpt(mql, 300)}: ${excerpt(answer.body)}`)
    if (answer.status !== 200) throw this.http.failure(answer, 'a query')
  }

  /** Files matching an MQL query, in the order MetaCat sends them. */
  async query(mql: string, opts: { withMetadata?: boolean; withProvenance?: boolean; namespace?: string } = {}): Promise<MetacatFile[]> {
    const params: Record<string, string> = { with_meta: opts.withMetadata ? 'yes' : 'no', with_provenance: opts.withProvenance ? 'yes' : 'no' }
    if (opts.namespace) params.namespace = opts.namespace
    const answer = await this.http.send({ method: 'POST', url: this.url('query', params), headers: { Accept: 'application/json-seq, application/json', 'Content-Type': 'text/plain' }, body: mql, idempotent: true, ...this.auth() })
    this.checkQueryAnswer(answer, mql)
    return this.records(answer, 'query results')
  }

  /** `summary=count`: the number of files a query matches. */
  async count(mql: string): Promise<number> {
    const answer = await this.http.send({ method: 'POST', url: this.url('query', { summary: 'count' }), headers: { Accept: 'application/json', 'Content-Type': 'text/plain' }, body: mql, idempotent: true, ...this.auth() })
    this.checkQueryAnswer(answer, mql)
    this.http.expectType(answer, ['application/json'], 'a file count')
    // An empty query is answered with `[]` rather than a summary.
    if (answer.body.trim() === '[]') return 0
    return this.http.parse(QueryCount, answer.body, 'a file count').count
  }

  /** `POST data/files`: records of the files that exist (missing ones are left out). */
  async files(refs: FileRef[], opts: { withMetadata?: boolean; withProvenance?: boolean } = {}): Promise<MetacatFile[]> {
    if (refs.length === 0) return []
    const params = { with_metadata: opts.withMetadata ? 'yes' : 'no', with_provenance: opts.withProvenance ? 'yes' : 'no' }
    const answer = await this.http.send({ method: 'POST', url: this.url('files', params), headers: { Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify(refs), idempotent: true, ...this.auth() })
    if (answer.status !== 200) throw this.http.failure(answer, 'a file lookup')
    this.http.expectType(answer, ['application/json'], 'a file lookup')
    return this.http.parse(z.array(MetacatFile), answer.body, 'file records')
  }

  /** `GET data/file`: one file, or null when MetaCat answers 404 `File not found`. */
  async file(ref: FileRef, opts: { withMetadata?: boolean; withProvenance?: boolean } = {}): Promise<MetacatFile | null> {
    const params: Record<string, string> = 'fid' in ref ? { fid: ref.fid } : { namespace: ref.namespace, name: ref.name }
    params.with_metadata = opts.withMetadata ? 'yes' : 'no'
    params.with_provenance = opts.withProvenance ? 'yes' : 'no'
    const answer = await this.http.send({ method: 'GET', url: this.url('file', params), headers: { Accept: 'application/json' }, idempotent: true, ...this.auth() })
    if (answer.status === 404) return null
    if (answer.status !== 200) throw this.http.failure(answer, 'a file lookup')
    this.http.expectType(answer, ['application/json'], 'a file record')
    return this.http.parse(MetacatFile, answer.body, 'a file record')
  }

  async version(): Promise<string> {
    const answer = await this.http.send({ method: 'GET', url: this.url('version'), idempotent: true })
    if (answer.status !== 200) throw this.http.failure(answer, 'the version')
    return answer.body.trim()
  }

  private records(answer: HttpAnswer, what: string): MetacatFile[] {
    this.http.expectType(answer, ['application/json-seq', 'application/json'], what)
    let values: unknown[]
    try {
      values = answer.contentType === 'application/json-seq' ? parseJsonSeq(answer.body) : (JSON.parse(answer.body) as unknown[])
    } catch {
      throw new DataServiceError(this.http.service, `MetaCat sent ${what} that are not JSON: ${excerpt(answer.body)}`)
    }
    return this.http.check(z.array(MetacatFile), values, what)
  }
}
