import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DataServiceError, DatasetError, type DataHandler, type SubmissionFacts } from '../../electron/core/engine/data/data-handler'
import { DataDispatcherClient } from '../../electron/core/engine/data/metacat/data-dispatcher-client'
import { createMetacatDataHandler } from '../../electron/core/engine/data/metacat/metacat-data-handler'
import { rucioUserpassToken } from '../../electron/core/engine/data/metacat/rucio-client'
import { staticToken } from '../../electron/core/engine/data/metacat/tokens'
import type { CatFile } from '../emulators/metacat/catalog'
import { startShrek, type Shrek } from '../emulators/metacat/shrek'

// A submission's life on the metacat handler: beginProject makes its Data Dispatcher project, jobs
// take files (done, failed), then accounting, completion, recovery and dependency datasets.

let shrek: Shrek
let handler: DataHandler
let jobs: DataDispatcherClient
let raw: CatFile[]
let T0: number
const fast = { attempts: 2, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000 }
const token = () => staticToken(shrek.auth.issue('poms'))

beforeAll(async () => {
  shrek = await startShrek()
  T0 = shrek.clock.now()
  const cat = shrek.metacat.catalog
  cat.addDataset('mc', 'raw')
  cat.addDataset('mc', 'reco')
  raw = cat.declare(Array.from({ length: 10 }, (_, i) => ({ namespace: 'mc', name: `in_${i}.root`, created_timestamp: T0 - 1000 + i })), 'mc:raw')
  handler = createMetacatDataHandler({ metacatUrl: shrek.metacat.url, dataDispatcherUrl: shrek.dd.url, tokens: { dataDispatcher: token() }, http: fast })
  jobs = new DataDispatcherClient({ url: shrek.dd.url, token: token(), policy: fast })
})
afterAll(async () => {
  await handler.close()
  await shrek.close()
})
beforeEach(() => {
  shrek.metacat.faults.reset()
  shrek.dd.faults.reset()
})

let sid = 0
function facts(over: Partial<SubmissionFacts> = {}): SubmissionFacts {
  sid++
  return {
    experiment: 'mc',
    submissionId: `00000000-0000-4000-8000-${String(sid).padStart(12, '0')}`,
    shortId: `s-${String(sid).padStart(6, '0')}`,
    stageName: 'reco',
    stageType: 'regular',
    dataset: 'mc:raw',
    project: null,
    softwareVersion: 'v1',
    createdAt: T0 * 1000,
    outputPatterns: ['%.reco.root'],
    outputAncestorDepth: 1,
    creator: 'alice',
    creatorRole: 'production',
    jobCount: null,
    isRecovery: false,
    ...over,
  }
}

/** Jobs work through the project: each outcome in turn for the next file handed out. */
async function work(project: number, outcomes: ('done' | 'failed' | 'retry')[]): Promise<string[]> {
  const taken: string[] = []
  for (const [i, outcome] of outcomes.entries()) {
    const next = await jobs.nextFile(project, `worker-${i}`)
    if (next.kind !== 'file') throw new Error(`no file for outcome ${i}: ${JSON.stringify(next)}`)
    const did = `${next.handle.namespace}:${next.handle.name}`
    await jobs.release(project, did, { failed: outcome !== 'done', retry: outcome === 'retry', workerId: `worker-${i}` })
    taken.push(did)
  }
  return taken
}

/** Outputs a job declares for an input (children in MetaCat), made `dt` seconds after T0. */
function declareOutput(input: string, name: string, meta: Record<string, unknown> = { 'core.application.version': 'v1' }, dt = 60): CatFile {
  const parent = shrek.metacat.catalog.fileByDid('mc', input.replace(/^mc:/, ''))!
  return shrek.metacat.catalog.declare([{ namespace: 'mc', name, parents: [parent.fid], metadata: meta, created_timestamp: T0 + dt }], 'mc:reco')[0]!
}

