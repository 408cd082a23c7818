import { readFile } from 'node:fs/promises'
import { DataServiceError } from '../data-handler'
import { HttpTransport, type HttpPolicy, type TokenProvider } from './http'

/**
 * Where MetaCat and Data Dispatcher tokens come from (protocols.md §4.2): a fixed token, POMS's
 * token library file, or a login to MetaCat's auth service with a bearer (SciToken) token. Data
 * Dispatcher accepts the same MetaCat token.
 */

/** The `exp` claim of a JWT, in epoch seconds, or null for tokens that are not JWTs. */
export function jwtExpiry(token: string): number | null {
  const part = token.split('.')[1]
  if (!part) return null
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown }
    return typeof claims.exp === 'number' ? claims.exp : null
  } catch {
    return null
  }
}

export function staticToken(value: string): TokenProvider {
  return { token: async () => value, refresh: async () => value }
}

/**
 * metacat common/token_lib.py: one `<server_url> <token>` line per server; expired tokens are
 * skipped. The file is read again on every refresh, so a token renewed outside the app is picked up.
 */
export function tokenLibraryFile(path: string, serverUrl: string, now: () => number = () => Date.now() / 1000): TokenProvider {
  let cached: string | null = null
  const load = async () => {
    let content: string
    try {
      content = await readFile(path, 'utf8')
    } catch (err) {
      throw new DataServiceError('MetaCat', `cannot read the token library ${path}: ${(err as Error).message}`, 401)
    }
    const want = serverUrl.replace(/\/+$/, '')
    for (const line of content.split('\n')) {
      const [url, token] = line.trim().split(/\s+/)
      if (!url || !token || url.replace(/\/+$/, '') !== want) continue
      const exp = jwtExpiry(token)
      if (exp !== null && exp <= now()) continue
      cached = token
      return token
    }
    throw new DataServiceError('MetaCat', `No token found for ${serverUrl} in ${path}`, 401)
  }
  return { token: async () => cached ?? (await load()), refresh: load }
}

/**
 * `POST <authUrl>/auth?method=token&username=<u>` with `Authorization: Bearer <scitoken>`: the answer
 * is an empty 200 with the MetaCat token in `X-Authentication-Token` (auth_handler.py auth). The
 * token is reused until a minute before it expires.
 */
export function metacatTokenLogin(opts: { authUrl: string; username?: string; bearer: () => Promise<string>; policy?: Partial<HttpPolicy>; now?: () => number }): TokenProvider {
  const http = new HttpTransport('MetaCat auth', opts.policy)
  const now = opts.now ?? (() => Date.now() / 1000)
  let cached: { token: string; exp: number | null } | null = null
  const login = async () => {
    const query = new URLSearchParams({ method: 'token', ...(opts.username ? { username: opts.username } : {}) })
    const answer = await http.send({ method: 'POST', url: `${opts.authUrl.replace(/\/+$/, '')}/auth?${query}`, headers: { Authorization: `Bearer ${await opts.bearer()}` }, body: '', idempotent: true })
    const token = answer.headers.get('x-authentication-token')
    if (answer.status !== 200) throw http.failure(answer, 'the token login')
    if (!token) throw new DataServiceError(http.service, 'the token login answered 200 without an X-Authentication-Token header', 200)
    cached = { token, exp: jwtExpiry(token) }
    return token
  }
  return {
    token: async () => (cached && (cached.exp === null || cached.exp - 60 > now()) ? cached.token : await login()),
    refresh: login,
  }
}
