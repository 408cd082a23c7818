import { DataServiceError, DatasetError } from '../data-handler'
import { excerpt, HttpTransport, type HttpAnswer, type HttpPolicy, type TokenProvider } from './http'
import { RucioError, RucioReplicaRecord } from './schemas'

/**
 * Rucio's replica catalogue (protocols.md §6): the handler asks it which input files have a replica
 * at all (POMS's "unknown" files). Streams are `application/x-json-stream` — one JSON object per
 * line, and an **empty body with 200** when nothing matches — and errors are JSON sent as
 * `application/octet-stream`, with the class repeated in an `ExceptionClass` header.
 */

export interface RucioClientOptions {
  url: string
  token: TokenProvider
  policy?: Partial<HttpPolicy>
  closed?: AbortSignal
}

/** `ExceptionClass: ExceptionMessage` from the body, else from the headers (baseclient.py). */
export function rucioErrorText(answer: HttpAnswer): { cls: string; message: string } {
  try {
    const e = RucioError.parse(JSON.parse(answer.body))
    return { cls: e.ExceptionClass, message: e.ExceptionMessage }
  } catch {
    return { cls: answer.headers.get('exceptionclass') ?? `HTTP ${answer.status}`, message: answer.headers.get('exceptionmessage') ?? excerpt(answer.body) }
  }
}

/** `GET /auth/userpass`: the token comes back in `X-Rucio-Auth-Token` with an empty body. */
export function rucioUserpassToken(opts: { url: string; account: string; username: string; password: string; policy?: Partial<HttpPolicy> }): TokenProvider {
  const http = new HttpTransport('Rucio auth', opts.policy)
  let cached: string | null = null
  const login = async () => {
    const answer = await http.send({
      method: 'GET',
      url: `${opts.url.replace(/\/+$/, '')}/auth/userpass`,
      headers: { 'X-Rucio-Account': opts.account, 'X-Rucio-Username': opts.username, 'X-Rucio-Password': opts.password },
      idempotent: true,
    })
    const token = answer.headers.get('x-rucio-auth-token')
    if (answer.status !== 200 || !token) {
      const e = rucioErrorText(answer)
      throw new DataServiceError(http.service, `Rucio refused the login of ${opts.account}: ${e.cls}: ${e.message}`, answer.status)
    }
    cached = token
    return token
  }
  return { token: async () => cached ?? (await login()), refresh: login }
}

export class RucioClient {
  readonly http: HttpTransport

  constructor(private readonly opts: RucioClientOptions) {
    this.http = new HttpTransport('Rucio', opts.policy, opts.closed)
  }

  private failure(answer: HttpAnswer, what: string): Error {
    const e = rucioErrorText(answer)
    if (answer.status === 404 && e.cls === 'DataIdentifierNotFound') return new DatasetError(`Rucio: ${e.message}`)
    return new DataServiceError(this.http.service, `Rucio answered HTTP ${answer.status} for ${what}: ${e.cls}: ${e.message}`, answer.status)
  }

  /**
   * `POST /replicas/list` for files (datasets expand to their files). Files without replicas come
   * back with empty `rses`; a DID Rucio does not know makes the whole call a 404 DatasetError.
   */
  async listReplicas(dids: { scope: string; name: string }[], opts: { allStates?: boolean } = {}): Promise<RucioReplicaRecord[]> {
    if (dids.length === 0) return []
    const answer = await this.http.send({
      method: 'POST',
      url: `${this.opts.url.replace(/\/+$/, '')}/replicas/list`,
      headers: { Accept: 'application/x-json-stream', 'Content-Type': 'application/json' },
      body: JSON.stringify({ dids, all_states: opts.allStates === true, ignore_availability: false }),
      idempotent: true,
      auth: { provider: this.opts.token, header: 'X-Rucio-Auth-Token' },
    })
    if (answer.status !== 200) throw this.failure(answer, 'list_replicas')
    // Zero results: an empty 200 whose content type is not worth checking.
    if (answer.body.trim() === '') return []
    this.http.expectType(answer, ['application/x-json-stream'], 'replicas')
    return answer.body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => this.http.parse(RucioReplicaRecord, line, 'a replica record'))
  }
}
