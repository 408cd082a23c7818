import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startDataDispatcherEmulator, type DataDispatcherEmulator } from '../emulators/data-dispatcher/server'
import { EmuClock, TokenAuthority } from '../emulators/metacat/auth'

// The Data Dispatcher emulator's endpoints and state machines (protocols.md §5), checked with plain fetch.

let dd: DataDispatcherEmulator
let owner: string
let other: string
let admin: string

beforeAll(async () => {
  const auth = new TokenAuthority(new EmuClock(1_700_000_000))
  dd = await startDataDispatcherEmulator({ auth })
  owner = auth.issue('poms')
  other = auth.issue('someone')
  admin = auth.issue('admin')
})
afterAll(() => dd.close())
beforeEach(() => dd.faults.reset())

/** The fields these tests read, from any of Data Dispatcher's JSON answers (project, handle, next_file). */
interface HandleJson {
  project_id: number
  name: string
  state: string
  attempts: number
  attributes: Record<string, unknown>
  reserved_since: number | null
  replicas: Record<string, Record<string, unknown>>
}
interface AnyJson extends HandleJson {
  created_timestamp: number
  ended_timestamp: number | null
  file_handles: HandleJson[]
  handle: HandleJson
  reason: string
  retry: boolean
}

async function call(path: string, opts: { token?: string | null; body?: unknown } = {}): Promise<{ status: number; type: string | null; text: string; json: <T = AnyJson>() => T }> {
  const token = opts.token === undefined ? owner : opts.token
  const res = await fetch(`${dd.url}/${path}`, {
    method: opts.body === undefined ? 'GET' : 'POST',
    headers: token ? { 'X-Authentication-Token': token } : {},
    ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }),
  })
  const text = await res.text()
  return { status: res.status, type: res.headers.get('content-type'), text, json: <T,>() => JSON.parse(text) as T }
}

async function project(files: string[], attrs: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await call('create_project', { body: { files, project_attributes: attrs, query: 'files from mc:x', ...extra } })
  expect(res.status).toBe(200)
  return res.json().project_id
}

const next = (id: number, worker = 'w1', token?: string) => call(`next_file?project_id=${id}&worker_id=${worker}`, token === undefined ? {} : { token })
const release = (id: number, did: string, q = '', token?: string) => call(`release?handle_id=${id}:${did}${q}`, token === undefined ? {} : { token })

