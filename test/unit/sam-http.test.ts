import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { SecretStore } from '../../electron/core/ports'
import { DataServiceError } from '../../electron/core/engine/data/data-handler'
import { createCircuitBreaker, FAULT_WINDOW_MS, isFaultStatus } from '../../electron/core/engine/data/sam/circuit-breaker'
import { backoffDelay, SAM_POLICIES } from '../../electron/core/engine/data/sam/retry-policy'
import { createSamDimensionBackend, type SamBackendOptions } from '../../electron/core/engine/data/sam/sam-backend'
import { SamRequestSkipped } from '../../electron/core/engine/data/sam/sam-errors'
import { SamHttp } from '../../electron/core/engine/data/sam/sam-http'
import { tokenFromFile, tokenFromSecret } from '../../electron/core/engine/data/sam/sam-token'
import { perExperimentBase, samApiBase } from '../../electron/core/engine/data/sam/sam-urls'
import { startSamEmulator, type SamEmulator } from '../emulators/sam'

let sam: SamEmulator
let dir: string
let now = 1_700_000_000_000
const sleeps: number[] = []
const clock = { now: () => now }

function backend(extra: Partial<SamBackendOptions> = {}) {
  return createSamDimensionBackend({ baseUrl: sam.url, experiment: 'nova', clock, sleep: async (ms) => void sleeps.push(ms), ...extra })
}

async function failure(promise: Promise<unknown>): Promise<DataServiceError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(DataServiceError)
    return err as DataServiceError
  }
  throw new Error('expected the call to fail')
}

const attempts = (path: string, mark: number) => sam.requests.slice(mark).filter((r) => r.path === path).length

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'poms-sam-'))
  sam = await startSamEmulator({ experiment: 'nova' })
  sam.declareFiles([{ name: 'a.root', runs: ['1'] }, { name: 'b.root', runs: ['2'] }])
  sam.defineDataset('ds', 'run_number 1,2')
  sam.startProject('p1', 'ds')
  sam.startProject('p2', 'ds')
})
afterAll(async () => {
  await sam.stop()
  rmSync(dir, { recursive: true, force: true })
})
afterEach(() => {
  sam.faults.reset()
  sleeps.length = 0
})

