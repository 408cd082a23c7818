import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DataServiceError, DatasetError } from '../../electron/core/engine/data/data-handler'
import { MetacatClient, parseJsonSeq } from '../../electron/core/engine/data/metacat/metacat-client'
import { jwtExpiry, metacatTokenLogin, staticToken, tokenLibraryFile } from '../../electron/core/engine/data/metacat/tokens'
import { EmuClock, TokenAuthority } from '../emulators/metacat/auth'
import { startMetacatEmulator, type MetacatEmulator } from '../emulators/metacat/server'

// The MetaCat client against the emulator: json-seq parsing, retries, time-outs, garbage, tokens.

let mc: MetacatEmulator
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 }
const client = (policy = {}) => new MetacatClient({ url: mc.url, policy: { ...fast, ...policy } })

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a failure')
}

beforeAll(async () => {
  const auth = new TokenAuthority(new EmuClock(), 3600)
  auth.addBearer('scitoken-poms', 'poms')
  mc = await startMetacatEmulator({ auth })
  mc.catalog.addDataset('mc', 'raw')
  mc.catalog.declare(
    Array.from({ length: 5 }, (_, i) => ({ namespace: 'mc', name: `f${i}`, created_timestamp: 1000 + i, metadata: { 'core.run_number': i } })),
    'mc:raw',
  )
})
afterAll(() => mc.close())
beforeEach(() => {
  mc.faults.reset()
  mc.log.length = 0
})

describe('json-seq', () => {
  it('strips record separators (one or several) and skips blank lines', () => {
    expect(parseJsonSeq('\u001e{"a":1}\n\u001e\u001e{"a":2}\n\n\u001e {"a":3}\r\n')).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
    expect(parseJsonSeq('')).toEqual([])
  })
})

