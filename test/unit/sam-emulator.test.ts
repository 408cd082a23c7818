import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startSamEmulator, type SamEmulator } from '../emulators/sam'

const T0 = Date.parse('2024-04-01T12:00:00Z')
let sam: SamEmulator
let clock = T0

const JSON_ACCEPT = { Accept: 'application/json' }

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sam.apiBase}/${path}`, { headers })
}
async function post(path: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sam.apiBase}/${path}`, { method: 'POST', body: new URLSearchParams(form), headers })
}
async function text(res: Response | Promise<Response>): Promise<string> {
  return (await res).text()
}
const q = (dims: string) => encodeURIComponent(dims)

beforeAll(async () => {
  sam = await startSamEmulator({ experiment: 'nova', now: () => clock })
  sam.declareFiles(
    Array.from({ length: 10 }, (_, i) => ({
      name: `raw_${String(i + 1).padStart(3, '0')}.root`,
      runs: [`${1000 + i}.1`],
      createdAt: T0 - 86_400_000,
      size: 100 + i,
      events: 10 * (i + 1),
      metadata: { data_tier: 'raw', 'nova.detector': 'fardet' },
    })),
  )
  sam.declareFiles([
    { name: 'reco_001.root', parents: ['raw_001.root'], version: 'v2', createdAt: T0 },
    { name: 'reco_002.root', parents: ['raw_002.root'], version: 'v2', createdAt: T0, availability: 'virtual' },
  ])
})
afterAll(() => sam.stop())
afterEach(() => sam.faults.reset())

describe('SAM emulator: files', () => {
  it('counts with GET dims= and POST as plain decimal text', async () => {
    const viaGet = await get(`files/count?dims=${q('file_name raw_%')}`)
    expect(viaGet.status).toBe(200)
    expect(viaGet.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await viaGet.text()).toBe('10')
    expect(await text(post('files/count', { dims: 'ischildof:( file_name raw_001.root )' }))).toBe('1')
    expect(await text(get(`files/count?dims=${q('isparentof:( version v2 ) with availability physical')}`))).toBe('2')
  })

  it('answers 400 (not 404) to a count on an unknown definition, as POMS notes', async () => {
    const res = await get(`files/count?dims=${q('defname:nope')}`, JSON_ACCEPT)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/json')
    const body = (await res.json()) as { error: string; message: string }
    expect(body.error).toBe('DimensionError')
    expect(body.message).toMatch(/nope/)
    // Without Accept: application/json the message comes as text.
    const plain = await get(`files/count?dims=${q('defname:nope')}`)
    expect(plain.status).toBe(400)
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await plain.text()).toMatch(/definition named nope/)
  })

  it('refuses a malformed query with a 400 DimensionError', async () => {
    const res = await get(`files/count?dims=${q('file_name (')}`, JSON_ACCEPT)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBe('DimensionError')
  })

  it('lists files as JSON names, plain lines, and plain fileinfo lines', async () => {
    const dims = q('run_number 1000,1001')
    expect(await (await get(`files/list?dims=${dims}&format=json`)).json()).toEqual(['raw_001.root', 'raw_002.root'])
    expect(await text(get(`files/list?dims=${dims}`))).toBe('raw_001.root\nraw_002.root\n')
    expect(await text(get(`files/list?dims=${dims}&fileinfo=1`))).toBe('raw_001.root\t1\t100\t10\nraw_002.root\t2\t101\t20\n')
    expect(await text(post('files/list', { dims: 'file_name nothing%' }))).toBe('')
  })

  it('summarises a query', async () => {
    expect(await (await get(`files/summary?dims=${q('run_number 1000,1001')}`)).json()).toEqual({ file_count: 2, total_file_size: 201, total_event_count: 30 })
  })

  it('serves metadata with the converter field names (protocols.md §3.3)', async () => {
    const raw = (await (await get('files/name/raw_001.root/metadata?format=json')).json()) as Record<string, unknown>
    expect(raw).toMatchObject({
      file_name: 'raw_001.root',
      file_id: 1,
      file_size: 100,
      event_count: 10,
      create_date: '2024-03-31T12:00:00+00:00',
      runs: [[1000, 1, 'physics']],
      parents: [],
      data_tier: 'raw',
      'nova.detector': 'fardet',
    })
    expect(Object.keys(raw)).toEqual(expect.arrayContaining(['checksum', 'user', 'update_date', 'update_user', 'file_type', 'content_status', 'file_format']))
    const reco = (await (await get('files/name/reco_001.root/metadata', JSON_ACCEPT)).json()) as Record<string, unknown>
    expect(reco.parents).toEqual([{ file_name: 'raw_001.root', file_id: 1 }])
    expect(reco.application).toMatchObject({ version: 'v2' })
    expect(await (await get('files/id/11/metadata?format=json')).json()).toMatchObject({ file_name: 'reco_001.root' })
    expect(await text(get('files/name/raw_001.root/metadata'))).toMatch(/^file_name\s+: raw_001\.root$/m)
  })

  it('answers 404 FileNotFound for an unknown file', async () => {
    const res = await get('files/name/ghost.root/metadata?format=json')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: 'FileNotFound', message: 'File ghost.root not found' })
  })

  it('follows lineage', async () => {
    expect(await (await get('files/name/raw_002.root/lineage/children')).json()).toEqual([{ file_name: 'reco_002.root', file_id: 12 }])
    expect(await (await get('files/name/reco_002.root/lineage/ancestors')).json()).toEqual([{ file_name: 'raw_002.root', file_id: 2 }])
  })

  it('declares files from JSON metadata (what a job does) and locates them', async () => {
    const res = await fetch(`${sam.apiBase}/files`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ file_name: 'decl_001.root', file_size: 5, parents: [{ file_name: 'raw_003.root' }], application: { family: 'art', name: 'reco', version: 'v3' }, runs: [[2002, 1, 'physics']] }),
    })
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/^\d+$/)
    const count = (dims: string) => text(get(`files/count?dims=${q(dims)}`))
    expect(await count('version v3 with availability physical')).toBe('0')
    expect((await post('files/name/decl_001.root/locations', { add: 'dcache:/pnfs/nova/out' })).status).toBe(200)
    expect(await count('version v3 with availability physical')).toBe('1')
    expect(await count('ischildof:( run_number 1002 ) and version v3')).toBe('1')
    const dup = await fetch(`${sam.apiBase}/files`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ file_name: 'decl_001.root' }) })
    expect(dup.status).toBe(409)
    const orphan = await fetch(`${sam.apiBase}/files`, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify({ file_name: 'x.root', parents: ['ghost.root'] }) })
    expect(orphan.status).toBe(400)
    expect(((await orphan.json()) as { error: string }).error).toBe('InvalidMetadata')
  })
})

