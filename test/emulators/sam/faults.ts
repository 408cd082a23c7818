import { FaultRules } from '../shared/fault-rules'

export type { FaultMatch } from '../shared/fault-rules'

/** A response a test forces on the emulator, in place of the real answer. */
export interface CannedResponse {
  status: number
  body?: string
  contentType?: string
  headers?: Record<string, string>
}

/** `'reset'` drops the connection without an answer (a network error for the client). */
export type FaultAction = CannedResponse | 'reset'

/**
 * The switches a test flips to reproduce protocols.md §3.7: 5xx storms, garbage bodies, dropped
 * connections, slow answers, the query limit, a required token, files still staging.
 */
export class Faults extends FaultRules<FaultAction> {
  queryLimit: number | null = null
  token: { value: string; writesOnly: boolean } | null = null
  staging = { remaining: 0, retryAfterSeconds: 1 }

  override reset(): void {
    super.reset()
    this.queryLimit = null
    this.token = null
    this.staging = { remaining: 0, retryAfterSeconds: 1 }
  }
}