describe('MetacatClient', () => {
  it('runs a query and reads the json-seq stream into typed records', async () => {
    const files = await client().query('files from mc:raw ordered', { withMetadata: true })
    expect(files.map((f) => f.name)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4'])
    expect(files[3]!.metadata).toEqual({ 'core.run_number': 3 })
    expect(await client().count('files from mc:raw where core.run_number >= 3')).toBe(2)
    expect(await client().count('   ')).toBe(0)
    expect(await client().query('')).toEqual([])
  })

  it('turns a refused query (400 MQLSyntaxError) into a DatasetError, not a service error', async () => {
    const err = await failure(client().query('files from mc:raw wher'))
    expect(err).toBeInstanceOf(DatasetError)
    expect(err.message).toMatch(/MetaCat refused the query files from mc:raw wher: MQLSyntaxError: /)
  })

  it('looks files up by fid or DID; 404 is null, missing files are left out of a list', async () => {
    const [f0] = await client().query('files mc:f0')
    expect((await client().file({ fid: f0!.fid }))?.name).toBe('f0')
    expect(await client().file({ namespace: 'mc', name: 'ghost' })).toBeNull()
    expect((await client().files([{ namespace: 'mc', name: 'f1' }, { fid: 'ghost' }])).map((f) => f.name)).toEqual(['f1'])
    expect(await client().version()).toMatch(/^\d/)
  })

  it('retries 5xx answers with backoff and succeeds', async () => {
    mc.faults.failNext(2, { status: 503, body: 'try later' })
    expect(await client().count('files from mc:raw')).toBe(5)
    expect(mc.log.filter((l) => l.endsWith('/data/query'))).toHaveLength(3)
  })

  it('gives up after its attempts with a DataServiceError naming the last answer', async () => {
    mc.faults.failNext(3, { status: 500, body: 'Internal Server Error' })
    const err = await failure(client().count('files from mc:raw'))
    expect(err).toBeInstanceOf(DataServiceError)
    expect(err.message).toBe('MetaCat did not answer POST /emu_meta/app/data/query: HTTP 500: Internal Server Error')
    expect(mc.log).toHaveLength(3)
  })

  it('times out a slow answer, retries, and reports the time-out', async () => {
    mc.faults.delay(300)
    const err = await failure(client({ timeoutMs: 100, attempts: 2 }).count('files from mc:raw'))
    expect(err).toBeInstanceOf(DataServiceError)
    expect(err.message).toMatch(/no answer within 100 ms/)
    expect(mc.log).toHaveLength(2)
  })

  it('retries a dropped connection', async () => {
    mc.faults.failNext(1, 'reset')
    expect(await client().count('files from mc:raw')).toBe(5)
  })

  it('garbage: a truncated stream and a page of HTML are DataServiceErrors', async () => {
    mc.faults.failNext(1, 'garbage')
    const cut = await failure(client().query('files from mc:raw'))
    expect(cut).toBeInstanceOf(DataServiceError)
    expect(cut.message).toMatch(/^MetaCat sent query results that are not JSON: /)
    mc.faults.failNext(1, 'html')
    const html = await failure(client().query('files from mc:raw'))
    expect(html.message).toMatch(/^MetaCat answered query results with text\/html instead of application\/json-seq or application\/json \(a proxy or login page\?\): <html>/)
    mc.faults.failNext(1, { status: 200, body: '\u001e{"fid": 12}\n', contentType: 'application/json-seq' })
    const shape = await failure(client().query('files from mc:raw'))
    expect(shape.message).toMatch(/^MetaCat sent query results of an unexpected shape \(0\.fid: /)
  })

  it('a closed client refuses at once', async () => {
    const ctl = new AbortController()
    const c = new MetacatClient({ url: mc.url, policy: fast, closed: ctl.signal })
    ctl.abort()
    const err = await failure(c.count('files from mc:raw'))
    expect(err.message).toBe('MetaCat client is closed')
  })
})

describe('MetaCat token sources', () => {
  it('logs in with a bearer token, reuses the MetaCat token, and logs in again on refresh', async () => {
    let bearers = 0
    const login = metacatTokenLogin({ authUrl: mc.authUrl, username: 'poms', bearer: async () => (bearers++, 'scitoken-poms'), now: () => mc.clock.now() })
    const t1 = await login.token()
    expect(mc.auth.verify(t1)).toEqual({ username: 'poms' })
    expect(await login.token()).toBe(t1)
    expect(bearers).toBe(1)
    mc.clock.advance(1)
    const t2 = await login.refresh()
    expect(t2).not.toBe(t1)
    expect(bearers).toBe(2)
  })

  it('fails a login the auth service refuses with a DataServiceError carrying 401', async () => {
    const login = metacatTokenLogin({ authUrl: mc.authUrl, bearer: async () => 'forged', policy: fast })
    const err = (await failure(login.token())) as DataServiceError
    expect(err).toBeInstanceOf(DataServiceError)
    expect(err.status).toBe(401)
    expect(err.message).toBe('MetaCat auth refused the token for the token login: Authentication failed')
  })

  it('reads the token library, skipping expired tokens and other servers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'poms-tokenlib-'))
    const file = join(dir, '.token_library')
    const now = mc.clock.now()
    const expired = mc.auth.issue('poms', -10)
    const fresh = mc.auth.issue('poms', 600)
    writeFileSync(file, `https://other.invalid/app ${fresh}\n${mc.url} ${expired}\n${mc.url}/ ${fresh}\n`)
    expect(jwtExpiry(fresh)).toBe(now + 600)
    expect(await tokenLibraryFile(file, mc.url, () => now).token()).toBe(fresh)
    writeFileSync(file, `${mc.url} ${expired}\n`)
    const err = (await failure(tokenLibraryFile(file, mc.url, () => now).token())) as DataServiceError
    expect([err.status, err.message]).toEqual([401, `No token found for ${mc.url} in ${file}`])
    const missing = await failure(tokenLibraryFile(join(dir, 'nope'), mc.url).token())
    expect(missing.message).toMatch(/cannot read the token library/)
    expect(await staticToken('abc').refresh()).toBe('abc')
  })
})
