/** How one kind of SAM call is timed and retried. Retries happen on 5xx, time-outs and network errors only. */
export interface RetryPolicy {
  /** Per attempt. */
  timeoutMs: number
  /** Attempts after the first. */
  retries: number
  firstDelayMs: number
  factor: number
  maxDelayMs: number
  /** GETs of this kind go through the per-URL circuit breaker (POMS's safe_get). */
  breaker: boolean
}

export type PolicyName = 'summary' | 'count' | 'read' | 'write'

/** POMS's numbers (protocols.md §3.5, poms-reference.md §8.1), with the client's exponential backoff (§3.1). */
export const SAM_POLICIES: Record<PolicyName, RetryPolicy> = {
  // fetch_info: 5 s time-out, urllib3 Retry(total=5, backoff_factor=0.2).
  summary: { timeoutMs: 5_000, retries: 5, firstDelayMs: 200, factor: 2, maxDelayMs: 5_000, breaker: true },
  // count_files_list: up to 10 retries on >= 500.
  count: { timeoutMs: 30_000, retries: 10, firstDelayMs: 500, factor: 2, maxDelayMs: 10_000, breaker: true },
  read: { timeoutMs: 30_000, retries: 5, firstDelayMs: 500, factor: 2, maxDelayMs: 10_000, breaker: true },
  // create_definition, take_snapshot: 3 retries, 5 s apart.
  write: { timeoutMs: 30_000, retries: 3, firstDelayMs: 5_000, factor: 1, maxDelayMs: 5_000, breaker: false },
}

/** The wait before retry number `retry` (1-based). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * policy.factor ** (retry - 1))
}

/** §3.7: retry 5xx only; a 4xx is SAM's final word. */
export const isRetryableStatus = (status: number): boolean => status >= 500
