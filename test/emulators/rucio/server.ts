import { randomBytes } from 'node:crypto'
import { EmuClock } from '../metacat/auth'
import { Faults, reply, serve, text, type EmuReply, type EmuRequest } from '../metacat/http-kit'

/**
 * The part of Rucio a data handler needs (protocols.md §6, rucio flaskapi/v1 @2e14c417): token
 * login, DIDs, and replicas, with Rucio's framing — `application/x-json-stream` with an **empty 200
 * for zero results**, and errors as JSON `{ExceptionClass, ExceptionMessage}` sent as
 * **`application/octet-stream`** with the same two values as headers.
 */

export interface RucioFile {
  scope: string
  name: string
  bytes: number
  adler32: string
  md5: string
}

export interface RucioReplica {
  rse: string
  state: 'AVAILABLE' | 'UNAVAILABLE' | 'COPYING' | 'BEING_DELETED' | 'BAD' | 'TEMPORARY_UNAVAILABLE'
}

export interface RucioRse {
  name: string
  id: string
  type: 'DISK' | 'TAPE'
  /** Readable (availability_read); unavailable RSEs are skipped unless ignore_availability. */
  readable: boolean
  prefix: string
}

export class RucioState {
  readonly files = new Map<string, RucioFile>()
  /** Datasets and containers: `scope:name` → member DIDs. */
  readonly collections = new Map<string, { type: 'DATASET' | 'CONTAINER'; members: string[] }>()
  readonly replicas = new Map<string, RucioReplica[]>()
  readonly rses = new Map<string, RucioRse>()

  addRse(name: string, opts: Partial<Omit<RucioRse, 'name'>> = {}): void {
    this.rses.set(name, { name, id: randomBytes(16).toString('hex'), type: 'DISK', readable: true, prefix: `root://${name.toLowerCase()}.invalid:1094//rucio`, ...opts })
  }

  addFile(scope: string, name: string, replicas: RucioReplica[] = [], bytes = 1000): void {
    const did = `${scope}:${name}`
    this.files.set(did, { scope, name, bytes, adler32: randomBytes(4).toString('hex'), md5: randomBytes(16).toString('hex') })
    this.replicas.set(did, replicas)
  }

  addDataset(scope: string, name: string, members: string[], type: 'DATASET' | 'CONTAINER' = 'DATASET'): void {
    this.collections.set(`${scope}:${name}`, { type, members })
  }

  /** The files under a DID (a file is its own single member); null when the DID does not exist. */
  expand(did: string): RucioFile[] | null {
    const f = this.files.get(did)
    if (f) return [f]
    const c = this.collections.get(did)
    if (!c) return null
    return c.members.flatMap((m) => this.expand(m) ?? [])
  }
}

export interface RucioEmulatorOptions {
  clock?: EmuClock
  /** Accounts and passwords for `/auth/userpass`. */
  accounts?: Record<string, string>
  tokenLifetimeSeconds?: number
}

export interface RucioEmulator {
  url: string
  state: RucioState
  clock: EmuClock
  faults: Faults
  log: string[]
  /** Every opaque token issued so far stops working. */
  expireTokens(): void
  close(): Promise<void>
}

/** rfc1123: `Mon, 01 Apr 2024 12:00:00 UTC` (rucio common/utils.py). */
export function rfc1123(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toUTCString().replace('GMT', 'UTC')
}

/** common.py generate_http_error_flask: the body as octet-stream plus the two headers, cut to 125 characters. */
export function rucioError(status: number, exceptionClass: string, message: string): EmuReply {
  const clean = message.replace(/\n/g, ' ')
  const header = clean.length > 125 ? `${clean.slice(0, 125)}...` : clean
  return reply(status, JSON.stringify({ ExceptionClass: exceptionClass, ExceptionMessage: message }), 'application/octet-stream', {
    ExceptionClass: exceptionClass,
    ExceptionMessage: header,
  })
}

const stream = (records: unknown[]): EmuReply => reply(200, records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'application/x-json-stream')

