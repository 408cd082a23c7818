import { createHmac, randomBytes } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/** The emulators' time, in epoch seconds, moved only by the test (idle and worker time-outs, token expiry). */
export class EmuClock {
  constructor(private t = Math.floor(Date.now() / 1000)) {}
  now(): number {
    return this.t
  }
  advance(seconds: number): void {
    this.t += seconds
  }
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url')

/**
 * MetaCat's auth service (protocols.md §4.2): it signs JWTs with its own key and accepts them back
 * in `X-Authentication-Token`, the `auth_token` cookie or `Authorization: Bearer`. Data Dispatcher
 * shares it (§5.1). Bearer tokens registered here stand for SciTokens a `method=token` login accepts.
 */
export class TokenAuthority {
  private readonly key = randomBytes(32)
  private readonly passwords = new Map<string, string>()
  private readonly bearers = new Map<string, string>()
  /** Tokens issued before this instant are refused as expired (the "token expired" switch). */
  private expiredBefore = -Infinity

  constructor(
    readonly clock: EmuClock,
    private readonly lifetimeSeconds = 7 * 24 * 3600,
  ) {}

  setPassword(username: string, password: string): void {
    this.passwords.set(username, password)
  }

  /** A SciToken-like bearer token that `auth?method=token` accepts for `username`. */
  addBearer(token: string, username: string): void {
    this.bearers.set(token, username)
  }

  bearerUser(token: string): string | null {
    return this.bearers.get(token) ?? null
  }

  checkPassword(username: string, password: string): boolean {
    return this.passwords.get(username) === password
  }

  issue(username: string, lifetimeSeconds = this.lifetimeSeconds): string {
    const iat = this.clock.now()
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
    // A random jti keeps two tokens issued in the same second apart.
    const body = b64url(JSON.stringify({ sub: username, iat, exp: iat + lifetimeSeconds, iss: 'metacat-emulator', jti: randomBytes(6).toString('hex') }))
    const sig = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url')
    return `${head}.${body}.${sig}`
  }

  /** Every token issued so far stops working (the next use answers 401 "Token expired"). */
  expireAll(): void {
    this.expiredBefore = this.clock.now() + 1
  }

  verify(encoded: string): { username: string } | { error: string } {
    const parts = encoded.split('.')
    if (parts.length !== 3) return { error: 'Token verification failed' }
    const [head, body, sig] = parts as [string, string, string]
    const expected = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url')
    if (sig !== expected) return { error: 'Token verification failed' }
    let claims: { sub?: string; exp?: number; iat?: number }
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as typeof claims
    } catch {
      return { error: 'Token verification failed' }
    }
    if (typeof claims.exp !== 'number' || claims.exp <= this.clock.now() || (claims.iat ?? 0) < this.expiredBefore) return { error: 'Token expired' }
    if (!claims.sub) return { error: 'Token verification failed' }
    return { username: claims.sub }
  }

  /** auth_core.token_from_request: cookie, then the header, then `Authorization: Bearer`. */
  userFromRequest(headers: IncomingHttpHeaders): { username: string } | { error: string } {
    const cookie = /(?:^|;\s*)auth_token=([^;]+)/.exec(headers.cookie ?? '')?.[1]
    const header = headers['x-authentication-token']
    let encoded = cookie ?? (Array.isArray(header) ? header[0] : header)
    if (!encoded) {
      const m = /^bearer\s+(\S+)/i.exec(headers.authorization ?? '')
      encoded = m?.[1]
    }
    if (!encoded) return { error: 'Token not found' }
    return this.verify(encoded)
  }
}
