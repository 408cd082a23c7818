/** Why an SSH operation failed, in terms a person and the engine can act on. */
export type SshFailure =
  | 'connect' // TCP connection refused, unreachable, or timed out
  | 'auth' // the server refused every credential
  | 'host-key-unknown' // first contact: a person must confirm the key before we trust it
  | 'host-key-mismatch' // the key changed since it was pinned: refused, both fingerprints shown
  | 'timeout' // the command ran longer than allowed
  | 'cancelled' // the caller gave up (AbortSignal)
  | 'closed' // the connection dropped while the command ran
  | 'channel' // the server refused a session (MaxSessions) or the exec request

export interface HostKeyDetails {
  host: string
  port: number
  keyType: string
  /** OpenSSH's form: `SHA256:` + unpadded base64 of the key blob's SHA-256. */
  fingerprint: string
  /** The pinned fingerprint, for a mismatch. */
  expected?: string
}

export class SshError extends Error {
  constructor(
    readonly failure: SshFailure,
    message: string,
    readonly hostKey?: HostKeyDetails,
  ) {
    super(message)
    this.name = 'SshError'
  }

  /** Transient failures are retried by the engine with backoff; the others need a person. */
  get transient(): boolean {
    return this.failure === 'connect' || this.failure === 'closed' || this.failure === 'channel' || this.failure === 'timeout'
  }
}