describe('Data Dispatcher projects', () => {
  it('create_project answers text/json with the project and its handles, all initial', async () => {
    const res = await call('create_project', { body: { files: ['mc:a', { namespace: 'mc', name: 'b', attributes: { fid: '7' } }], project_attributes: { virtual: false }, query: 'files from mc:x', idle_timeout: 600, users: ['alice'] } })
    expect(res.type).toBe('text/json')
    const p = res.json()
    expect(p).toMatchObject({ owner: 'poms', state: 'active', active: true, query: 'files from mc:x', idle_timeout: 600, worker_timeout: null, users: ['alice'], ended_timestamp: null, retry_count: null })
    expect(typeof p.created_timestamp).toBe('number')
    expect(p.file_handles).toEqual([
      { project_id: p.project_id, namespace: 'mc', name: 'a', state: 'initial', worker_id: null, attempts: 0, attributes: {}, reserved_since: null },
      { project_id: p.project_id, namespace: 'mc', name: 'b', state: 'initial', worker_id: null, attempts: 0, attributes: { fid: '7' }, reserved_since: null },
    ])
  })

  it('refuses creation without a token (401) and bad file specs (400 text)', async () => {
    expect((await call('create_project', { token: null, body: { files: [] } })).status).toBe(401)
    const bad = await call('create_project', { body: { files: ['no-colon'] } })
    expect([bad.status, bad.text]).toEqual([400, 'Invalid file specification: no-colon - can not parse as namespace:name'])
    const noName = await call('create_project', { body: { files: [{ namespace: 'mc' }] } })
    expect(noName.text).toMatch(/namespace or name missing/)
  })

  it('project: 404 "Project not found" as text; with_files=no leaves the handles out; replicas on request', async () => {
    const missing = await call('project?project_id=9999')
    expect([missing.status, missing.type, missing.text]).toEqual([404, 'text/plain', 'Project not found'])
    const id = await project(['mc:r1'])
    expect(((await call(`project?project_id=${id}&with_files=no&with_replicas=no`)).json<object>())).not.toHaveProperty('file_handles')
    const withReplicas = (await call(`project?project_id=${id}&with_files=yes&with_replicas=yes`)).json()
    expect(withReplicas.file_handles[0]?.replicas.EMU_DISK).toMatchObject({ rse: 'EMU_DISK', available: true, rse_available: true, namespace: 'mc', name: 'r1' })
  })

  it('projects lists only the caller’s own unless owner=all, and filters on attributes', async () => {
    const mine = await project(['mc:l1'], { poms_stage: 'reco', tag: 7 })
    const theirs = (await call('create_project', { token: other, body: { files: ['mc:l2'], project_attributes: { poms_stage: 'reco' } } })).json().project_id
    const own = (await call('projects?with_handles=no')).json<{ project_id: number }[]>()
    expect(own.map((p) => p.project_id)).toContain(mine)
    expect(own.map((p) => p.project_id)).not.toContain(theirs)
    const filter = encodeURIComponent(JSON.stringify({ poms_stage: 'reco' }))
    const all = (await call(`projects?owner=all&attributes=${filter}&with_handles=no`)).json<{ project_id: number }[]>()
    expect(all.map((p) => p.project_id)).toEqual([mine, theirs])
    const both = encodeURIComponent(JSON.stringify({ poms_stage: 'reco', tag: 7 }))
    expect(((await call(`projects?owner=all&attributes=${both}`)).json<{ project_id: number }[]>()).map((p) => p.project_id)).toEqual([mine])
    expect((await call('projects', { token: null })).status).toBe(401)
  })
})

