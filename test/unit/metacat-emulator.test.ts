import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmuClock, TokenAuthority } from '../emulators/metacat/auth'
import { startMetacatEmulator, type MetacatEmulator } from '../emulators/metacat/server'

// The MetaCat emulator's wire formats (protocols.md §4.2–4.7), checked with plain fetch.

let mc: MetacatEmulator
let token: string
const RS = '\u001e'

beforeAll(async () => {
  const clock = new EmuClock(1_700_000_000)
  const auth = new TokenAuthority(clock, 3600)
  auth.addBearer('scitoken-abc', 'poms')
  mc = await startMetacatEmulator({ auth })
  mc.catalog.addNamespace('mc', 'poms')
  mc.catalog.addDataset('mc', 'raw', { creator: 'poms' })
  mc.catalog.declare(
    Array.from({ length: 4 }, (_, i) => ({ namespace: 'mc', name: `f${i}.root`, size: 10 * (i + 1), created_timestamp: clock.now() + i, metadata: { 'core.run_number': 100 + i } })),
    'mc:raw',
  )
  token = mc.auth.issue('poms')
})
afterAll(() => mc.close())

const data = (method: string, init?: RequestInit) => fetch(`${mc.url}/data/${method}`, init)
const auth = (method: string, init?: RequestInit) => fetch(`${mc.authUrl}/${method}`, init)
const withToken = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), 'X-Authentication-Token': token } })