describe('beginProject', () => {
  it('creates a Data Dispatcher project of the dataset’s files and exports POMS’s variables', async () => {
    const f = facts()
    const { project, env } = await handler.beginProject(f)
    const p = shrek.dd.dispatcher.projects.get(Number(project))!
    expect(p.handles.map((h) => `${h.namespace}:${h.name}`).sort()).toEqual(raw.map((x) => `mc:${x.name}`).sort())
    expect(p.handles.every((h) => typeof h.attributes.fid === 'string')).toBe(true)
    expect(p).toMatchObject({ owner: 'poms', users: ['alice'], query: 'files from mc:raw', idle_timeout: 259200, worker_timeout: null })
    expect(p.attributes).toEqual({ poms_project_name: `reco | standard | Dataset | sid: ${f.shortId}`, poms_submission_id: f.submissionId, poms_experiment: 'mc', poms_stage: 'reco' })
    expect(env).toEqual({
      POMS_DATA_DISPATCHER_TASK_ID: f.submissionId,
      POMS_DATA_DISPATCHER_PROJECT_ID: project,
      POMS_DATA_DISPATCHER_DATASET_QUERY: 'mc:raw',
      POMS_DATA_DISPATCHER_LOAD_LIMIT: '0',
    })
  })

  it('is idempotent: a relaunch adopts the project its interrupted launch made, or the one it recorded', async () => {
    const f = facts()
    const first = await handler.beginProject(f)
    const count = shrek.dd.dispatcher.projects.size
    expect((await handler.beginProject(f)).project).toBe(first.project)
    expect((await handler.beginProject({ ...f, project: first.project })).project).toBe(first.project)
    expect(shrek.dd.dispatcher.projects.size).toBe(count)
  })

  it('reuses a named project, launches a parameter without a project, and refuses an empty query', async () => {
    const existing = shrek.dd.dispatcher.create('poms', { files: [{ namespace: 'mc', name: 'in_0.root' }], attributes: { virtual: true, load_limit: 5 } })
    const reused = await handler.beginProject(facts({ dataset: `project_id: ${existing.project_id}` }))
    expect(reused.project).toBe(String(existing.project_id))
    expect(reused.env).toMatchObject({ POMS_DATA_DISPATCHER_PROJECT_ID: String(existing.project_id), POMS_DATA_DISPATCHER_PROJECT_VIRTUAL: 'True', POMS_DATA_DISPATCHER_LOAD_LIMIT: '5' })
    const param = await handler.beginProject(facts({ dataset: 'a_x' }))
    expect(param.project).toBeNull()
    expect(param.env).toMatchObject({ POMS_DATA_DISPATCHER_PARAMETER: 'a_x', POMS_DATA_DISPATCHER_DATASET_QUERY: 'a_x' })
    expect(param.env).not.toHaveProperty('POMS_DATA_DISPATCHER_PROJECT_ID')
    const empty = handler.beginProject(facts({ dataset: 'files from mc:raw where core.run_number = 1' }))
    await expect(empty).rejects.toBeInstanceOf(DatasetError)
    await expect(empty).rejects.toThrow(/matches no files in MetaCat; a Data Dispatcher project needs at least one/)
    await expect(handler.beginProject(facts({ dataset: 'project_id: 99999' }))).rejects.toThrow(/Data Dispatcher has no project 99999/)
  })

  it('applies the stage’s project settings (virtual, load limit, time-outs) and names recoveries', async () => {
    const h = createMetacatDataHandler({ metacatUrl: shrek.metacat.url, dataDispatcherUrl: shrek.dd.url, tokens: { dataDispatcher: token() }, http: fast, project: { virtual: true, loadLimit: 3, workerTimeout: 600, idleTimeout: null } })
    const f = facts({ isRecovery: true })
    const { project, env } = await h.beginProject(f)
    const p = shrek.dd.dispatcher.projects.get(Number(project))!
    expect(p).toMatchObject({ worker_timeout: 600, idle_timeout: null, attributes: { virtual: true, load_limit: 3, poms_project_name: `reco | standard | Recovery | sid: ${f.shortId}` } })
    expect(env).toMatchObject({ POMS_DATA_DISPATCHER_PROJECT_VIRTUAL: 'True', POMS_DATA_DISPATCHER_LOAD_LIMIT: '3' })
    await h.close()
  })
})