describe('Data Dispatcher handle state machine', () => {
  it('next_file reserves the initial handle with the fewest attempts and hands out usable replicas', async () => {
    const id = await project(['mc:n1', 'mc:n2'], { poms: 1 })
    const got = await next(id, 'w1')
    expect(got.type).toBe('text/json')
    const out = got.json()
    expect(out.reason).toBe('reserved')
    expect(out.retry).toBe(false)
    expect(out.handle).toMatchObject({ project_id: id, namespace: 'mc', name: 'n1', state: 'reserved', worker_id: 'w1', attempts: 1, project_attributes: { poms: 1 } })
    expect(typeof out.handle.reserved_since).toBe('number')
    expect(out.handle.replicas.EMU_DISK).toMatchObject({ available: true, preference: null, proximity: null })
  })

  it('done, failed with retry (back to initial) and failed without retry; the project ends failed', async () => {
    const id = await project(['mc:s1', 'mc:s2'])
    await next(id, 'w1')
    await next(id, 'w2')
    const done = await release(id, 'mc:s1', '&failed=no&worker_id=w1')
    expect(done.json()).toMatchObject({ name: 's1', state: 'done', worker_id: null })
    const retried = await release(id, 'mc:s2', '&failed=yes&retry=yes')
    expect(retried.json()).toMatchObject({ name: 's2', state: 'initial', attempts: 1 })
    expect((await next(id, 'w3')).json().handle).toMatchObject({ name: 's2', attempts: 2 })
    expect((await call(`project?project_id=${id}&with_files=no`)).json()).toMatchObject({ state: 'active', active: true })
    expect((await release(id, 'mc:s2', '&failed=yes&retry=no')).json()).toMatchObject({ state: 'failed' })
    const ended = (await call(`project?project_id=${id}&with_files=no`)).json()
    expect(ended).toMatchObject({ state: 'failed', active: false })
    expect(typeof ended.ended_timestamp).toBe('number')
  })

  it('a project whose handles are all done becomes done, and next_file then answers 400 "Inactive project. State=done"', async () => {
    const id = await project(['mc:d1'])
    await next(id)
    await release(id, 'mc:d1')
    expect((await call(`project?project_id=${id}`)).json().state).toBe('done')
    const after = await next(id)
    expect([after.status, after.type, after.text]).toEqual([400, 'text/plain', 'Inactive project. State=done'])
  })

  it('answers {handle: null, reason: "retry", retry: true} while every handle is reserved', async () => {
    const id = await project(['mc:b1'])
    await next(id, 'w1')
    expect((await next(id, 'w2')).json()).toEqual({ handle: null, reason: 'retry', retry: true })
  })

  it('an empty project answers "project inactive" without a 400', async () => {
    const id = await project([])
    expect((await next(id)).json()).toEqual({ handle: null, reason: 'project inactive', retry: false })
  })

  it('release refusals: non-owner 403, wrong worker 403, not reserved 404, no handle id 400', async () => {
    const id = await project(['mc:x1', 'mc:x2'], {}, { users: ['someone'] })
    // A listed user may take files but not release them (protocols.md §5.6).
    expect((await next(id, 'wx', other)).json().handle.name).toBe('x1')
    const foreign = await release(id, 'mc:x1', '', other)
    expect([foreign.status, foreign.text]).toEqual([403, 'Not authorized'])
    const wrong = await release(id, 'mc:x1', '&worker_id=nobody')
    expect([wrong.status, wrong.text]).toEqual([403, 'Not authorized: wrong worker_id'])
    const notReserved = await release(id, 'mc:x2')
    expect([notReserved.status, notReserved.text]).toEqual([404, 'Handle not found or was not reserved'])
    expect((await call('release')).status).toBe(400)
    expect((await release(id, 'mc:x1', '&worker_id=wx', admin)).json().state).toBe('done')
  })

  it('next_file: 400 without a worker id, 403 for someone not among the users, 404 for no project', async () => {
    const id = await project(['mc:y1'])
    expect((await call(`next_file?project_id=${id}`)).text).toBe('Project ID and Worker ID must be specified')
    expect((await next(id, 'w', other)).status).toBe(403)
    expect((await next(9999)).status).toBe(404)
  })

  it('restart_handles by state or by DID; a finished project becomes active again', async () => {
    const id = await project(['mc:r1', 'mc:r2', 'mc:r3'])
    for (const did of ['mc:r1', 'mc:r2', 'mc:r3']) {
      await next(id)
      await release(id, did, did === 'mc:r3' ? '' : '&failed=yes&retry=no')
    }
    expect((await call(`project?project_id=${id}`)).json().state).toBe('failed')
    const byState = (await call('restart_handles', { body: { project_id: id, failed: true } })).json()
    expect(byState.state).toBe('active')
    expect(byState.ended_timestamp).toBeNull()
    expect(byState.file_handles.map((h: { state: string }) => h.state)).toEqual(['initial', 'initial', 'done'])
    const byDid = (await call('restart_handles', { body: { project_id: id, handles: ['mc:r3'] } })).json()
    expect(byDid.file_handles.map((h: { state: string }) => h.state)).toEqual(['initial', 'initial', 'initial'])
    expect((await call('restart_handles', { token: other, body: { project_id: id, done: true } })).status).toBe(403)
  })

  it('handles, project_files and file_handle list handles by state', async () => {
    const id = await project(['mc:h1', 'mc:h2'])
    await next(id)
    expect(((await call(`handles?project_id=${id}&state=reserved`)).json<{ name: string }[]>()).map((h) => h.name)).toEqual(['h1'])
    expect(((await call(`handles?project_id=${id}&not_state=reserved`)).json<{ name: string }[]>()).map((h) => h.name)).toEqual(['h2'])
    expect(((await call(`project_files?project_id=${id}&state=initial`)).json<{ name: string }[]>()).map((h) => h.name)).toEqual(['h2'])
    expect((await call(`file_handle?project_id=${id}&name=mc:h2`)).json()).toMatchObject({ name: 'h2', state: 'initial' })
    expect((await call(`file_handle?project_id=${id}&name=mc:zz`)).text).toBe('null')
  })

  it('cancel: state cancelled, next_file 400 "Inactive project. State=cancelled"; activate brings it back', async () => {
    const id = await project(['mc:c1'])
    expect((await call(`cancel_project?project_id=${id}`, { token: other })).status).toBe(403)
    expect((await call(`cancel_project?project_id=${id}`)).json().state).toBe('cancelled')
    expect((await next(id)).text).toBe('Inactive project. State=cancelled')
    expect((await call(`activate_project?project_id=${id}`)).json().state).toBe('active')
  })
})