describe('SAM emulator: definitions and snapshots', () => {
  it('creates, refuses a duplicate with 409, describes, lists and deletes', async () => {
    const created = await post('definitions/create', { defname: 'def_a', dims: 'run_number 1000,1001,1002', user: 'sam', group: 'nova' })
    expect(created.status).toBe(200)
    expect(await created.json()).toMatchObject({ defname: 'def_a', dimensions: 'run_number 1000,1001,1002', username: 'sam', group: 'nova' })
    const again = await post('definitions/create', { defname: 'def_a', dims: 'run_number 1' }, JSON_ACCEPT)
    expect(again.status).toBe(409)
    expect(((await again.json()) as { message: string }).message).toMatch(/already exists/)

    const describe = (await (await get('definitions/name/def_a/describe?format=json')).json()) as Record<string, unknown>
    expect(describe).toEqual({ defname: 'def_a', defid: expect.any(Number), dimensions: 'run_number 1000,1001,1002', username: 'sam', group: 'nova', create_time: '2024-04-01T12:00:00+00:00', description: '' })
    expect(await text(get('definitions/name/def_a/describe'))).toMatch(/^Definition Name: def_a\n {2}Definition Id: \d+\n.*\n {5}Dimensions: run_number 1000,1001,1002$/s)
    expect(await (await get('definitions/name/def_a', JSON_ACCEPT)).json()).toMatchObject({ defname: 'def_a' })
    expect(await text(get('definitions/list'))).toMatch(/^def_a$/m)
    expect(await (await get('definitions/list?format=json')).json()).toEqual(expect.arrayContaining([expect.objectContaining({ defname: 'def_a' })]))
    expect(await text(get('definitions/name/def_a/files/count'))).toBe('3')

    expect((await fetch(`${sam.apiBase}/definitions/name/def_a`, { method: 'DELETE' })).status).toBe(200)
    const gone = await get('definitions/name/def_a/describe?format=json')
    expect(gone.status).toBe(404)
    expect(((await gone.json()) as { error: string }).error).toBe('DefinitionNotFound')
  })

  it('refuses a definition whose dimensions do not parse', async () => {
    const res = await post('definitions/create', { defname: 'bad', dims: 'isparentof:( version' }, JSON_ACCEPT)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: string }).error).toBe('DimensionError')
  })

  it('takes a snapshot as plain integer text and keeps it frozen', async () => {
    await post('definitions/create', { defname: 'def_snap', dims: 'file_name snap_%' })
    sam.declareFiles([{ name: 'snap_1.root' }, { name: 'snap_2.root' }])
    const res = await post('definitions/name/def_snap/snapshot', { group: 'nova' })
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    const id = await res.text()
    expect(id).toMatch(/^\d+$/)
    sam.declareFiles([{ name: 'snap_3.root' }])
    expect(await text(get(`files/count?dims=${q(`snapshot_id ${id}`)}`))).toBe('2')
    expect(await text(get(`files/count?dims=${q('defname:def_snap')}`))).toBe('3')
    expect((await post('definitions/name/nope/snapshot')).status).toBe(404)
  })
})

