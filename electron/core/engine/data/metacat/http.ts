import type { z } from 'zod'
import { DataServiceError } from '../data-handler'

/**
 * One HTTP transport for the MetaCat, Data Dispatcher and Rucio clients: a time-out per attempt
 * (the body included), retries with jittered exponential backoff, one token refresh after a 401,
 * and typed parsing that turns garbage into DataServiceError instead of a crash.
 */

export interface HttpPolicy {
  /** One attempt, from sending the request to the end of the body. */
  timeoutMs: number
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_HTTP_POLICY: HttpPolicy = { timeoutMs: 120_000, attempts: 4, baseDelayMs: 500, maxDelayMs: 15_000 }

/** Where a client gets its token; `refresh` runs after a 401 (log in again, re-read the token file). */
export interface TokenProvider {
  token(): Promise<string>
  refresh(): Promise<string>
}

export interface HttpCall {
  method: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  body?: string
  /**
   * Whether repeating the request is harmless. A non-idempotent call (creating a project) is
   * retried only when the server surely did not act on it: a 503, or a refused connection.
   */
  idempotent: boolean
  /** How the token travels (`X-Authentication-Token`, `X-Rucio-Auth-Token`). */
  auth?: { provider: TokenProvider; header: string }
}

export interface HttpAnswer {
  status: number
  /** The media type without parameters, lower case ('' when absent). */
  contentType: string
  body: string
  headers: Headers
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, { once: true })
  })

/** The system error code under undici's "fetch failed" (ECONNREFUSED, ECONNRESET…), if any. */
function errorCode(err: unknown): string | null {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause
  return typeof cause?.code === 'string' ? cause.code : null
}

export const excerpt = (body: string, max = 200) => {
  const flat = body.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max)}…` : flat
}

export class HttpTransport {
  private readonly policy: HttpPolicy

  constructor(
    /** 'MetaCat', 'Data Dispatcher', 'Rucio': the name errors carry. */
    readonly service: string,
    policy: Partial<HttpPolicy> = {},
    /** Aborted when the handler closes: pending calls end at once. */
    private readonly closed: AbortSignal = new AbortController().signal,
  ) {
    this.policy = { ...DEFAULT_HTTP_POLICY, ...policy }
  }

  /** Sends with retries; returns the first answer that is not a retryable 5xx (4xx included). */
  async send(call: HttpCall): Promise<HttpAnswer> {
    let refreshed = false
    let last = ''
    let token = call.auth ? await call.auth.provider.token() : null
    for (let attempt = 1; attempt <= this.policy.attempts; attempt++) {
      if (this.closed.aborted) throw new DataServiceError(this.service, `${this.service} client is closed`)
      let answer: HttpAnswer
      try {
        answer = await this.once(call, token)
      } catch (err) {
        const timedOut = (err as Error).name === 'TimeoutError'
        const code = errorCode(err)
        last = timedOut ? `no answer within ${this.policy.timeoutMs} ms` : `${(err as Error).message}${code ? ` (${code})` : ''}`
        if (this.closed.aborted) throw new DataServiceError(this.service, `${this.service} client is closed`)
        // A refused connection never reached the server; anything else may have been acted on.
        if (!call.idempotent && code !== 'ECONNREFUSED') break
        await this.backoff(attempt)
        continue
      }
      if (answer.status === 401 && call.auth && !refreshed) {
        refreshed = true
        token = await call.auth.provider.refresh()
        attempt--
        continue
      }
      if (answer.status >= 500) {
        last = `HTTP ${answer.status}: ${excerpt(answer.body)}`
        if (!call.idempotent && answer.status !== 503) throw new DataServiceError(this.service, `${this.service} answered ${last}`, answer.status)
        await this.backoff(attempt)
        continue
      }
      return answer
    }
    throw new DataServiceError(this.service, `${this.service} did not answer ${call.method} ${new URL(call.url).pathname}: ${last}`)
  }

  private async once(call: HttpCall, token: string | null): Promise<HttpAnswer> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.policy.timeoutMs), this.closed])
    const headers: Record<string, string> = { ...(call.headers ?? {}) }
    if (call.auth && token !== null) headers[call.auth.header] = token
    const res = await fetch(call.url, { method: call.method, headers, ...(call.body !== undefined ? { body: call.body } : {}), signal })
    const body = await res.text()
    const contentType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    return { status: res.status, contentType, body, headers: res.headers }
  }

  private async backoff(attempt: number): Promise<void> {
    if (attempt >= this.policy.attempts) return
    const base = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1))
    await sleep(base * (0.5 + Math.random() / 2), this.closed)
  }

  /** A 200-class answer of one of the expected media types, or DataServiceError naming what came. */
  expectType(answer: HttpAnswer, types: string[], what: string): void {
    if (!types.includes(answer.contentType)) {
      throw new DataServiceError(this.service, `${this.service} answered ${what} with ${answer.contentType || 'no content type'} instead of ${types.join(' or ')} (a proxy or login page?): ${excerpt(answer.body)}`, answer.status)
    }
  }

  /** JSON checked against a schema; anything else is garbage. */
  parse<T>(schema: z.ZodType<T>, text: string, what: string): T {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw new DataServiceError(this.service, `${this.service} sent ${what} that is not JSON: ${excerpt(text)}`)
    }
    return this.check(schema, value, what)
  }

  check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
    const parsed = schema.safeParse(value)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new DataServiceError(this.service, `${this.service} sent ${what} of an unexpected shape (${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid'})`)
    }
    return parsed.data
  }

  /** An error answer as DataServiceError (auth refused, unexpected 4xx). */
  failure(answer: HttpAnswer, what: string, message = excerpt(answer.body)): DataServiceError {
    const why = answer.status === 401 ? 'refused the token' : answer.status === 403 ? 'refused permission' : `answered HTTP ${answer.status}`
    return new DataServiceError(this.service, `${this.service} ${why} for ${what}: ${message}`, answer.status)
  }
}