describe('MetaCat auth service', () => {
  it('logs in with a bearer token: an empty 200 with the JWT in X-Authentication-Token', async () => {
    const res = await auth('auth?method=token&username=poms', { method: 'POST', headers: { Authorization: 'Bearer scitoken-abc' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('')
    const jwt = res.headers.get('x-authentication-token')!
    expect(jwt.split('.')).toHaveLength(3)
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number }
    expect(claims.sub).toBe('poms')
    expect(claims.exp).toBe(mc.clock.now() + 3600)
  })

  it('refuses an unknown bearer token, or one for another user, with 401 text', async () => {
    for (const [query, bearer] of [
      ['method=token', 'forged'],
      ['method=token&username=someone', 'scitoken-abc'],
      ['method=x509&username=poms', 'scitoken-abc'],
    ] as const) {
      const res = await auth(`auth?${query}`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` } })
      expect(res.status).toBe(401)
      expect(await res.text()).toBe('Authentication failed\n')
    }
  })

  it('verifies a token from the header, the auth_token cookie or Authorization: Bearer', async () => {
    for (const headers of [{ 'X-Authentication-Token': token }, { Cookie: `auth_token=${token}` }, { Authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const res = await auth('verify', { headers })
      expect([res.status, await res.text()]).toEqual([200, 'OK'])
    }
    const none = await auth('verify')
    expect([none.status, await none.text()]).toEqual([401, 'Token not found'])
    const forged = await auth('verify', { headers: { 'X-Authentication-Token': `${token.slice(0, -2)}xx` } })
    expect([forged.status, await forged.text()]).toEqual([401, 'Token verification failed'])
    expect(await (await auth('whoami', { headers: { 'X-Authentication-Token': token } })).text()).toBe('poms')
  })

  it('answers 401 "Token expired" once the token is past its exp, or after the expire switch', async () => {
    const shortLived = mc.auth.issue('poms', 10)
    mc.clock.advance(11)
    const res = await auth('verify', { headers: { 'X-Authentication-Token': shortLived } })
    expect([res.status, await res.text()]).toEqual([401, 'Token expired'])
    const before = mc.auth.issue('poms')
    mc.auth.expireAll()
    expect((await auth('verify', { headers: { 'X-Authentication-Token': before } })).status).toBe(401)
    mc.clock.advance(1)
    token = mc.auth.issue('poms')
    expect((await auth('verify', { headers: { 'X-Authentication-Token': token } })).status).toBe(200)
  })
})

describe('MetaCat data/query', () => {
  it('streams application/json-seq: RS, one JSON record, LF, per file', async () => {
    const res = await data('query?with_meta=no', { method: 'POST', body: 'files from mc:raw ordered' })
    expect(res.headers.get('content-type')).toBe('application/json-seq')
    const body = await res.text()
    const records = body.split('\n').slice(0, -1)
    expect(records).toHaveLength(4)
    for (const r of records) expect(r.startsWith(RS)).toBe(true)
    expect(body.endsWith('\n')).toBe(true)
    const first = JSON.parse(records[0]!.slice(1)) as Record<string, unknown>
    expect(first).toMatchObject({ namespace: 'mc', name: 'f0.root', retired: false, size: 10, creator: 'admin' })
    expect(typeof first.fid).toBe('string')
    expect(typeof first.created_timestamp).toBe('number')
    expect(first).not.toHaveProperty('metadata')
    expect(first).not.toHaveProperty('parents')
  })

  it('takes the query from ?query= too, and adds metadata and provenance when asked', async () => {
    const q = encodeURIComponent('files from mc:raw where core.run_number = 102')
    const res = await data(`query?query=${q}&with_meta=yes&with_provenance=yes`)
    const [rec] = (await res.text()).split('\n').filter(Boolean).map((l) => JSON.parse(l.slice(1)) as Record<string, unknown>)
    expect(rec).toMatchObject({ name: 'f2.root', metadata: { 'core.run_number': 102 }, parents: [], children: [] })
  })

  it('answers an empty query with [] as application/json, and a query matching nothing with an empty stream', async () => {
    const empty = await data('query', { method: 'POST', body: '  ' })
    expect([empty.headers.get('content-type'), await empty.text()]).toEqual(['application/json', '[]'])
    const none = await data('query', { method: 'POST', body: 'files from mc:raw where core.run_number > 1000' })
    expect([none.status, none.headers.get('content-type'), await none.text()]).toEqual([200, 'application/json-seq', ''])
  })

  it('summary=count gives {count, total_size}', async () => {
    const res = await data('query?summary=count', { method: 'POST', body: 'files from mc:raw' })
    expect(await res.json()).toEqual({ count: 4, total_size: 100 })
    const zero = await data('query?summary=count', { method: 'POST', body: 'files from mc:nothing' })
    expect(await zero.json()).toEqual({ count: 0, total_size: 0 })
    expect((await data('query?summary=sizes', { method: 'POST', body: 'files from mc:raw' })).status).toBe(400)
  })

  it('refuses a bad query with 400 "<ErrorClass>: <message>" as text', async () => {
    const res = await data('query', { method: 'POST', body: 'files from mc:raw wher x' })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toMatch(/^MQLSyntaxError: /)
  })

  it('refuses unsafe parameter values with 400 "Invalid value for …"', async () => {
    const res = await data('query?namespace=bad%20ns', { method: 'POST', body: 'files from raw' })
    expect([res.status, await res.text()]).toEqual([400, 'Invalid value for namespace: bad ns'])
  })

  it('save_as needs a token, creates the dataset, and answers 409 the second time', async () => {
    expect((await data('query?save_as=mc:saved', { method: 'POST', body: 'files from mc:raw limit 2' })).status).toBe(401)
    const ok = await data('query?save_as=mc:saved', withToken({ method: 'POST', body: 'files from mc:raw ordered limit 2' }))
    expect(ok.status).toBe(200)
    expect(await (await data('dataset_count?dataset=mc:saved')).json()).toEqual({ file_count: 2 })
    const again = await data('query?save_as=mc:saved', withToken({ method: 'POST', body: 'files from mc:raw' }))
    expect([again.status, await again.text()]).toEqual([409, 'Dataset mc:saved already exists'])
    const add = await data('query?add_to=mc:saved', withToken({ method: 'POST', body: 'files from mc:raw' }))
    expect(add.status).toBe(200)
    expect(await (await data('dataset_count?dataset=mc:saved')).json()).toEqual({ file_count: 4 })
  })
})

describe('MetaCat files, datasets and namespaces', () => {
  it('data/file by did, by namespace and name, by fid; 404 "File not found" as text', async () => {
    const byDid = (await (await data('file?did=mc:f1.root')).json()) as { fid: string; metadata: unknown; parents: unknown }
    expect(byDid).toMatchObject({ name: 'f1.root', metadata: { 'core.run_number': 101 }, parents: [], children: [] })
    expect(((await (await data(`file?fid=${byDid.fid}&with_metadata=no`)).json()) as Record<string, unknown>).metadata).toBeUndefined()
    const withDs = (await (await data('file?namespace=mc&name=f1.root&with_datasets=yes')).json()) as { datasets: unknown }
    expect(withDs.datasets).toContainEqual({ namespace: 'mc', name: 'raw' })
    const missing = await data('file?did=mc:nope')
    expect([missing.status, missing.headers.get('content-type'), await missing.text()]).toEqual([404, 'text/plain', 'File not found'])
  })

  it('POST data/files returns the files that exist and leaves the others out', async () => {
    const res = await data('files?with_metadata=yes', { method: 'POST', body: JSON.stringify([{ namespace: 'mc', name: 'f0.root' }, { namespace: 'mc', name: 'nope' }, { fid: 'nofid' }]) })
    const list = (await res.json()) as { name: string; metadata: unknown }[]
    expect(list.map((f) => f.name)).toEqual(['f0.root'])
    expect(list[0]!.metadata).toEqual({ 'core.run_number': 100 })
  })

  it('data/dataset with its file_count, dataset_files as json-seq, 404 "Dataset not found"', async () => {
    expect(await (await data('dataset?dataset=mc:raw')).json()).toMatchObject({ namespace: 'mc', name: 'raw', frozen: false, monotonic: false, file_count: 4, creator: 'poms' })
    const files = await data('dataset_files?dataset=mc:raw&with_metadata=yes')
    expect(files.headers.get('content-type')).toBe('application/json-seq')
    expect((await files.text()).split('\n').filter(Boolean)).toHaveLength(4)
    const missing = await data('dataset?dataset=mc:nope')
    expect([missing.status, await missing.text()]).toEqual([404, 'Dataset not found'])
  })

  it('namespaces: lookup, 404 "Not found", creation with a token, 409 when it exists', async () => {
    expect(await (await data('namespace?name=mc')).json()).toMatchObject({ name: 'mc', owner_user: 'poms' })
    const missing = await data('namespace?name=nope')
    expect([missing.status, await missing.text()]).toEqual([404, 'Not found'])
    expect((await data('create_namespace?name=poms_out')).status).toBe(401)
    const made = await data('create_namespace?name=poms_out&owner_role=poms_user', withToken())
    expect(await made.json()).toMatchObject({ name: 'poms_out', owner_role: 'poms_user', owner_user: null, creator: 'poms' })
    const again = await data('create_namespace?name=poms_out', withToken())
    expect([again.status, await again.text()]).toEqual([409, 'Namespace already exists'])
    expect(((await (await data('namespaces')).json()) as { name: string }[]).map((n) => n.name)).toEqual(['mc', 'poms_out'])
  })

  it('create_dataset and declare_files, with their refusals', async () => {
    const mk = await data('create_dataset', withToken({ method: 'POST', body: JSON.stringify({ namespace: 'mc', name: 'reco' }) }))
    expect(await mk.json()).toMatchObject({ namespace: 'mc', name: 'reco', file_count: 0 })
    expect((await data('create_dataset', withToken({ method: 'POST', body: JSON.stringify({ namespace: 'mc', name: 'reco' }) }))).status).toBe(409)
    const parent = (await (await data('file?did=mc:f0.root')).json()) as { fid: string }
    const decl = [{ name: 'mc:reco0.root', size: 5, metadata: { 'core.data_tier': 'reco' }, parents: [{ fid: parent.fid }] }]
    expect((await data('declare_files?dataset=mc:reco', { method: 'POST', body: JSON.stringify(decl) })).status).toBe(401)
    expect((await data('declare_files', withToken({ method: 'POST', body: JSON.stringify(decl) }))).status).toBe(400)
    const noNs = await data('declare_files?dataset=zz:reco', withToken({ method: 'POST', body: JSON.stringify(decl) }))
    expect([noNs.status, await noNs.text()]).toEqual([404, 'Namespace zz does not exist'])
    expect(await (await data('declare_files?dataset=mc:reco', withToken({ method: 'POST', body: '[]' }))).text()).toBe('Empty file list')
    const ok = await data('declare_files?dataset=mc:reco', withToken({ method: 'POST', body: JSON.stringify(decl) }))
    const [declared] = (await ok.json()) as { name: string; fid: string; metadata: unknown }[]
    expect(declared).toMatchObject({ name: 'reco0.root', namespace: 'mc', metadata: { 'core.data_tier': 'reco' }, creator: 'poms' })
    const child = (await (await data(`file?fid=${parent.fid}`)).json()) as { children: { fid: string }[] }
    expect(child.children).toEqual([{ fid: declared!.fid }])
    const dup = await data('declare_files?dataset=mc:reco', withToken({ method: 'POST', body: JSON.stringify(decl) }))
    expect([dup.status, await dup.text()]).toEqual([409, 'The following files already exist:\n  mc:reco0.root'])
  })

  it('data/version is plain text', async () => {
    const res = await data('version')
    expect(res.headers.get('content-type')).toBe('text/plain')
    expect(await res.text()).toMatch(/^\d+\.\d+/)
  })
})

describe('MetaCat failure switches', () => {
  it('503 storms, HTML pages, truncated bodies, dropped connections and slow answers', async () => {
    mc.faults.failNext(1, { status: 503, body: 'try later' }, { path: '/data/query' })
    const busy = await data('query', { method: 'POST', body: 'files from mc:raw' })
    expect([busy.status, await busy.text()]).toEqual([503, 'try later'])

    mc.faults.failNext(1, 'html')
    const html = await data('query', { method: 'POST', body: 'files from mc:raw' })
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8'])

    mc.faults.failNext(1, 'garbage')
    const garbage = await data('query', { method: 'POST', body: 'files from mc:raw' })
    expect(garbage.headers.get('content-type')).toBe('application/json-seq')
    const lines = (await garbage.text()).split('\n')
    expect(() => lines.forEach((l) => l && JSON.parse(l.replace(/^\u001e/, '')))).toThrow()

    mc.faults.failNext(1, 'reset')
    await expect(data('version')).rejects.toThrow()

    mc.faults.delay(150)
    const t0 = Date.now()
    await (await data('version')).text()
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    mc.faults.reset()
    expect((await data('version')).status).toBe(200)
  })
})