describe('SAM emulator: projects and the consumer protocol', () => {
  it('starts a project, hands files to a process and summarises it', async () => {
    sam.defineDataset('def_proj', 'run_number 1000,1001,1002,1003')
    const start = await post('startProject', { name: 'proj_1', station: 'nova', group: 'nova', defname: 'def_proj', username: 'poms' })
    const projectUrl = await start.text()
    expect(projectUrl).toBe(`${sam.apiBase}/projects/nova/proj_1`)
    expect(await text(get('findProject?name=proj_1&station=nova'))).toBe(projectUrl)
    expect((await post('startProject', { name: 'proj_1', defname: 'def_proj' })).status).toBe(409)

    const pid = await text(fetch(`${projectUrl}/establishProcess`, { method: 'POST', body: new URLSearchParams({ appname: 'reco', appversion: 'v2', node: 'wn1' }) }))
    expect(pid).toMatch(/^\d+$/)
    const next = () => fetch(`${projectUrl}/processes/${pid}/getNextFile`, { method: 'POST' })
    sam.stageNext(1, 7)
    const staging = await next()
    expect(staging.status).toBe(202)
    expect(staging.headers.get('retry-after')).toBe('7')
    const first = await next()
    expect(first.status).toBe(200)
    expect(await first.text()).toBe('file:///pnfs/nova/emulated/raw_001.root\nraw_001.root')
    const update = (filename: string, status: string) => fetch(`${projectUrl}/processes/${pid}/updateFileStatus`, { method: 'POST', body: new URLSearchParams({ filename, status }) })
    expect((await update('raw_001.root', 'consumed')).status).toBe(200)
    expect((await update('raw_004.root', 'consumed')).status).toBe(400) // not delivered to this process
    const second = await fetch(`${projectUrl}/processes/${pid}/getNextFile`, { method: 'POST', headers: JSON_ACCEPT })
    expect(await second.json()).toEqual({ url: 'file:///pnfs/nova/emulated/raw_002.root', filename: 'raw_002.root' })
    await update('raw_002.root', 'failed')

    const summary = (await (await get('projects/name/proj_1/summary?format=json')).json()) as Record<string, unknown>
    expect(summary).toMatchObject({
      project_name: 'proj_1',
      project_status: 'running',
      dataset_def_name: 'def_proj',
      files_in_snapshot: 4,
      station_name: 'nova',
      project_start_time: '2024-04-01T12:00:00+00:00',
      project_end_time: null,
      file_counts: { consumed: 1, failed: 1, unknown: 2, delivered: 0, completed: 0, skipped: 0, cancelled: 0 },
      process_counts: { active: 1, completed: 0, bad: 0 },
    })
    expect(summary.processes).toEqual([
      expect.objectContaining({ process_id: Number(pid), status: 'active', application: { family: '', name: 'reco', version: 'v2' }, counts: { consumed: 1, cancelled: 0, failed: 1, skipped: 0, delivered: 0, unknown: 0 } }),
    ])
    expect(await (await get('projects/name/proj_1/summary?format=json&process_limit=0')).json()).toMatchObject({ processes: [] })
    expect(await text(get('projects/name/proj_1/summary'))).toMatch(/^Project: proj_1/)

    // The rest of the files, then 204, endProcess and endProject.
    for (;;) {
      const res = await next()
      if (res.status === 204) break
      await update((await res.text()).split('\n')[1]!, 'consumed')
    }
    expect((await fetch(`${projectUrl}/processes/${pid}/endProcess`, { method: 'POST' })).status).toBe(200)
    expect(await text(fetch(`${projectUrl}/status`))).toBe('running')
    expect((await fetch(`${projectUrl}/endProject`, { method: 'POST', body: new URLSearchParams({ force: '1' }) })).status).toBe(200)
    clock = T0
    expect(await (await get('projects/name/proj_1/summary?format=json&process_limit=0')).json()).toMatchObject({
      project_status: 'completed',
      project_end_time: '2024-04-01T12:00:00+00:00',
      file_counts: { consumed: 3, failed: 1 },
      process_counts: { completed: 1, active: 0 },
    })
    expect((await get('projects/name/ghost/summary?format=json')).status).toBe(404)
  })

  it('refuses to delete a definition a project has used', async () => {
    sam.defineDataset('def_used', 'run_number 1005')
    sam.startProject('proj_used', 'def_used')
    const res = await fetch(`${sam.apiBase}/definitions/name/def_used`, { method: 'DELETE', headers: JSON_ACCEPT })
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: string }).error).toBe('DefinitionInUse')
  })

  it('answers recovery_dimensions as plain text that selects exactly the files to recover', async () => {
    sam.defineDataset('def_rec', 'run_number 1006,1007,1008,1009')
    sam.startProject('proj_rec', 'def_rec')
    const job1 = await sam.runJob({ project: 'proj_rec', maxFiles: 2, outcome: (_f, i) => (i === 0 ? 'consumed' : 'failed') })
    const job2 = await sam.runJob({ project: 'proj_rec', end: 'bad' })
    expect(job1.files).toEqual([
      { name: 'raw_007.root', status: 'consumed' },
      { name: 'raw_008.root', status: 'failed' },
    ])
    expect(job2.files.map((f) => f.status)).toEqual(['consumed', 'consumed'])

    const recover = async (useProcess: 0 | 1) => {
      const res = await get(`projects/name/proj_rec/recovery_dimensions?format=plain&useProcess=${useProcess}`)
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
      const dims = await res.text()
      return { dims, files: (await (await get(`files/list?format=json&dims=${q(dims)}`)).json()) as string[] }
    }
    expect((await recover(0)).files).toEqual(['raw_008.root'])
    const withProcess = await recover(1)
    expect(withProcess.files).toEqual(['raw_008.root', 'raw_009.root', 'raw_010.root'])
    expect(withProcess.dims).toMatch(/^\(snapshot_for_project_name proj_rec minus/)

    sam.defineDataset('def_clean', 'run_number 1004')
    sam.startProject('proj_clean', 'def_clean')
    await sam.runJob({ project: 'proj_clean' })
    expect(await text(get('projects/name/proj_clean/recovery_dimensions?useProcess=1'))).toBe('')
  })

  it('keeps a project whose worker died running, with its files delivered and its process active', async () => {
    sam.defineDataset('def_dead', 'run_number 1000,1001')
    sam.startProject('proj_dead', 'def_dead')
    const job = await sam.runJob({ project: 'proj_dead', maxFiles: 1, end: 'died' })
    expect(job.files).toEqual([{ name: 'raw_001.root', status: 'consumed' }])
    await sam.runJob({ project: 'proj_dead', end: 'died', outcome: () => 'transferred' })
    expect(await (await get('projects/name/proj_dead/summary?format=json&process_limit=0')).json()).toMatchObject({
      project_status: 'running',
      file_counts: { consumed: 1, transferred: 1 },
      process_counts: { active: 2, completed: 0 },
    })
    const dims = await text(get('projects/name/proj_dead/recovery_dimensions?useProcess=1'))
    expect(await (await get(`files/list?format=json&dims=${q(dims)}`)).json()).toEqual(['raw_001.root', 'raw_002.root'])
  })

  it('lets a simulated job declare outputs with parentage, located or not', async () => {
    sam.declareFiles([{ name: 'gen_a.root' }, { name: 'gen_b.root' }])
    sam.defineDataset('def_gen', 'file_name gen_%')
    sam.startProject('proj_gen', 'def_gen')
    const job = await sam.runJob({
      project: 'proj_gen',
      appversion: 'v9',
      outputs: (input) => [{ name: input.replace('gen_', 'out_') , located: input !== 'gen_b.root' }],
    })
    expect(job.outputs).toEqual(['out_a.root', 'out_b.root'])
    const count = (dims: string) => text(get(`files/count?dims=${q(dims)}`))
    expect(await count('ischildof:( snapshot_for_project_name proj_gen ) and version v9')).toBe('2')
    expect(await count('ischildof:( snapshot_for_project_name proj_gen ) and version v9 with availability physical')).toBe('1')
    expect(await count('snapshot_for_project_name proj_gen and isparentof:( version v9 with availability physical )')).toBe('1')
    expect(await count('project_name proj_gen and consumed_status co%')).toBe('2')
  })
})

