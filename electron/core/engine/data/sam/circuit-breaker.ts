import { systemClock, type Clock } from '../../../ports'

/** A URL that failed, POMS's `faulty_requests` row (poms-reference.md §1.17). */
export interface FaultyRequest {
  url: string
  /** The HTTP status, or null for a time-out or a network error. */
  status: number | null
  message: string
  firstSeen: number
  lastSeen: number
  /** When the URL is tried again. */
  retryAt: number
  /** Failures in a row. */
  ntries: number
}

export interface CircuitBreaker {
  /** The fault that still blocks this URL, or null when it may be tried. */
  blocking(url: string): FaultyRequest | null
  recordFailure(url: string, status: number | null, message: string): void
  recordSuccess(url: string): void
  /** Every recorded fault, newest first, including ones whose window has passed. */
  faults(): FaultyRequest[]
  /** Forget one URL's fault (say, after fixing a token) or all of them. */
  reset(url?: string): void
}

/** POMS: 200, 400 and 404 are answers; any other status (or none) is a fault. Other 2xx are answers too. */
export const isFaultStatus = (status: number | null): boolean => status === null || (!(status >= 200 && status < 300) && status !== 400 && status !== 404)

/** POMS skips a SAM URL for 10 minutes after it failed (`samweb_lite.safe_get`). */
export const FAULT_WINDOW_MS = 10 * 60 * 1000

/** Per-URL: one bad query does not block the others. */
export function createCircuitBreaker(options: { clock?: Clock; windowMs?: number } = {}): CircuitBreaker {
  const clock = options.clock ?? systemClock
  const windowMs = options.windowMs ?? FAULT_WINDOW_MS
  const faults = new Map<string, FaultyRequest>()
  return {
    blocking(url) {
      const fault = faults.get(url)
      return fault && clock.now() < fault.retryAt ? fault : null
    },
    recordFailure(url, status, message) {
      const now = clock.now()
      const previous = faults.get(url)
      faults.set(url, {
        url,
        status,
        message,
        firstSeen: previous?.firstSeen ?? now,
        lastSeen: now,
        retryAt: now + windowMs,
        ntries: (previous?.ntries ?? 0) + 1,
      })
    },
    recordSuccess(url) {
      faults.delete(url)
    },
    faults() {
      return [...faults.values()].sort((a, b) => b.lastSeen - a.lastSeen)
    },
    reset(url) {
      if (url === undefined) faults.clear()
      else faults.delete(url)
    },
  }
}