describe('retries with backoff', () => {
  it('retries a count through a 5xx storm with growing waits, and logs each retry', async () => {
    sam.failNext(3, { status: 503, body: 'Service Unavailable' }, { path: 'files/count' })
    const warnings: Record<string, unknown>[] = []
    const logger = { debug() {}, info() {}, error() {}, warn: (_msg: string, data?: Record<string, unknown>) => void warnings.push(data ?? {}), child: () => logger }
    const mark = sam.requests.length
    expect(await backend({ logger }).countFiles('run_number 1')).toBe(1)
    expect(attempts('files/count', mark)).toBe(4)
    expect(sleeps).toEqual([500, 1000, 2000])
    expect(warnings.map((w) => [w.attempt, w.delayMs])).toEqual([
      [2, 500],
      [3, 1000],
      [4, 2000],
    ])
    expect(warnings[0]!.reason).toMatch(/answered 503: Service Unavailable$/)
  })

  it('gives a count up to 10 retries, then throws the last error with the attempt count', async () => {
    sam.failNext(50, { status: 502, body: '{"error":"BadGateway","message":"upstream is down"}', contentType: 'application/json' }, { path: 'files/count' })
    const mark = sam.requests.length
    const err = await failure(backend().countFiles('run_number 2'))
    expect(attempts('files/count', mark)).toBe(11)
    expect(err.status).toBe(502)
    expect(err.message).toMatch(/answered 502 BadGateway: upstream is down \(after 11 attempts\)$/)
    expect(sleeps).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000, 10000, 10000])
  })

  it('retries create_definition and take_snapshot 3 times, 5 s apart (POMS)', async () => {
    sam.failNext(10, { status: 500, body: 'Internal Server Error' }, { path: 'definitions/create' })
    const mark = sam.requests.length
    const err = await failure(backend().createDefinition('d_fail', 'run_number 1'))
    expect(attempts('definitions/create', mark)).toBe(4)
    expect(sleeps).toEqual([5000, 5000, 5000])
    expect(err.message).toMatch(/answered 500: Internal Server Error \(after 4 attempts\)/)
    sam.faults.reset()
    sleeps.length = 0
    sam.failNext(2, { status: 503 }, { path: 'snapshot' })
    expect(await backend().takeSnapshot('ds')).toBeGreaterThan(0)
    expect(sleeps).toEqual([5000, 5000])
  })

  it('does not retry a 4xx', async () => {
    sam.failNext(5, { status: 403, body: 'Forbidden' }, { path: 'files/list' })
    const mark = sam.requests.length
    const err = await failure(backend().listFiles('run_number 1'))
    expect(attempts('files/list', mark)).toBe(1)
    expect(err.status).toBe(403)
    expect(sleeps).toEqual([])
  })

  it('retries a dropped connection', async () => {
    sam.failNext(1, 'reset', { path: 'metadata' })
    expect(await backend().fileMetadata('a.root')).toMatchObject({ file_name: 'a.root' })
    expect(sleeps).toEqual([500])
  })

  it('treats a 409 on a retried startProject as the earlier attempt having landed', async () => {
    // The first attempt starts the project but its answer comes too late; the retry gets 409.
    sam.defineDataset('ds_retry', 'run_number 1')
    sam.delay(150, { path: 'startProject' })
    const sam2 = backend({
      policies: { write: { timeoutMs: 50 } },
      sleep: async () => {
        sam.delay(0)
        await new Promise((r) => setTimeout(r, 250)) // let the first attempt land
      },
    })
    const mark = sam.requests.length
    expect(await sam2.startProject('p_retry', 'ds_retry')).toBe('p_retry')
    expect(attempts('startProject', mark)).toBe(2)
    expect(sam.projects.get('p_retry').defname).toBe('ds_retry')
  })

  it('computes backoff from the policy', () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(SAM_POLICIES.summary, n))).toEqual([200, 400, 800, 1600, 3200])
    expect(backoffDelay(SAM_POLICIES.write, 3)).toBe(5000)
  })
})

describe('time-outs', () => {
  it('times out a slow server and says so, after the retries', async () => {
    sam.delay(300, { path: 'summary' })
    const mark = sam.requests.length
    const err = await failure(backend({ policies: { summary: { timeoutMs: 50, retries: 1 } } }).projectSummary('p1'))
    expect(err.status).toBeNull()
    expect(err.message).toMatch(/^SAM GET http:\/\/127\.0\.0\.1:\d+\/sam\/nova\/api\/projects\/name\/p1\/summary\?format=json&process_limit=0 timed out after 50 ms \(after 2 attempts\)$/)
    expect(attempts('projects/name/p1/summary', mark)).toBe(2)
  })

  it('uses POMS\'s 5 s time-out for summaries by default', () => {
    expect(SAM_POLICIES.summary.timeoutMs).toBe(5000)
  })

  it('stops at once when the caller cancels', async () => {
    sam.delay(300, { path: 'files/count' })
    const http = new SamHttp({ apiBase: sam.apiBase, sleep: async (ms) => void sleeps.push(ms) })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 30)
    const err = await failure(http.request({ method: 'GET', path: 'files/count', query: { dims: 'run_number 1' }, policy: 'count', signal: controller.signal }))
    expect(err.message).toMatch(/was cancelled$/)
    expect(sleeps).toEqual([])
    expect(http.breaker.faults()).toEqual([]) // a cancelled call says nothing about the URL
  })
})

