import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmuClock } from '../emulators/metacat/auth'
import { rfc1123, startRucioEmulator, type RucioEmulator } from '../emulators/rucio/server'

// The Rucio emulator's framing (protocols.md §6.2–6.6): token headers, x-json-stream with an empty
// 200 for nothing, and errors as JSON sent as application/octet-stream plus ExceptionClass headers.

let rucio: RucioEmulator
let token: string

beforeAll(async () => {
  rucio = await startRucioEmulator({ clock: new EmuClock(1_700_000_000), accounts: { poms: 'pw' } })
  const s = rucio.state
  s.addRse('FNAL_DCACHE')
  s.addRse('CERN_TAPE', { type: 'TAPE' })
  s.addRse('DOWN_DISK', { readable: false })
  s.addFile('mc', 'a.root', [{ rse: 'FNAL_DCACHE', state: 'AVAILABLE' }, { rse: 'CERN_TAPE', state: 'AVAILABLE' }])
  s.addFile('mc', 'b.root', [{ rse: 'FNAL_DCACHE', state: 'COPYING' }])
  s.addFile('mc', 'c.root', [])
  s.addFile('mc', 'd.root', [{ rse: 'DOWN_DISK', state: 'AVAILABLE' }])
  s.addDataset('mc', 'ds', ['mc:a.root', 'mc:c.root'])
  s.addDataset('mc', 'empty', [])
  const res = await fetch(`${rucio.url}/auth/userpass`, { headers: { 'X-Rucio-Account': 'poms', 'X-Rucio-Username': 'poms', 'X-Rucio-Password': 'pw' } })
  token = res.headers.get('x-rucio-auth-token')!
})
afterAll(() => rucio.close())

