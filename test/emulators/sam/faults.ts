/** A response a test forces on the emulator, in place of the real answer. */
export interface CannedResponse {
  status: number
  body?: string
  contentType?: string
  headers?: Record<string, string>
}

/** `'reset'` drops the connection without an answer (a network error for the client). */
export type FaultAction = CannedResponse | 'reset'

/** Which requests a switch applies to: a substring of or a pattern for the path after `/api/`, and a method. */
export interface FaultMatch {
  path?: string | RegExp
  method?: string
}

interface Rule {
  remaining: number
  match: FaultMatch
  action: FaultAction
}

const matches = (m: FaultMatch, method: string, path: string): boolean =>
  (m.method === undefined || m.method.toUpperCase() === method) &&
  (m.path === undefined || (typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path)))

/**
 * The switches a test flips to reproduce protocols.md §3.7: 5xx storms, garbage bodies, dropped
 * connections, slow answers, the query limit, a required token, files still staging.
 */
export class Faults {
  private rules: Rule[] = []
  private delays: { ms: number; match: FaultMatch }[] = []
  queryLimit: number | null = null
  token: { value: string; writesOnly: boolean } | null = null
  staging = { remaining: 0, retryAfterSeconds: 1 }

  failNext(count: number, action: FaultAction, match: FaultMatch = {}): void {
    this.rules.push({ remaining: count, match, action })
  }

  /** The forced answer for this request, if a rule still has uses left (first rule wins). */
  take(method: string, path: string): FaultAction | null {
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.match, method, path))
    if (!rule) return null
    rule.remaining--
    return rule.action
  }

  /** Every matching request waits `ms` before it is answered, until `delay(0)`. */
  delay(ms: number, match: FaultMatch = {}): void {
    if (ms <= 0) this.delays = []
    else this.delays.push({ ms, match })
  }

  delayFor(method: string, path: string): number {
    return Math.max(0, ...this.delays.filter((d) => matches(d.match, method, path)).map((d) => d.ms))
  }

  reset(): void {
    this.rules = []
    this.delays = []
    this.queryLimit = null
    this.token = null
    this.staging = { remaining: 0, retryAfterSeconds: 1 }
  }
}
