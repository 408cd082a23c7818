import { systemClock, type Clock, type Logger } from '../../../ports'
import { APP_VERSION } from '../../../version'
import { DataServiceError } from '../data-handler'
import { createCircuitBreaker, isFaultStatus, type CircuitBreaker } from './circuit-breaker'
import { backoffDelay, isRetryableStatus, SAM_POLICIES, type PolicyName, type RetryPolicy } from './retry-policy'
import { httpError, isQueryLimit, SAM_SERVICE, SamQueryLimitError, SamRequestSkipped, serverMessage, shortUrl } from './sam-errors'
import { resolveToken, type SamTokenSource } from './sam-token'

export interface SamHttpOptions {
  /** `<base>/sam/<exp>/api`. */
  apiBase: string
  token?: SamTokenSource
  fetch?: typeof fetch
  clock?: Clock
  /** Waits between retries (tests pass one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>
  breaker?: CircuitBreaker
  /** Retries and breaker trips are logged here (URLs only; never the token). */
  logger?: Logger
  /** Changes to the built-in policies, per kind of call. */
  policies?: Partial<Record<PolicyName, Partial<RetryPolicy>>>
}

export interface SamCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** Relative to the API base, segments already encoded. */
  path: string
  query?: Record<string, string>
  /** Sent form-encoded, as SAM takes POST parameters. */
  form?: Record<string, string>
  policy: PolicyName
  /** Error statuses the caller handles itself (404 for lookups, 409 for create) instead of an exception. */
  accept?: readonly number[]
  signal?: AbortSignal
}

export interface SamAnswer {
  method: string
  url: string
  status: number
  contentType: string
  text: string
  attempts: number
}

/** What one attempt ended with, when it did not end with an answer to return. */
type Failure = { status: number | null; error: DataServiceError }

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * HTTP to SAM web: a time-out per attempt, retries with backoff on 5xx, time-outs and network
 * errors (never on 4xx), a per-URL circuit breaker on GETs, and errors that carry SAM's status
 * and message (protocols.md §3.1, §3.5, §3.7; poms-reference.md §1.17).
 */
export class SamHttp {
  readonly apiBase: string
  readonly breaker: CircuitBreaker
  private readonly fetchImpl: typeof fetch
  private readonly sleep: (ms: number) => Promise<void>
  private readonly policies: Record<PolicyName, RetryPolicy>

  constructor(private readonly options: SamHttpOptions) {
    this.apiBase = options.apiBase.replace(/\/+$/, '')
    this.fetchImpl = options.fetch ?? fetch
    this.sleep = options.sleep ?? defaultSleep
    this.breaker = options.breaker ?? createCircuitBreaker({ clock: options.clock ?? systemClock })
    this.policies = Object.fromEntries(
      (Object.keys(SAM_POLICIES) as PolicyName[]).map((name) => [name, { ...SAM_POLICIES[name], ...(options.policies?.[name] ?? {}) }]),
    ) as Record<PolicyName, RetryPolicy>
  }

  urlOf(call: Pick<SamCall, 'path' | 'query'>): string {
    const query = call.query ? new URLSearchParams(call.query).toString() : ''
    return `${this.apiBase}/${call.path}${query ? `?${query}` : ''}`
  }

  async request(call: SamCall): Promise<SamAnswer> {
    const policy = this.policies[call.policy]
    const url = this.urlOf(call)
    const guarded = policy.breaker && call.method === 'GET'
    if (guarded) {
      const fault = this.breaker.blocking(url)
      if (fault) throw new SamRequestSkipped(call.method, fault)
    }
    let last: Failure | null = null
    for (let attempt = 1; attempt <= policy.retries + 1; attempt++) {
      if (attempt > 1) {
        const delayMs = backoffDelay(policy, attempt - 1)
        this.options.logger?.warn('SAM request failed; retrying', { url: shortUrl(url), attempt, delayMs, reason: last!.error.message })
        await this.sleep(delayMs)
      }
      const outcome = await this.attempt(call, url, policy, attempt)
      if ('answer' in outcome) {
        if (guarded) this.breaker.recordSuccess(url)
        return outcome.answer
      }
      last = outcome
      if (!outcome.retry || call.signal?.aborted) break
    }
    const failure = last!
    // A cancelled call says nothing about the URL.
    if (guarded && !call.signal?.aborted) {
      if (isFaultStatus(failure.status)) {
        this.breaker.recordFailure(url, failure.status, failure.error.message)
        this.options.logger?.warn('SAM URL failed; skipping it for a while', { url: shortUrl(url), status: failure.status })
      } else {
        this.breaker.recordSuccess(url)
      }
    }
    throw failure.error
  }

  private async attempt(call: SamCall, url: string, policy: RetryPolicy, attempt: number): Promise<{ answer: SamAnswer } | (Failure & { retry: boolean })> {
    const timeout = AbortSignal.timeout(policy.timeoutMs)
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': `POMS-Desktop/${APP_VERSION}`,
    }
    const token = await resolveToken(this.options.token)
    if (token) headers.Authorization = `Bearer ${token}`
    let body: string | undefined
    if (call.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(call.form).toString()
    }
    let status: number
    let contentType: string
    let text: string
    try {
      const res = await this.fetchImpl(url, { method: call.method, headers, body, signal })
      status = res.status
      contentType = res.headers.get('content-type') ?? ''
      text = await res.text()
    } catch (err) {
      const where = `SAM ${call.method} ${shortUrl(url)}`
      const tries = attempt > 1 ? ` (after ${attempt} attempts)` : ''
      if (call.signal?.aborted) return { status: null, retry: false, error: new DataServiceError(SAM_SERVICE, `${where} was cancelled`) }
      if (timeout.aborted) return { status: null, retry: true, error: new DataServiceError(SAM_SERVICE, `${where} timed out after ${policy.timeoutMs} ms${tries}`) }
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      const reason = cause?.code ?? cause?.message ?? (err as Error).message
      return { status: null, retry: true, error: new DataServiceError(SAM_SERVICE, `${where} failed: ${reason}${tries}`) }
    }
    if ((status >= 200 && status < 300) || call.accept?.includes(status)) {
      return { answer: { method: call.method, url, status, contentType, text, attempts: attempt } }
    }
    // "query limit" is SAM's final word whatever the status: retrying cannot help.
    if (isQueryLimit(serverMessage(text, contentType).message)) {
      return { status, retry: false, error: new SamQueryLimitError(call.method, url, status, text, contentType) }
    }
    return { status, retry: isRetryableStatus(status), error: httpError(call.method, url, status, text, contentType, attempt) }
  }
}