const list = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${rucio.url}/replicas/list`, { method: 'POST', headers: { 'X-Rucio-Auth-Token': token, Accept: 'application/x-json-stream', ...headers }, body: JSON.stringify(body) })

const lines = async (res: Response) =>
  (await res.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { name: string; rses: Record<string, string[]>; pfns: Record<string, { rse: string; type: string }>; states?: Record<string, string> })

describe('Rucio auth', () => {
  it('userpass: an empty 200 with the token, its RFC-1123 expiry and the account in headers', async () => {
    const res = await fetch(`${rucio.url}/auth/userpass`, { headers: { 'X-Rucio-Account': 'poms', 'X-Rucio-Username': 'poms', 'X-Rucio-Password': 'pw' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    expect(res.headers.get('x-rucio-auth-token')).toMatch(/^poms-[0-9a-f]{32}$/)
    expect(res.headers.get('x-rucio-auth-token-expires')).toBe(rfc1123(1_700_000_000 + 3600))
    expect(res.headers.get('x-rucio-auth-token-expires')).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} UTC$/)
    expect(res.headers.get('x-rucio-auth-account')).toBe('poms')
  })

  it('refuses bad credentials and missing tokens with 401 CannotAuthenticate, framed as octet-stream', async () => {
    const bad = await fetch(`${rucio.url}/auth/userpass`, { headers: { 'X-Rucio-Account': 'poms', 'X-Rucio-Username': 'poms', 'X-Rucio-Password': 'no' } })
    expect(bad.status).toBe(401)
    expect(bad.headers.get('content-type')).toBe('application/octet-stream')
    expect(bad.headers.get('exceptionclass')).toBe('CannotAuthenticate')
    expect(await bad.json()).toEqual({ ExceptionClass: 'CannotAuthenticate', ExceptionMessage: 'Cannot authenticate to account poms with given credentials' })
    const none = await fetch(`${rucio.url}/replicas/list`, { method: 'POST', body: '{"dids":[]}' })
    expect([none.status, none.headers.get('exceptionmessage')]).toEqual([401, 'Cannot authenticate with given credentials'])
  })

  it('accepts any JWT, refuses an expired one with "Token found but expired since …"', async () => {
    const jwt = (exp: number) => `e30.${Buffer.from(JSON.stringify({ sub: 'dunepro', exp })).toString('base64url')}.sig`
    const ok = await fetch(`${rucio.url}/auth/validate`, { headers: { 'X-Rucio-Auth-Token': jwt(1_700_009_999) } })
    expect(JSON.parse(await ok.text())).toMatchObject({ account: 'dunepro' })
    const old = await fetch(`${rucio.url}/auth/validate`, { headers: { 'X-Rucio-Auth-Token': jwt(1_600_000_000) } })
    expect(old.status).toBe(401)
    expect(((await old.json()) as { ExceptionMessage: string }).ExceptionMessage).toBe(`Token found but expired since ${rfc1123(1_600_000_000)}`)
  })
})

describe('Rucio replicas', () => {
  it('streams one JSON object per line with pfns and rses, only AVAILABLE replicas on readable RSEs', async () => {
    const res = await list({ dids: [{ scope: 'mc', name: 'a.root' }, { scope: 'mc', name: 'b.root' }, { scope: 'mc', name: 'd.root' }] })
    expect(res.headers.get('content-type')).toBe('application/x-json-stream')
    const [a, b, d] = await lines(res)
    expect(Object.keys(a!.rses).sort()).toEqual(['CERN_TAPE', 'FNAL_DCACHE'])
    expect(Object.values(a!.pfns).map((p) => p.type).sort()).toEqual(['DISK', 'TAPE'])
    expect(a).toMatchObject({ scope: 'mc', name: 'a.root', bytes: 1000 })
    expect(a).not.toHaveProperty('states')
    // Files without (usable) replicas still appear, with empty pfns and rses.
    expect(b).toMatchObject({ name: 'b.root', rses: {}, pfns: {} })
    expect(d).toMatchObject({ name: 'd.root', rses: {} })
  })

  it('all_states adds the replica states and the replicas that are not available', async () => {
    const [b] = await lines(await list({ dids: [{ scope: 'mc', name: 'b.root' }], all_states: true }))
    expect(b!.states).toEqual({ FNAL_DCACHE: 'COPYING' })
    expect(Object.keys(b!.rses)).toEqual(['FNAL_DCACHE'])
  })

  it('expands datasets to their files; zero results is an empty body with status 200', async () => {
    expect((await lines(await list({ dids: [{ scope: 'mc', name: 'ds' }] }))).map((r) => r.name)).toEqual(['a.root', 'c.root'])
    const empty = await list({ dids: [{ scope: 'mc', name: 'empty' }] })
    expect([empty.status, await empty.text()]).toEqual([200, ''])
    const none = await list({ dids: [] })
    expect([none.status, await none.text()]).toEqual([200, ''])
  })

  it('a DID Rucio does not know: 404 DataIdentifierNotFound as octet-stream, with the headers', async () => {
    const res = await list({ dids: [{ scope: 'mc', name: 'a.root' }, { scope: 'mc', name: 'ghost' }] })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect([res.headers.get('exceptionclass'), res.headers.get('exceptionmessage')]).toEqual(['DataIdentifierNotFound', "Data identifier 'mc:ghost' not found"])
    expect(await res.json()).toEqual({ ExceptionClass: 'DataIdentifierNotFound', ExceptionMessage: "Data identifier 'mc:ghost' not found" })
  })

  it('cuts the ExceptionMessage header to 125 characters plus "..." and drops newlines', async () => {
    const long = `x${'y'.repeat(200)}`
    const res = await list({ dids: [{ scope: 'mc', name: long }] })
    const header = res.headers.get('exceptionmessage')!
    expect(header).toHaveLength(128)
    expect(header.endsWith('...')).toBe(true)
    expect(((await res.json()) as { ExceptionMessage: string }).ExceptionMessage).toContain(long)
  })

  it('bad bodies are 400s; an Accept header without x-json-stream is a 406', async () => {
    expect((await list({ nodids: true })).status).toBe(400)
    expect((await list({ dids: [{ scope: 'mc' }] })).status).toBe(400)
    const notJson = await fetch(`${rucio.url}/replicas/list`, { method: 'POST', headers: { 'X-Rucio-Auth-Token': token }, body: '{' })
    expect(notJson.status).toBe(400)
    const metalink = await list({ dids: [{ scope: 'mc', name: 'a.root' }] }, { Accept: 'application/metalink4+xml' })
    expect([metalink.status, metalink.headers.get('exceptionclass')]).toEqual([406, 'UnsupportedRequestedContentType'])
  })

  it('GET /replicas/<scope>/<name> and the DID endpoints', async () => {
    const one = await fetch(`${rucio.url}/replicas/mc/a.root`, { headers: { 'X-Rucio-Auth-Token': token } })
    expect((await lines(one)).map((r) => r.name)).toEqual(['a.root'])
    const did = await fetch(`${rucio.url}/dids/mc/ds`, { headers: { 'X-Rucio-Auth-Token': token } })
    expect(await did.json()).toMatchObject({ scope: 'mc', name: 'ds', type: 'DATASET', length: 2, bytes: 2000 })
    const files = await fetch(`${rucio.url}/dids/mc/ds/files`, { headers: { 'X-Rucio-Auth-Token': token } })
    expect((await files.text()).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(['a.root', 'c.root'])
    const emptyFiles = await fetch(`${rucio.url}/dids/mc/empty/files`, { headers: { 'X-Rucio-Auth-Token': token } })
    expect([emptyFiles.status, await emptyFiles.text()]).toEqual([200, ''])
    const scope = await fetch(`${rucio.url}/dids/nope/x`, { headers: { 'X-Rucio-Auth-Token': token } })
    expect([scope.status, scope.headers.get('exceptionclass')]).toEqual([404, 'ScopeNotFound'])
  })

  it('tokens stop working when the expiry switch is flipped', async () => {
    rucio.expireTokens()
    const res = await list({ dids: [{ scope: 'mc', name: 'a.root' }] })
    expect([res.status, res.headers.get('exceptionclass')]).toEqual([401, 'CannotAuthenticate'])
  })
})