describe('a submission worked through', () => {
  // 6 done, 2 failed for good, 1 failed and put back for retry, 1 never handed out.
  let sub: SubmissionFacts
  let taken: string[]

  beforeAll(async () => {
    sub = facts()
    const { project } = await handler.beginProject(sub)
    sub = { ...sub, project }
    taken = await work(Number(project), ['done', 'done', 'done', 'done', 'done', 'done', 'failed', 'failed', 'retry'])
    const done = taken.slice(0, 6)
    // Outputs: done 0–3 have a good child; done 4's is of another version; done 5 has none.
    done.slice(0, 4).forEach((did, i) => declareOutput(did, `out_${i}.reco.root`))
    declareOutput(done[4]!, 'out_4.reco.root', { 'core.application.version': 'v0' })
    // Not an output of the pattern, and one made before the submission started.
    declareOutput(done[0]!, 'out_0.log')
    declareOutput(done[1]!, 'old_1.reco.root', { 'core.application.version': 'v1' }, -5)
  })

  it('accounting: handles as POMS counts them, and outputs of the patterns since the start', async () => {
    expect(await handler.accounting(sub)).toEqual({ submitted: 10, delivered: 9, consumed: 6, failed: 2, skipped: null, unknown: 0, outputs: 5 })
    expect(await handler.accounting(facts())).toEqual({ submitted: null, delivered: null, consumed: null, failed: null, skipped: null, unknown: null, outputs: null })
  })

  it('located: done + failed against completion_pct, with POMS’s zero-threshold rule', async () => {
    expect(await handler.located(sub, 80)).toEqual({ located: true, count: 8, threshold: 8, detail: `project ${sub.project}: 8 of 10 file handles done or failed (6 done, 2 failed); 80% needs 8` })
    expect((await handler.located(sub, 81)).located).toBe(false)
    expect(await handler.located({ ...sub, isRecovery: false }, 0)).toMatchObject({ located: false, threshold: 0 })
    expect(await handler.located({ ...sub, isRecovery: true }, 0)).toMatchObject({ located: true, threshold: 0 })
    expect(await handler.located(facts({ dataset: 'a_x' }), 100)).toMatchObject({ located: true, count: 0, threshold: 0 })
  })

  it('recovery datasets per type, as exact fid lists', async () => {
    const fidOf = (did: string) => shrek.metacat.catalog.fileByDid('mc', did.replace(/^mc:/, ''))!.fid
    const untouched = raw.map((f) => `mc:${f.name}`).find((d) => !taken.includes(d))!
    const expectRecovery = async (type: Parameters<DataHandler['recoveryDataset']>[1], dids: string[]) => {
      const r = await handler.recoveryDataset(sub, type, 1, null)
      expect([r.type, r.count, [...(r.files ?? [])].sort()]).toEqual([type, dids.length, [...dids].sort()])
      if (dids.length === 0) expect(r.dataset).toBeNull()
      else expect((r.dataset ?? '').replace(/^fids /, '').split(',').sort()).toEqual(dids.map(fidOf).sort())
      return r
    }
    const consumed = await expectRecovery('consumed_status', [taken[6]!, taken[7]!, taken[8]!, untouched])
    expect(consumed.detail).toBe(`recovery step 1 (consumed_status) of ${sub.shortId}: project ${sub.project}: file handles not done (initial, reserved or failed)`)
    await expectRecovery('process_status', [taken[6]!, taken[7]!])
    await expectRecovery('delivered_not_consumed', [taken[6]!, taken[7]!, taken[8]!])
    const pending = await expectRecovery('pending_files', [taken[4]!, taken[5]!])
    expect(pending.detail).toMatch(/core\.application\.version = 'v1'/)
    await expectRecovery('added_files', [])
    const added = shrek.metacat.catalog.declare([{ namespace: 'mc', name: 'late.root', created_timestamp: T0 + 5 }], 'mc:raw')
    await expectRecovery('added_files', [`mc:${added[0]!.name}`])
  })

  it('a recovery launch gets a project of exactly the recovered files', async () => {
    const r = await handler.recoveryDataset(sub, 'process_status', 1, null)
    const rec = facts({ dataset: r.dataset!, isRecovery: true })
    const { project } = await handler.beginProject(rec)
    expect(shrek.dd.dispatcher.projects.get(Number(project))!.handles.map((h) => `${h.namespace}:${h.name}`).sort()).toEqual([...r.files!].sort())
    // added_files of a recovery looks at the parent's query, not at its own fid list.
    const late = await handler.recoveryDataset({ ...rec, project }, 'added_files', 2, sub)
    expect(late.files).toContain('mc:late.root')
    expect(late.files).toHaveLength(11 - 2)
  })

  it('a project whose files are all done: Data Dispatcher ends it, and it is complete at 100%', async () => {
    const f = facts({ dataset: 'files mc:in_0.root, mc:in_1.root' })
    const { project } = await handler.beginProject(f)
    await work(Number(project), ['done', 'done'])
    expect(shrek.dd.dispatcher.projects.get(Number(project))!.state).toBe('done')
    // A worker asking for more gets Data Dispatcher's 400 "Inactive project. State=done", read as the end.
    expect(await jobs.nextFile(Number(project), 'late-worker')).toEqual({ kind: 'ended', state: 'done' })
    expect(await handler.located({ ...f, project }, 100)).toMatchObject({ located: true, count: 2, threshold: 2 })
    expect(await handler.accounting({ ...f, project, outputPatterns: [] })).toMatchObject({ submitted: 2, consumed: 2, failed: 0 })
    expect((await handler.recoveryDataset({ ...f, project }, 'consumed_status', 0, null)).dataset).toBeNull()
  })

  it('no project, nothing to recover', async () => {
    expect(await handler.recoveryDataset(facts({ dataset: 'a_x' }), 'consumed_status', 0, null)).toMatchObject({ dataset: null, count: 0, files: [] })
  })

  it('dependency datasets: the outputs of the inputs, by pattern, nested by output_ancestor_depth', async () => {
    const dep = await handler.dependencyDataset(sub, '%.reco.root', 1, 'regular')
    expect(dep.count).toBe(5)
    expect(dep.dataset).toMatch(/^\(children\(fids [\w,]+\)\) where created_timestamp > '.+\+00:00' and name like '%\.reco\.root'$/)
    expect(dep.detail).toBe(`poms_depends_${sub.submissionId}_1: outputs of project ${sub.project}'s 10 inputs made since the submission started, name like '%.reco.root'`)
    // No version filter here (POMS's Shrek dependencies have none): out_4 of v0 counts; old_1, made before the start, does not.
    expect((await handler.listFiles('mc', dep.dataset)).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `mc:out_${i}.reco.root`))
    // A fragment with a space is used as MQL; grandchildren with depth 2.
    const logs = await handler.dependencyDataset(sub, "name like '%.log'", 2, 'regular')
    expect(logs.count).toBe(1)
    const grand = declareOutput('mc:out_0.reco.root', 'ana_0.root', {}, 120)
    const deep = await handler.dependencyDataset({ ...sub, outputAncestorDepth: 2 }, 'ana_%', 1, 'regular')
    expect(await handler.listFiles('mc', deep.dataset)).toEqual([`mc:${grand.name}`])
  })

  it('dependency datasets of approval, data transfer and generator stages, and analysis names', async () => {
    const approval = await handler.dependencyDataset(sub, '%', 1, 'approval')
    expect([approval.count, approval.dataset.startsWith('fids ')]).toEqual([10, true])
    const gen = await handler.dependencyDataset({ ...sub, creatorRole: 'analysis' }, '%', 2, 'generator')
    expect(gen).toEqual({ dataset: `files from mc:poms_alice_depends_${sub.submissionId}_2`, count: 0, detail: `poms_alice_depends_${sub.submissionId}_2: a generator upstream declares its outputs as files from mc:poms_alice_depends_${sub.submissionId}_2` })
    shrek.metacat.catalog.addDataset('mc', `poms_alice_depends_${sub.submissionId}_2`)
    shrek.metacat.catalog.addToDataset(`mc:poms_alice_depends_${sub.submissionId}_2`, [raw[0]!.fid, raw[1]!.fid])
    expect((await handler.dependencyDataset({ ...sub, creatorRole: 'analysis' }, '%', 2, 'generator')).count).toBe(2)
  })
})