export async function startRucioEmulator(opts: RucioEmulatorOptions = {}): Promise<RucioEmulator> {
  const clock = opts.clock ?? new EmuClock()
  const state = new RucioState()
  const faults = new Faults()
  const log: string[] = []
  const accounts = new Map(Object.entries(opts.accounts ?? { poms: 'secret' }))
  const lifetime = opts.tokenLifetimeSeconds ?? 3600
  const tokens = new Map<string, { account: string; expires: number }>()

  /** Opaque tokens we issued, or any JWT (an OIDC token the server would validate against its issuer). */
  function account(req: EmuRequest): string | EmuReply {
    const token = req.headers['x-rucio-auth-token']
    const value = Array.isArray(token) ? token[0] : token
    const denied = rucioError(401, 'CannotAuthenticate', 'Cannot authenticate with given credentials')
    if (!value) return denied
    const issued = tokens.get(value)
    if (issued) return issued.expires > clock.now() ? issued.account : denied
    const parts = value.split('.')
    if (parts.length !== 3) return denied
    try {
      const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub?: string; exp?: number }
      if (typeof claims.exp === 'number' && claims.exp <= clock.now()) return rucioError(401, 'CannotAuthenticate', `Token found but expired since ${rfc1123(claims.exp)}`)
      return claims.sub ?? 'jwt'
    } catch {
      return denied
    }
  }

  /** Replica records of list_replicas for some files (core/replica.py), with only usable replicas unless asked. */
  function records(files: RucioFile[], allStates: boolean, ignoreAvailability: boolean): unknown[] {
    return files.map((f) => {
      const pfns: Record<string, unknown> = {}
      const rses: Record<string, string[]> = {}
      const states: Record<string, string> = {}
      let priority = 1
      for (const r of state.replicas.get(`${f.scope}:${f.name}`) ?? []) {
        const rse = state.rses.get(r.rse)
        if (!rse || (!ignoreAvailability && !rse.readable)) continue
        if (!allStates && r.state !== 'AVAILABLE') continue
        const pfn = `${rse.prefix}/${f.scope}/${f.name}`
        pfns[pfn] = { rse_id: rse.id, rse: rse.name, type: rse.type, volatile: false, domain: 'wan', priority: priority++, client_extract: false }
        rses[rse.name] = [pfn]
        states[rse.name] = r.state
      }
      return { scope: f.scope, name: f.name, bytes: f.bytes, md5: f.md5, adler32: f.adler32, pfns, rses, ...(allStates ? { states } : {}) }
    })
  }

  /** Only x-json-stream is served; an Accept header that allows neither it nor anything gives 406. */
  function acceptsStream(req: EmuRequest): boolean {
    const accept = req.headers.accept
    return !accept || accept.includes('application/x-json-stream') || accept.includes('*/*')
  }

  const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '))

  function route(req: EmuRequest): EmuReply {
    const segs = req.path.split('/').filter(Boolean)
    if (segs[0] === 'auth') {
      if (segs[1] === 'userpass' && req.method === 'GET') {
        const acct = String(req.headers['x-rucio-account'] ?? '')
        const user = String(req.headers['x-rucio-username'] ?? '')
        const pass = String(req.headers['x-rucio-password'] ?? '')
        if (!acct || accounts.get(user) !== pass || user !== acct) return rucioError(401, 'CannotAuthenticate', `Cannot authenticate to account ${acct} with given credentials`)
        const token = `${acct}-${randomBytes(16).toString('hex')}`
        const expires = clock.now() + lifetime
        tokens.set(token, { account: acct, expires })
        return reply(200, '', 'application/octet-stream', { 'X-Rucio-Auth-Token': token, 'X-Rucio-Auth-Token-Expires': rfc1123(expires), 'X-Rucio-Auth-Account': acct })
      }
      if (segs[1] === 'validate') {
        const who = account(req)
        if (typeof who !== 'string') return who
        return text(JSON.stringify({ account: who, lifetime: rfc1123(clock.now() + lifetime) }))
      }
      return rucioError(404, 'MethodNotFound', 'Unknown authentication method')
    }
    const who = account(req)
    if (typeof who !== 'string') return who
    if (segs[0] === 'replicas') {
      if (!acceptsStream(req)) return rucioError(406, 'UnsupportedRequestedContentType', 'The requested content type is not supported by this emulator')
      let dids: string[]
      let allStates = false
      let ignoreAvailability = false
      if (req.method === 'POST' && segs[1] === 'list') {
        let spec: { dids?: { scope?: string; name?: string }[]; all_states?: boolean; ignore_availability?: boolean }
        try {
          spec = JSON.parse(req.body) as typeof spec
        } catch {
          return rucioError(400, 'ValueError', 'Cannot decode json parameter list')
        }
        if (!Array.isArray(spec.dids)) return rucioError(400, 'KeyError', "'dids' not defined")
        if (spec.dids.some((d) => typeof d.scope !== 'string' || typeof d.name !== 'string')) return rucioError(400, 'InvalidObject', 'Provided object does not match schema')
        dids = spec.dids.map((d) => `${d.scope}:${d.name}`)
        allStates = spec.all_states === true
        ignoreAvailability = spec.ignore_availability === true
      } else if (req.method === 'GET' && segs.length >= 3) {
        dids = [`${decode(segs[1]!)}:${decode(segs.slice(2).join('/'))}`]
      } else return rucioError(405, 'MethodNotAllowed', 'Method not allowed')
      const files: RucioFile[] = []
      for (const did of dids) {
        const found = state.expand(did)
        if (!found) return rucioError(404, 'DataIdentifierNotFound', `Data identifier '${did}' not found`)
        files.push(...found)
      }
      // Zero results is an empty body with status 200, not `[]`.
      return stream(records(files, allStates, ignoreAvailability))
    }
    if (segs[0] === 'dids' && req.method === 'GET' && segs.length >= 3) {
      const scope = decode(segs[1]!)
      const tail = segs.slice(2).map(decode)
      const sub = tail.length > 1 && (tail.at(-1) === 'files' || tail.at(-1) === 'dids') ? tail.pop() : undefined
      const did = `${scope}:${tail.join('/')}`
      if (![...state.files.values()].some((f) => f.scope === scope) && ![...state.collections.keys()].some((k) => k.startsWith(`${scope}:`))) return rucioError(404, 'ScopeNotFound', `Scope '${scope}' not found`)
      const file = state.files.get(did)
      const coll = state.collections.get(did)
      if (!file && !coll) return rucioError(404, 'DataIdentifierNotFound', `Data identifier '${did}' not found`)
      if (sub === 'files') {
        if (!acceptsStream(req)) return rucioError(406, 'UnsupportedRequestedContentType', 'The requested content type is not supported')
        return stream((state.expand(did) ?? []).map((f) => ({ scope: f.scope, name: f.name, bytes: f.bytes, adler32: f.adler32, guid: null, events: null })))
      }
      if (sub === 'dids') {
        const members = coll?.members ?? []
        return stream(members.map((m) => {
          const [s, n] = m.split(':', 2) as [string, string]
          return { scope: s, name: n, type: state.files.has(m) ? 'FILE' : state.collections.get(m)!.type, bytes: state.files.get(m)?.bytes ?? null, adler32: state.files.get(m)?.adler32 ?? null, md5: state.files.get(m)?.md5 ?? null }
        }))
      }
      if (file) return reply(200, JSON.stringify({ scope, name: file.name, type: 'FILE', account: who, bytes: file.bytes, length: 1, md5: file.md5, adler32: file.adler32 }), 'application/json')
      const files = state.expand(did) ?? []
      return reply(200, JSON.stringify({ scope, name: tail.join('/'), type: coll!.type, account: who, bytes: files.reduce((n, f) => n + f.bytes, 0), length: files.length, md5: null, adler32: null, open: true, monotonic: false, expired_at: null }), 'application/json')
    }
    return rucioError(404, 'MethodNotFound', `No route for ${req.method} ${req.path}`)
  }

  const server = await serve(route, faults, log)
  return {
    url: server.origin,
    state,
    clock,
    faults,
    log,
    expireTokens: () => {
      for (const t of tokens.values()) t.expires = clock.now()
    },
    close: server.close,
  }
}