describe('Data Dispatcher replicas and the daemon', () => {
  it('files without an available replica are not handed out, except in a virtual project', async () => {
    dd.dispatcher.setReplicas('mc', 'tape1', [{ rse: 'EMU_DISK', path: '/p', url: 'root://x//p', preference: 0, available: false }])
    const id = await project(['mc:tape1'])
    expect((await next(id)).json()).toEqual({ handle: null, reason: 'retry', retry: true })
    const virt = await project(['mc:tape1'], { virtual: true })
    const got = (await next(virt)).json()
    expect(got.handle).toMatchObject({ name: 'tape1', state: 'reserved' })
    // data_server.py asks a virtual project's handle for no replicas, then filters that empty map.
    expect(got.handle.replicas).toEqual({})
  })

  it('an unavailable RSE hides its replicas', async () => {
    dd.dispatcher.addRse('EMU_TAPE', { is_available: false, is_tape: true })
    dd.dispatcher.setReplicas('mc', 'staged', [{ rse: 'EMU_TAPE', path: '/t', url: 'root://t//t', preference: 0, available: true }])
    const id = await project(['mc:staged'])
    expect((await next(id)).json().retry).toBe(true)
    dd.dispatcher.rses.get('EMU_TAPE')!.is_available = true
    expect((await next(id)).json().handle.name).toBe('staged')
    expect(((await call('rses')).json<{ name: string }[]>()).map((r) => r.name)).toEqual(['EMU_DISK', 'EMU_TAPE'])
    expect((await call('get_rse?name=NOPE')).status).toBe(404)
  })

  it('the worker time-out puts a reservation back to initial and counts it', async () => {
    const id = await project(['mc:t1'], {}, { worker_timeout: 60 })
    await next(id)
    dd.clock.advance(61)
    const h = (await call(`handles?project_id=${id}`)).json<HandleJson[]>()[0]
    expect(h).toMatchObject({ state: 'initial', worker_id: null, attributes: { timeouts: 1 } })
  })

  it('an idle project becomes abandoned, and next_file reactivates it', async () => {
    const id = await project(['mc:i1'], {}, { idle_timeout: 100 })
    dd.clock.advance(101)
    expect((await call(`project?project_id=${id}&with_files=no`)).json().state).toBe('abandoned')
    expect((await next(id)).json().handle.name).toBe('i1')
    expect((await call(`project?project_id=${id}&with_files=no`)).json().state).toBe('active')
  })

  it('copy_project makes a new project of the same files; delete_project answers null', async () => {
    const id = await project(['mc:k1', 'mc:k2'], { a: 1 })
    const copy = (await call('copy_project', { body: { project_id: id, project_attributes: { b: 2 } } })).json()
    expect(copy.project_id).not.toBe(id)
    expect(copy.attributes).toEqual({ a: 1, b: 2 })
    expect(copy.file_handles.map((h: { name: string }) => h.name)).toEqual(['k1', 'k2'])
    expect((await call(`delete_project?project_id=${copy.project_id}`)).text).toBe('null')
    expect((await call(`project?project_id=${copy.project_id}`)).status).toBe(404)
  })

  it('version, probe, and the failure switches', async () => {
    expect((await call('version', { token: null })).text).toMatch(/^\d/)
    expect((await call('probe', { token: null })).text).toBe('OK')
    dd.faults.failNext(1, { status: 502, body: 'Bad Gateway' })
    expect((await call('version')).status).toBe(502)
    dd.faults.failNext(1, 'html')
    expect((await call('version')).type).toBe('text/html; charset=utf-8')
    expect((await call('create_project', { body: '{not json' })).status).toBe(500)
  })
})