describe('SAM emulator: failure switches (protocols.md §3.7)', () => {
  it('fails the next n matching requests with a chosen status and body, then recovers', async () => {
    sam.failNext(2, { status: 503, body: '{"error":"ServiceUnavailable","message":"database is down"}', contentType: 'application/json' }, { path: 'files/count' })
    const dims = `files/count?dims=${q('run_number 1000')}`
    expect((await get(dims)).status).toBe(503)
    expect((await get('files/list?dims=x&format=json')).status).toBe(400) // other paths are untouched
    expect(await text(get(dims))).toContain('database is down')
    expect(await text(get(dims))).toBe('1')
  })

  it('serves a garbage body with a 200', async () => {
    sam.failNext(1, { status: 200, body: '<html><body>Proxy Error</body></html>', contentType: 'text/html' })
    const res = await get('projects/name/proj_1/summary?format=json')
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/^<html>/)
  })

  it('drops the connection', async () => {
    sam.failNext(1, 'reset')
    await expect(get('files/count?dims=x')).rejects.toThrow()
  })

  it('answers slowly', async () => {
    sam.delay(150, { path: 'summary' })
    const started = Date.now()
    await get('projects/name/proj_1/summary?format=json')
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    const fast = Date.now()
    await get(`files/count?dims=${q('run_number 1000')}`)
    expect(Date.now() - fast).toBeLessThan(140)
  })

  it('refuses queries over the query limit with "query limit" text', async () => {
    sam.queryLimit(5)
    const res = await get(`files/count?dims=${q('file_name raw_%')}`, JSON_ACCEPT)
    expect(res.status).toBe(400)
    const body = await res.text()
    expect(body.indexOf('query limit')).toBeGreaterThan(0) // POMS tests `text.find("query limit") > 0`
    expect(await text(get(`files/count?dims=${q('run_number 1000')}`))).toBe('1')
  })

  it('requires a bearer token when asked, for everything or for writes only', async () => {
    sam.requireToken('s3cret')
    const none = await get(`files/count?dims=${q('run_number 1000')}`, JSON_ACCEPT)
    expect(none.status).toBe(401)
    expect(await none.json()).toEqual({ error: 'HTTPUnauthorized', message: 'Authentication required: no credentials were presented' })
    expect((await get(`files/count?dims=${q('run_number 1000')}`, { Authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await get(`files/count?dims=${q('run_number 1000')}`, { Authorization: 'Bearer s3cret' })).status).toBe(200)
    sam.requireToken('s3cret', { writesOnly: true })
    expect((await get(`files/count?dims=${q('run_number 1000')}`)).status).toBe(200)
    expect((await post('definitions/create', { defname: 'def_tok', dims: 'run_number 1' })).status).toBe(401)
    expect((await post('definitions/create', { defname: 'def_tok', dims: 'run_number 1' }, { Authorization: 'Bearer s3cret' })).status).toBe(200)
  })

  it('answers 404 for unknown endpoints and other experiments, 405 for a wrong method', async () => {
    expect((await get('no/such/thing')).status).toBe(404)
    expect((await fetch(`${sam.url}/sam/dune/api/files/count?dims=x`)).status).toBe(404)
    expect((await fetch(`${sam.apiBase}/definitions/create`)).status).toBe(405)
  })

  it('records every request for tests to count', async () => {
    const before = sam.requests.length
    await post('files/count', { dims: 'run_number 1000' })
    expect(sam.requests.slice(before)).toEqual([expect.objectContaining({ method: 'POST', path: 'files/count', form: { dims: 'run_number 1000' } })])
  })
})
