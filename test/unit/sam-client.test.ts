import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DataServiceError } from '../../electron/core/engine/data/data-handler'
import { createSamDimensionBackend, type SamDimensionBackend } from '../../electron/core/engine/data/sam/sam-backend'
import { SamQueryLimitError } from '../../electron/core/engine/data/sam/sam-errors'
import { startSamEmulator, type SamEmulator } from '../emulators/sam'

let sam: SamEmulator
let sam2: SamDimensionBackend
const sleeps: number[] = []

async function failure(promise: Promise<unknown>): Promise<DataServiceError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(DataServiceError)
    return err as DataServiceError
  }
  throw new Error('expected the call to fail')
}

const since = (mark: number) => sam.requests.slice(mark).map((r) => `${r.method} ${r.path}`)

beforeAll(async () => {
  sam = await startSamEmulator({ experiment: 'nova' })
  sam.declareFiles(Array.from({ length: 12 }, (_, i) => ({ name: `in_${String(i).padStart(2, '0')}.root`, runs: [String(500 + i)] })))
  sam2 = createSamDimensionBackend({ baseUrl: sam.url, experiment: 'nova', sleep: async (ms) => void sleeps.push(ms) })
})
afterAll(() => sam.stop())
afterEach(() => {
  sam.faults.reset()
  sleeps.length = 0
})

