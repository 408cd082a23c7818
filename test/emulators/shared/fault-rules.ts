/** Which requests a switch applies to: a substring of or a pattern for the request path, and a method. */
export interface FaultMatch {
  path?: string | RegExp
  method?: string
}

interface Rule<A> {
  remaining: number
  match: FaultMatch
  action: A
}

const matches = (m: FaultMatch, method: string, path: string): boolean =>
  (m.method === undefined || m.method.toUpperCase() === method) &&
  (m.path === undefined || (typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path)))

/**
 * The switches a test flips on an emulator: the next `count` matching requests get a forced answer
 * (`A`, each emulator's own kinds), and matching requests can be slowed down.
 */
export class FaultRules<A> {
  private rules: Rule<A>[] = []
  private delays: { ms: number; match: FaultMatch }[] = []

  failNext(count: number, action: A, match: FaultMatch = {}): void {
    this.rules.push({ remaining: count, match, action })
  }

  /** The forced answer for this request, if a rule still has uses left (first rule wins). */
  take(method: string, path: string): A | null {
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
  }
}