describe('garbage bodies', () => {
  it('names the URL and what was wrong when a summary is not JSON', async () => {
    sam.failNext(1, { status: 200, body: '<html><body><h1>502 Proxy Error</h1></body></html>', contentType: 'text/html' }, { path: 'summary' })
    const err = await failure(backend().projectSummary('p1'))
    expect(err.status).toBe(200)
    expect(err.message).toMatch(
      /^SAM GET http:\/\/127\.0\.0\.1:\d+\/sam\/nova\/api\/projects\/name\/p1\/summary\?format=json&process_limit=0 answered 200 with something that is not a project summary: it is not JSON; the body was "<html><body><h1>502 Proxy Error<\/h1><\/body><\/html>"$/,
    )
  })

  it('names the field when the JSON has the wrong shape', async () => {
    sam.failNext(1, { status: 200, body: JSON.stringify({ project_status: 'running', files_in_snapshot: 'many', file_counts: {} }), contentType: 'application/json' }, { path: 'summary' })
    const err = await failure(backend().projectSummary('p1'))
    expect(err.message).toMatch(/not a project summary: files_in_snapshot: .*number/)
  })

  it('refuses a count, snapshot id, list or project URL that is not one', async () => {
    sam.failNext(1, { status: 200, body: 'twelve' }, { path: 'files/count' })
    expect((await failure(backend().countFiles('run_number 1'))).message).toMatch(/not a file count: it is not a whole number; the body was "twelve"$/)
    sam.failNext(1, { status: 200, body: '' }, { path: 'snapshot' })
    expect((await failure(backend().takeSnapshot('ds'))).message).toMatch(/not a snapshot id: it is not a whole number; the body was an empty body$/)
    sam.failNext(1, { status: 200, body: '{"files": []}', contentType: 'application/json' }, { path: 'files/list' })
    expect((await failure(backend().listFiles('run_number 1'))).message).toMatch(/not a list of file names: .*array/)
    sam.failNext(1, { status: 200, body: 'OK' }, { path: 'startProject' })
    expect((await failure(backend().startProject('p_garbage', 'ds'))).message).toMatch(/not a project URL: it does not start with http/)
    sam.failNext(1, { status: 200, body: '<html>oops</html>', contentType: 'text/html' }, { path: 'recovery_dimensions' })
    expect((await failure(backend().recoveryDimensions('p1', false))).message).toMatch(/not a dimension string/)
  })
})

describe('the faulty-request circuit breaker (poms-reference.md §1.17)', () => {
  it('skips a URL that failed for 10 minutes, leaves other URLs alone, then tries again', async () => {
    const sam2 = backend()
    sam.failNext(6, { status: 503, body: 'down' }, { path: 'projects/name/p1/summary' })
    const first = await failure(sam2.projectSummary('p1'))
    expect(first.status).toBe(503)
    const [fault] = sam2.faults()
    expect(fault).toMatchObject({ status: 503, ntries: 1, lastSeen: now, retryAt: now + FAULT_WINDOW_MS })
    expect(fault!.url).toMatch(/\/projects\/name\/p1\/summary\?format=json&process_limit=0$/)

    const mark = sam.requests.length
    const skipped = await failure(sam2.projectSummary('p1'))
    expect(skipped).toBeInstanceOf(SamRequestSkipped)
    expect(skipped.message).toMatch(/was skipped: it failed with status 503 .* it will be tried again after/)
    expect(sam.requests.length).toBe(mark) // not sent at all
    expect(await sam2.projectSummary('p2')).toMatchObject({ project: 'p2' }) // per URL

    now += FAULT_WINDOW_MS - 1
    await failure(sam2.projectSummary('p1'))
    now += 1
    expect(await sam2.projectSummary('p1')).toMatchObject({ project: 'p1', filesInSnapshot: 2 })
    expect(sam2.faults()).toEqual([])
  })

  it('counts repeated failures and can be reset', async () => {
    const sam2 = backend({ policies: { read: { retries: 0 } } })
    sam.failNext(2, { status: 500 }, { path: 'metadata' })
    await failure(sam2.fileMetadata('a.root'))
    now += FAULT_WINDOW_MS
    await failure(sam2.fileMetadata('a.root'))
    expect(sam2.faults()[0]).toMatchObject({ ntries: 2, status: 500 })
    sam2.breaker.reset()
    expect(sam2.faults()).toEqual([])
  })

  it('does not trip on 400 or 404 (answers, as POMS treats them), nor guard POSTs', async () => {
    const sam2 = backend()
    expect(await sam2.projectSummary('nope')).toBeNull()
    await failure(sam2.countFiles('defname:nope'))
    sam.failNext(4, { status: 500 }, { path: 'definitions/create' })
    await failure(sam2.createDefinition('d', 'run_number 1'))
    expect(sam2.faults()).toEqual([])
  })

  it('records time-outs and network errors as faults with no status', async () => {
    const sam2 = backend({ policies: { read: { retries: 0 } } })
    sam.failNext(1, 'reset', { path: 'files/list' })
    await failure(sam2.listFiles('run_number 2'))
    expect(sam2.faults()[0]).toMatchObject({ status: null })
  })

  it('classifies statuses as POMS does', () => {
    expect([200, 204, 400, 404].map(isFaultStatus)).toEqual([false, false, false, false])
    expect([401, 403, 409, 500, 503, null].map(isFaultStatus)).toEqual([true, true, true, true, true, true])
  })

  it('is a per-URL window on an injectable clock', () => {
    let t = 0
    const breaker = createCircuitBreaker({ clock: { now: () => t }, windowMs: 1000 })
    breaker.recordFailure('u1', 503, 'down')
    expect(breaker.blocking('u1')).toMatchObject({ url: 'u1' })
    expect(breaker.blocking('u2')).toBeNull()
    t = 1000
    expect(breaker.blocking('u1')).toBeNull()
    expect(breaker.faults()).toHaveLength(1)
  })
})