describe('the SAM DimensionBackend against the emulator', () => {
  it('counts files with a GET, and POSTs a query longer than 1024 characters', async () => {
    expect(await sam2.countFiles('file_name in_%')).toBe(12)
    const names = Array.from({ length: 120 }, (_, i) => `in_${String(i).padStart(2, '0')}.root`)
    const mark = sam.requests.length
    expect(await sam2.countFiles(`file_name ${names.join(',')}`)).toBe(12)
    expect(since(mark)).toEqual(['POST files/count'])
  })

  it('lists files, with an optional limit', async () => {
    expect(await sam2.listFiles('run_number 500,501,502')).toEqual(['in_00.root', 'in_01.root', 'in_02.root'])
    expect(await sam2.listFiles('file_name in_%', 2)).toEqual(['in_00.root', 'in_01.root'])
  })

  it('creates a definition and describes it; a missing one describes as null', async () => {
    await sam2.createDefinition('poms_depends_1_1', 'run_number 500,501')
    expect(await sam2.describeDefinition('poms_depends_1_1')).toBe('run_number 500,501')
    expect(await sam2.countFiles('defname:poms_depends_1_1')).toBe(2)
    expect(await sam2.describeDefinition('never_made')).toBeNull()
  })

  it('replaces an existing definition as POMS does on 409: GET, DELETE, create again', async () => {
    await sam2.createDefinition('slice_0', 'run_number 500')
    const mark = sam.requests.length
    await sam2.createDefinition('slice_0', 'run_number 501,502')
    expect(since(mark)).toEqual(['POST definitions/create', 'GET definitions/name/slice_0', 'DELETE definitions/name/slice_0', 'POST definitions/create'])
    expect(await sam2.describeDefinition('slice_0')).toBe('run_number 501,502')
  })

  it('fails clearly when the definition to replace has been used by a project', async () => {
    await sam2.createDefinition('used_def', 'run_number 503')
    await sam2.startProject('used_proj', 'used_def')
    const err = await failure(sam2.createDefinition('used_def', 'run_number 504'))
    expect(err.status).toBe(409)
    expect(err.message).toMatch(/^SAM DELETE http:\/\/127\.0\.0\.1:\d+\/sam\/nova\/api\/definitions\/name\/used_def answered 409 DefinitionInUse: Definition used_def has been used by a project/)
  })

  it('takes a snapshot and returns its id', async () => {
    await sam2.createDefinition('snap_def', 'run_number 505,506')
    const id = await sam2.takeSnapshot('snap_def')
    expect(Number.isInteger(id)).toBe(true)
    expect(await sam2.countFiles(`snapshot_id ${id}`)).toBe(2)
    expect((await failure(sam2.takeSnapshot('no_def'))).status).toBe(404)
  })

  it('reads file metadata; an unknown file is null', async () => {
    expect(await sam2.fileMetadata('in_03.root')).toMatchObject({ file_name: 'in_03.root', runs: [[503, 'physics']] })
    expect(await sam2.fileMetadata('ghost.root')).toBeNull()
  })

  it('starts a project and reads its summary (process_limit=0)', async () => {
    await sam2.createDefinition('proj_def', 'run_number 507,508,509')
    expect(await sam2.startProject('proj_a', 'proj_def')).toBe('proj_a')
    await sam.runJob({ project: 'proj_a', outcome: (_f, i) => ['consumed', 'failed', 'skipped'][i]! })
    const mark = sam.requests.length
    expect(await sam2.projectSummary('proj_a')).toEqual({
      project: 'proj_a',
      state: 'running',
      dataset: 'proj_def',
      filesInSnapshot: 3,
      consumed: 1,
      completed: 0,
      failed: 1,
      skipped: 1,
      delivered: 0,
      cancelled: 0,
      unknown: 0,
    })
    expect(sam.requests[mark]).toMatchObject({ method: 'GET', path: 'projects/name/proj_a/summary', query: { format: 'json', process_limit: '0' } })
    expect(await sam2.projectSummary('no_such_project')).toBeNull()
    expect((await failure(sam2.startProject('proj_a', 'proj_def'))).status).toBe(409)
  })

  it('gets recovery dimensions: empty when nothing is left, else a query for the files to redo', async () => {
    await sam2.createDefinition('rec_def', 'run_number 510,511')
    await sam2.startProject('proj_rec', 'rec_def')
    await sam.runJob({ project: 'proj_rec', outcome: (f) => (f === 'in_11.root' ? 'failed' : 'consumed') })
    const dims = await sam2.recoveryDimensions('proj_rec', false)
    expect(await sam2.listFiles(dims)).toEqual(['in_11.root'])
    expect(sam.requests.at(-2)).toMatchObject({ path: 'projects/name/proj_rec/recovery_dimensions', query: { format: 'plain', useProcess: '0' } })

    await sam2.createDefinition('ok_def', 'run_number 500')
    await sam2.startProject('proj_ok', 'ok_def')
    await sam.runJob({ project: 'proj_ok' })
    expect(await sam2.recoveryDimensions('proj_ok', true)).toBe('')
  })

  it('turns SAM errors into DataServiceErrors with the status and the server message', async () => {
    const err = await failure(sam2.countFiles('defname:no_such_def'))
    expect(err.service).toBe('sam')
    expect(err.status).toBe(400)
    expect(err.message).toMatch(/answered 400 DimensionError: Cannot evaluate "defname:no_such_def": there is no definition named no_such_def$/)
  })

  it('reports "query limit" as SamQueryLimitError, without retrying', async () => {
    sam.queryLimit(3)
    const mark = sam.requests.length
    const err = await failure(sam2.countFiles('file_name in_%'))
    expect(err).toBeInstanceOf(SamQueryLimitError)
    expect(err.message).toMatch(/over SAM's query limit/)
    expect(since(mark)).toHaveLength(1)
    // The same text in a 200 body (older servers) is recognised too.
    sam.queryLimit(null)
    sam.failNext(1, { status: 200, body: 'Error: the query limit was exceeded' })
    expect(await failure(sam2.countFiles('run_number 500'))).toBeInstanceOf(SamQueryLimitError)
  })

  it('goes through an injected fetch', async () => {
    const seen: string[] = []
    const viaFetch = createSamDimensionBackend({
      baseUrl: sam.url,
      experiment: 'nova',
      fetch: (input, init) => {
        seen.push(`${init?.method} ${String(input)}`)
        return fetch(input, init)
      },
    })
    expect(await viaFetch.countFiles('run_number 500')).toBe(1)
    expect(seen).toEqual([`GET ${sam.apiBase}/files/count?dims=run_number+500`])
  })

  it('takes a full API base as well as a SAM base', async () => {
    const direct = createSamDimensionBackend({ baseUrl: sam.apiBase, experiment: 'nova' })
    expect(direct.apiBase).toBe(sam.apiBase)
    expect(await direct.countFiles('run_number 500')).toBe(1)
  })
})
