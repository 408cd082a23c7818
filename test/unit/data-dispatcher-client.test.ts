import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DataServiceError, DatasetError } from '../../electron/core/engine/data/data-handler'
import { DataDispatcherClient } from '../../electron/core/engine/data/metacat/data-dispatcher-client'
import { metacatTokenLogin, staticToken } from '../../electron/core/engine/data/metacat/tokens'
import { startShrek, type Shrek } from '../emulators/metacat/shrek'

// The Data Dispatcher client against the emulator: the project life cycle, the 400 after a project
// is done, retries that never create a project twice, token refresh, and wrong content types.

let shrek: Shrek
let dd: DataDispatcherClient
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000 }

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a failure')
}

beforeAll(async () => {
  shrek = await startShrek()
})
afterAll(() => shrek.close())
beforeEach(() => {
  // A fresh token each time: one test expires every token issued before it.
  shrek.clock.advance(1)
  dd = new DataDispatcherClient({ url: shrek.dd.url, token: staticToken(shrek.auth.issue('poms')), policy: fast })
  shrek.dd.faults.reset()
  shrek.dd.log.length = 0
})

describe('DataDispatcherClient', () => {
  it('creates a project, hands its files to workers, and reports it ended on the 400 after done', async () => {
    const p = await dd.createProject({ files: [{ namespace: 'mc', name: 'a', attributes: { fid: '1' } }, { namespace: 'mc', name: 'b' }], query: 'files from mc:x', users: ['alice'], attributes: { poms_stage: 'reco' }, idleTimeout: 259200 })
    expect(p).toMatchObject({ state: 'active', owner: 'poms', idle_timeout: 259200, users: ['alice'] })
    expect(p.file_handles?.map((h) => [h.name, h.state, h.attributes])).toEqual([
      ['a', 'initial', { fid: '1' }],
      ['b', 'initial', {}],
    ])
    const first = await dd.nextFile(p.project_id, 'w1')
    expect(first.kind === 'file' && first.handle.name).toBe('a')
    const second = await dd.nextFile(p.project_id, 'w2')
    expect(second.kind === 'file' && second.handle.name).toBe('b')
    expect(await dd.nextFile(p.project_id, 'w3')).toEqual({ kind: 'retry' })
    expect((await dd.release(p.project_id, 'mc:a', { failed: false, workerId: 'w1' })).state).toBe('done')
    expect((await dd.release(p.project_id, 'mc:b', { failed: true, retry: false })).state).toBe('failed')
    expect((await dd.project(p.project_id))?.state).toBe('failed')
    expect(await dd.nextFile(p.project_id, 'w4')).toEqual({ kind: 'ended', state: 'failed' })
    expect((await dd.handles(p.project_id, { state: 'failed' })).map((h) => h.name)).toEqual(['b'])
    expect((await dd.handles(p.project_id, { notState: 'failed' })).map((h) => h.name)).toEqual(['a'])
  })

  it('restarts handles, cancels and activates', async () => {
    const p = await dd.createProject({ files: [{ namespace: 'mc', name: 'r' }] })
    await dd.nextFile(p.project_id, 'w')
    await dd.release(p.project_id, 'mc:r', { failed: true, retry: false })
    const restarted = await dd.restartHandles(p.project_id, { states: ['failed'] })
    expect([restarted.state, restarted.file_handles?.[0]?.state]).toEqual(['active', 'initial'])
    expect((await dd.restartHandles(p.project_id, { dids: ['mc:r'] })).state).toBe('active')
    expect((await dd.cancelProject(p.project_id)).state).toBe('cancelled')
    expect(await dd.nextFile(p.project_id, 'w')).toEqual({ kind: 'ended', state: 'cancelled' })
    expect((await dd.activateProject(p.project_id)).state).toBe('active')
  })

  it('finds projects by attribute across owners, and reads a missing project as null or a DatasetError', async () => {
    const other = new DataDispatcherClient({ url: shrek.dd.url, token: staticToken(shrek.auth.issue('someone')), policy: fast })
    const theirs = await other.createProject({ files: [], attributes: { poms_submission_id: 'sub-x' } })
    expect(await dd.projects({ attributes: { poms_submission_id: 'sub-x' } })).toEqual([])
    expect((await dd.projects({ owner: 'all', attributes: { poms_submission_id: 'sub-x' } })).map((p) => p.project_id)).toEqual([theirs.project_id])
    expect(await dd.project(99_999)).toBeNull()
    expect(await failure(dd.handles(99_999))).toBeInstanceOf(DatasetError)
    const release = await failure(dd.release(theirs.project_id, 'mc:zz', { failed: false }))
    expect(release).toBeInstanceOf(DataServiceError)
  })

  it('retries a 503 on create_project, but never a 500 or a time-out (a second POST could make a second project)', async () => {
    shrek.dd.faults.failNext(1, { status: 503, body: 'busy' }, { path: 'create_project' })
    await dd.createProject({ files: [] })
    expect(shrek.dd.log.filter((l) => l.endsWith('/create_project'))).toHaveLength(2)

    shrek.dd.log.length = 0
    shrek.dd.faults.failNext(1, { status: 500, body: 'Internal Server Error' }, { path: 'create_project' })
    const e500 = (await failure(dd.createProject({ files: [] }))) as DataServiceError
    expect([e500.status, e500.message]).toEqual([500, 'Data Dispatcher answered HTTP 500: Internal Server Error'])
    expect(shrek.dd.log).toHaveLength(1)

    shrek.dd.log.length = 0
    shrek.dd.faults.delay(300, { path: 'create_project' })
    const slow = new DataDispatcherClient({ url: shrek.dd.url, token: staticToken(shrek.auth.issue('poms')), policy: { ...fast, timeoutMs: 100 } })
    expect((await failure(slow.createProject({ files: [] }))).message).toMatch(/no answer within 100 ms/)
    expect(shrek.dd.log).toHaveLength(1)
  })

  it('retries reads through 5xx and dropped connections', async () => {
    const p = await dd.createProject({ files: [{ namespace: 'mc', name: 'z' }] })
    shrek.dd.faults.failNext(1, { status: 502, body: 'Bad Gateway' })
    shrek.dd.faults.failNext(1, 'reset')
    expect((await dd.project(p.project_id))?.project_id).toBe(p.project_id)
  })

  it('on 401 gets a fresh token once (a new MetaCat login) and carries on', async () => {
    const client = new DataDispatcherClient({
      url: shrek.dd.url,
      token: metacatTokenLogin({ authUrl: shrek.metacat.authUrl, bearer: async () => shrek.bearer, now: () => shrek.clock.now() }),
      policy: fast,
    })
    await client.projects()
    shrek.auth.expireAll()
    shrek.clock.advance(1)
    expect(await client.projects()).toEqual(expect.any(Array))
    expect(shrek.dd.log.filter((l) => l.endsWith('/projects'))).toHaveLength(3)
  })

  it('a token that stays refused is a DataServiceError with status 401', async () => {
    const stale = shrek.auth.issue('poms', -1)
    const client = new DataDispatcherClient({ url: shrek.dd.url, token: staticToken(stale), policy: fast })
    const err = (await failure(client.projects())) as DataServiceError
    expect([err.status, err.message]).toEqual([401, 'Data Dispatcher refused the token for a project list: Token expired'])
  })

  it('wrong content types and garbage are DataServiceErrors', async () => {
    shrek.dd.faults.failNext(1, { status: 200, body: '[]', contentType: 'application/json' }, { path: '/projects' })
    expect((await failure(dd.projects())).message).toMatch(/^Data Dispatcher answered a project list with application\/json instead of text\/json/)
    shrek.dd.faults.failNext(1, 'garbage', { path: '/projects' })
    expect((await failure(dd.projects())).message).toMatch(/^Data Dispatcher sent a project list that is not JSON/)
    shrek.dd.faults.failNext(1, { status: 200, body: '[{"project_id":"one"}]', contentType: 'text/json' }, { path: '/projects' })
    expect((await failure(dd.projects())).message).toMatch(/^Data Dispatcher sent a project list of an unexpected shape \(0\.project_id: /)
  })
})