describe('authentication', () => {
  it('gives a clear 401 when SAM wants a token and none is configured', async () => {
    sam.requireToken('t0k3n')
    const err = await failure(backend().countFiles('run_number 1'))
    expect(err.status).toBe(401)
    expect(err.message).toMatch(/answered 401 HTTPUnauthorized: Authentication required: no credentials were presented$/)
  })

  it('sends the token as a bearer header, from a value, a file or the secret store', async () => {
    sam.requireToken('t0k3n')
    expect(await backend({ token: 't0k3n' }).countFiles('run_number 1')).toBe(1)
    const file = join(dir, 'bt_u1000')
    writeFileSync(file, 't0k3n\n')
    expect(await backend({ token: tokenFromFile(file) }).countFiles('run_number 1')).toBe(1)
    const store: SecretStore = { description: 'memory', encrypted: false, get: async (id) => (id === 'sam-token' ? 't0k3n' : null), set: async () => {}, delete: async () => {} }
    expect(await backend({ token: tokenFromSecret(store, 'sam-token') }).countFiles('run_number 1')).toBe(1)
    expect(sam.requests.at(-1)!.headers.authorization).toBe('Bearer t0k3n')
    const wrong = await failure(backend({ token: 'nope' }).countFiles('run_number 1'))
    expect(wrong.message).toMatch(/the bearer token is not valid/)
  })

  it('says which token file cannot be read', async () => {
    const err = await failure(backend({ token: tokenFromFile(join(dir, 'missing')) }).countFiles('run_number 1'))
    expect(err.message).toMatch(/^the SAM token file .*missing cannot be read/)
  })
})

describe('URLs', () => {
  it('derives POMS\'s per-experiment host and the API base', () => {
    expect(perExperimentBase('https://samweb.fnal.gov:8483', 'nova')).toBe('https://samnova.fnal.gov:8483')
    expect(perExperimentBase('https://samweb.fnal.gov:8483', 'samdev')).toBe('https://samdev.fnal.gov:8483')
    expect(samApiBase('https://samnova.fnal.gov:8483/', 'nova')).toBe('https://samnova.fnal.gov:8483/sam/nova/api')
    expect(samApiBase('https://samdev.fnal.gov:8483/sam/samdev/dev/api', 'samdev')).toBe('https://samdev.fnal.gov:8483/sam/samdev/dev/api')
  })
})