describe('replicas, errors and the rest', () => {
  it('counts files without an available replica as unknown, from Data Dispatcher or from Rucio', async () => {
    const f = facts({ dataset: "files from mc:raw where name like 'in_%'" })
    const { project } = await handler.beginProject(f)
    shrek.dd.dispatcher.setReplicas('mc', 'in_3.root', [{ rse: 'EMU_DISK', path: '/p', url: 'root://x//p', preference: 0, available: false }])
    expect((await handler.accounting({ ...f, project })).unknown).toBe(1)
    shrek.dd.dispatcher.replicas.clear()

    const r = shrek.rucio.state
    r.addRse('FNAL_DCACHE')
    for (const [i, file] of raw.entries()) if (i !== 2) r.addFile('mc', file.name, i < 5 ? [{ rse: 'FNAL_DCACHE', state: 'AVAILABLE' }] : [])
    const withRucio = createMetacatDataHandler({
      metacatUrl: shrek.metacat.url,
      dataDispatcherUrl: shrek.dd.url,
      rucioUrl: shrek.rucio.url,
      tokens: { dataDispatcher: token(), rucio: rucioUserpassToken({ url: shrek.rucio.url, account: 'poms', username: 'poms', password: 'rucio-secret' }) },
      http: fast,
    })
    // in_2 is unknown to Rucio (a 404 for its chunk, then asked alone); in_5…in_9 have no replica.
    expect((await withRucio.accounting({ ...f, project })).unknown).toBe(6)
    await withRucio.close()
  })

  it('counts and lists queries and projects; a parameter names no files', async () => {
    expect(await handler.countFiles('mc', 'mc:raw')).toBeGreaterThanOrEqual(10)
    expect(await handler.listFiles('mc', 'files from mc:raw', 2)).toEqual(['mc:in_0.root', 'mc:in_1.root'])
    const p = shrek.dd.dispatcher.create('poms', { files: [{ namespace: 'mc', name: 'x' }, { namespace: 'mc', name: 'y' }] })
    expect(await handler.countFiles('mc', `project_id: ${p.project_id}`)).toBe(2)
    expect(await handler.listFiles('mc', `project_id: ${p.project_id}`, 1)).toEqual(['mc:x'])
    await expect(handler.countFiles('mc', 'a_x')).rejects.toBeInstanceOf(DatasetError)
  })

  it('an unreachable service is a DataServiceError the engine can retry later', async () => {
    shrek.metacat.faults.failNext(5, { status: 503, body: 'busy' })
    const err = await handler.countFiles('mc', 'mc:raw').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(DataServiceError)
    expect((err as DataServiceError).service).toBe('MetaCat')
  })

  it('close() ends the clients', async () => {
    const h = createMetacatDataHandler({ metacatUrl: shrek.metacat.url, dataDispatcherUrl: shrek.dd.url, tokens: { dataDispatcher: token() }, http: fast })
    await h.close()
    await expect(h.countFiles('mc', 'mc:raw')).rejects.toThrow('MetaCat client is closed')
    expect(() => createMetacatDataHandler({ metacatUrl: 'http://x', dataDispatcherUrl: 'http://y', rucioUrl: 'http://z', tokens: { dataDispatcher: token() } })).toThrow(/a Rucio URL needs a Rucio token provider/)
  })
})
