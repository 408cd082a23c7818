import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DataServiceError, DatasetError } from '../../electron/core/engine/data/data-handler'
import { RucioClient, rucioUserpassToken } from '../../electron/core/engine/data/metacat/rucio-client'
import { staticToken } from '../../electron/core/engine/data/metacat/tokens'
import { EmuClock } from '../emulators/metacat/auth'
import { startRucioEmulator, type RucioEmulator } from '../emulators/rucio/server'

// The Rucio client against the emulator: the empty 200, octet-stream errors, token renewal, retries.

let rucio: RucioEmulator
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 }
const login = () => rucioUserpassToken({ url: rucio.url, account: 'poms', username: 'poms', password: 'pw', policy: fast })

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a failure')
}

beforeAll(async () => {
  rucio = await startRucioEmulator({ clock: new EmuClock(), accounts: { poms: 'pw' } })
  rucio.state.addRse('FNAL_DCACHE')
  rucio.state.addFile('mc', 'a', [{ rse: 'FNAL_DCACHE', state: 'AVAILABLE' }])
  rucio.state.addFile('mc', 'b', [])
  rucio.state.addDataset('mc', 'empty', [])
})
afterAll(() => rucio.close())
beforeEach(() => {
  rucio.faults.reset()
  rucio.log.length = 0
})

describe('RucioClient', () => {
  it('lists replicas: files with and without a replica', async () => {
    const client = new RucioClient({ url: rucio.url, token: login(), policy: fast })
    const records = await client.listReplicas([{ scope: 'mc', name: 'a' }, { scope: 'mc', name: 'b' }])
    expect(records.map((r) => [r.name, Object.keys(r.rses)])).toEqual([
      ['a', ['FNAL_DCACHE']],
      ['b', []],
    ])
  })

  it('reads the empty 200 of zero results as no records', async () => {
    const client = new RucioClient({ url: rucio.url, token: login(), policy: fast })
    expect(await client.listReplicas([{ scope: 'mc', name: 'empty' }])).toEqual([])
    expect(await client.listReplicas([])).toEqual([])
  })

  it('reads the class and message of an octet-stream error from its body, or from its headers', async () => {
    const client = new RucioClient({ url: rucio.url, token: login(), policy: fast })
    const missing = await failure(client.listReplicas([{ scope: 'mc', name: 'ghost' }]))
    expect(missing).toBeInstanceOf(DatasetError)
    expect(missing.message).toBe("Rucio: Data identifier 'mc:ghost' not found")
    rucio.faults.failNext(1, { status: 409, body: 'not json', contentType: 'application/octet-stream', headers: { ExceptionClass: 'DuplicateRule', ExceptionMessage: 'A duplicate rule' } })
    const dup = (await failure(client.listReplicas([{ scope: 'mc', name: 'a' }]))) as DataServiceError
    expect([dup.status, dup.message]).toEqual([409, 'Rucio answered HTTP 409 for list_replicas: DuplicateRule: A duplicate rule'])
  })

  it('logs in again once when the token is refused, then carries on', async () => {
    const token = login()
    const client = new RucioClient({ url: rucio.url, token, policy: fast })
    await client.listReplicas([{ scope: 'mc', name: 'a' }])
    rucio.expireTokens()
    expect(await client.listReplicas([{ scope: 'mc', name: 'a' }])).toHaveLength(1)
    expect(rucio.log.filter((l) => l === 'GET /auth/userpass')).toHaveLength(2)
  })

  it('fails clearly when the login itself is refused or the token stays refused', async () => {
    const bad = rucioUserpassToken({ url: rucio.url, account: 'poms', username: 'poms', password: 'wrong', policy: fast })
    const err = (await failure(bad.token())) as DataServiceError
    expect([err.status, err.message]).toEqual([401, 'Rucio refused the login of poms: CannotAuthenticate: Cannot authenticate to account poms with given credentials'])
    const stale = new RucioClient({ url: rucio.url, token: staticToken('poms-deadbeef'), policy: fast })
    const refused = (await failure(stale.listReplicas([{ scope: 'mc', name: 'a' }]))) as DataServiceError
    expect([refused.status, refused.message]).toEqual([401, 'Rucio answered HTTP 401 for list_replicas: CannotAuthenticate: Cannot authenticate with given credentials'])
  })

  it('retries 502/503/504 and garbage lines are a DataServiceError', async () => {
    const client = new RucioClient({ url: rucio.url, token: login(), policy: fast })
    rucio.faults.failNext(1, { status: 502 }, { path: '/replicas' })
    rucio.faults.failNext(1, { status: 504 }, { path: '/replicas' })
    expect(await client.listReplicas([{ scope: 'mc', name: 'a' }])).toHaveLength(1)
    expect(rucio.log.filter((l) => l === 'POST /replicas/list')).toHaveLength(3)
    rucio.faults.failNext(1, 'garbage', { path: '/replicas' })
    const err = await failure(client.listReplicas([{ scope: 'mc', name: 'a' }, { scope: 'mc', name: 'b' }]))
    expect(err).toBeInstanceOf(DataServiceError)
    expect(err.message).toMatch(/^Rucio sent a replica record that is not JSON/)
    rucio.faults.failNext(1, 'html', { path: '/replicas' })
    expect((await failure(client.listReplicas([{ scope: 'mc', name: 'a' }]))).message).toMatch(/^Rucio answered replicas with text\/html instead of application\/x-json-stream/)
  })
})
