import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createLocalDimensionBackend, type LocalDimensionBackend } from '../../electron/core/engine/data/local/local-dimension-backend'
import { readLocalJobResults, registerInputs, registerJobResults, type LocalFilesDeps } from '../../electron/core/engine/data/local/local-files'
import type { Store } from '../../electron/core/store/open-store'
import { createRepos, type Repos } from '../../electron/core/store/repos'
import { createLocalCatalogRepo, type NewLocalFile } from '../../electron/core/store/repos/local-catalog-repo'
import { openTestStore } from '../helpers/core-harness'

/**
 * The local backend keeps snapshots and sub-query answers in memory between calls
 * (store-catalog.ts). These check that it does reuse them, and that every kind of write in
 * between — by the backend, by local-files.ts, in a transaction rolled back, by another
 * connection — changes the next answer as it must.
 */

const EXP = 'mem'
let store: Store
let repos: Repos
let backend: LocalDimensionBackend
let deps: LocalFilesDeps
let dir: string
let now = Date.parse('2026-03-01T00:00:00Z')
const clock = { now: () => now }

function file(name: string, extra: Partial<NewLocalFile> = {}): NewLocalFile {
  return { experiment: EXP, name, path: null, size: 1, createdAt: 1, endTime: null, version: null, runs: [], availability: 'physical', metadata: {}, producerSubmissionId: null, ...extra }
}

const addFiles = (names: readonly string[], extra: Partial<NewLocalFile> = {}): number[] =>
  store.db.transaction(() => names.map((name) => repos.localCatalog.insertFile(file(name, extra))))()

function writeData(rel: string): string {
  const full = join(dir, rel)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, rel)
  return full
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poms-local-memory-'))
  store = openTestStore()
  repos = createRepos(store.db)
  repos.experiments.insertExperiment({ name: EXP, displayName: 'Memory', dataHandler: 'local' }, 1)
  deps = { db: store.db, catalog: repos.localCatalog, clock }
  backend = createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: EXP, clock })
})

afterAll(() => {
  store.close()
  rmSync(dirname(store.file), { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
})

describe('answers kept between calls', () => {
  it('slices of one dataset, and the snapshot of a counted slice, read the dataset once', async () => {
    const ids = addFiles(Array.from({ length: 30 }, (_, i) => `ds_${String(29 - i).padStart(2, '0')}.dat`))
    const snapshot = store.db.transaction(() => repos.localCatalog.createSnapshot(EXP, 'ds', 1, ids))()
    await backend.createDefinition('ds', `snapshot_id ${snapshot}`)
    const reads = vi.spyOn(repos.localCatalog, 'snapshotFileNames')
    try {
      expect(await backend.listFiles('defname:ds with limit 3 offset 0')).toEqual(['ds_00.dat', 'ds_01.dat', 'ds_02.dat'])
      expect(await backend.listFiles('defname:ds with limit 3 offset 27')).toEqual(['ds_27.dat', 'ds_28.dat', 'ds_29.dat'])
      expect(await backend.countFiles('defname:ds with stride 7 offset 2')).toBe(4)
      // What nextSplit does: count the slice, define it, snapshot it.
      expect(await backend.countFiles('defname:ds with limit 5 offset 10')).toBe(5)
      await backend.createDefinition('ds_slice', 'defname:ds with limit 5 offset 10')
      const taken = await backend.takeSnapshot('ds_slice')
      expect(reads).toHaveBeenCalledTimes(1)
      expect(repos.localCatalog.snapshotFileNames(taken)).toEqual(['ds_10.dat', 'ds_11.dat', 'ds_12.dat', 'ds_13.dat', 'ds_14.dat'])
      // A snapshot just taken is known without reading it back.
      reads.mockClear()
      expect(await backend.listFiles(`defname:ds minus snapshot_id ${taken} with limit 2 offset 9`)).toEqual(['ds_09.dat', 'ds_15.dat'])
      expect(reads).not.toHaveBeenCalled()
    } finally {
      reads.mockRestore()
    }
  })

  it('snapshots of large unions get the right file ids, from snapshots in or out of name order and from elsewhere', async () => {
    const names = Array.from({ length: 6000 }, (_, i) => `big_${String(i).padStart(5, '0')}.root`)
    const ids = addFiles(names, { version: 'vbig' })
    const idOf = new Map(names.map((name, i) => [name, ids[i]!]))
    // Snapshot A in name order, snapshot B in reverse order; the rest only reachable by metadata.
    const a = store.db.transaction(() => repos.localCatalog.createSnapshot(EXP, 'a', 1, ids.slice(0, 2500)))()
    const b = store.db.transaction(() => repos.localCatalog.createSnapshot(EXP, 'b', 1, ids.slice(2000, 4500).reverse()))()
    await backend.createDefinition('union', `snapshot_id ${a} or snapshot_id ${b} or (version vbig and file_name like 'big_05%')`)
    const expected = [...names.slice(0, 4500), ...names.slice(5000)]
    expect(await backend.listFiles('defname:union')).toEqual(expected)
    const taken = await backend.takeSnapshot('union')
    expect(repos.localCatalog.snapshotFileIds(taken)).toEqual(expected.map((name) => idOf.get(name)))
    // And again, now that the snapshots' ids are known.
    const again = await backend.takeSnapshot('union')
    expect(repos.localCatalog.snapshotFileIds(again)).toEqual(expected.map((name) => idOf.get(name)))
    expect(await backend.listFiles(`snapshot_id ${again}`)).toEqual(expected)
  })
})

describe('a write between two identical queries changes the answer', () => {
  it('a file added through the repo or by registerInputs', async () => {
    addFiles(['w_1.dat'])
    const q = "file_name like 'w_%' with availability physical"
    expect(await backend.listFiles(q)).toEqual(['w_1.dat'])
    addFiles(['w_2.dat'])
    expect(await backend.listFiles(q)).toEqual(['w_1.dat', 'w_2.dat'])
    const registered = await registerInputs(deps, EXP, writeData('inputs/w_3.dat'))
    expect(await backend.listFiles(q)).toEqual(['w_1.dat', 'w_2.dat', 'w_3.dat'])
    expect(await backend.listFiles(registered.dims)).toEqual(['w_3.dat'])
  })

  it('a definition re-defined, also one reached through another definition', async () => {
    addFiles(['d_1.dat', 'd_2.dat', 'd_3.dat'])
    await backend.createDefinition('d_inner', 'file_name d_1.dat')
    await backend.createDefinition('d_outer', 'defname:d_inner or file_name d_3.dat')
    expect(await backend.listFiles('defname:d_outer')).toEqual(['d_1.dat', 'd_3.dat'])
    await backend.createDefinition('d_inner', 'file_name d_2.dat')
    expect(await backend.listFiles('defname:d_outer')).toEqual(['d_2.dat', 'd_3.dat'])
    // registerInputs re-defines a file dataset on a new snapshot when its files change.
    const glob = join(dir, 'set', '*.dat')
    writeData('set/d_a.dat')
    const first = await registerInputs(deps, EXP, glob)
    expect(await backend.listFiles(first.dims)).toEqual(['d_a.dat'])
    writeData('set/d_b.dat')
    await registerInputs(deps, EXP, glob)
    expect(await backend.listFiles(first.dims)).toEqual(['d_a.dat', 'd_b.dat'])
  })

  it('a project started, its files consumed and their outputs registered by registerJobResults', async () => {
    const SID = 's-MEMORY1'
    const inputs = ['p_1.dat', 'p_2.dat', 'p_3.dat'].map((name) => writeData(`raw/${name}`))
    const ds = await registerInputs(deps, EXP, inputs.join(','))
    const statusQuery = '(consumed_status co% or consumed_status failed) and project_name memproj'
    expect(await backend.listFiles('project_name memproj')).toEqual([])
    expect(await backend.listFiles(statusQuery)).toEqual([])
    await expect(backend.countFiles('snapshot_for_project_name memproj')).rejects.toMatchObject({ code: 'unknown-project' })
    await backend.startProject('memproj', ds.definition, SID)
    expect(await backend.listFiles('project_name memproj')).toEqual(['p_1.dat', 'p_2.dat', 'p_3.dat'])
    expect(await backend.listFiles(statusQuery)).toEqual([])
    const parentsQuery = 'isparentof:( version v_mem )'
    expect(await backend.listFiles(parentsQuery)).toEqual([])
    const recovery = await backend.recoveryDimensions('memproj', false)
    expect(await backend.listFiles(recovery)).toEqual(['p_1.dat', 'p_2.dat', 'p_3.dat'])

    const jd = join(dir, 'jobs', SID)
    mkdirSync(jd, { recursive: true })
    writeFileSync(join(jd, 'input-0.txt'), `${inputs[0]}\n`)
    writeFileSync(join(jd, 'input-1.txt'), `${inputs[1]}\n`)
    writeData(`jobs/${SID}/out-0/p_out.root`)
    now += 60_000
    const jobs = await readLocalJobResults(join(dir, 'jobs'), SID, [
      { index: 0, exitCode: 0 },
      { index: 1, exitCode: 2 },
    ])
    expect(await registerJobResults(deps, { experiment: EXP, submissionId: SID, version: 'v_mem', jobs })).toEqual({ outputs: 1, consumed: 1, failed: 1 })
    expect(await backend.listFiles(statusQuery)).toEqual(['p_1.dat', 'p_2.dat'])
    expect(await backend.listFiles(parentsQuery)).toEqual(['p_1.dat'])
    expect(await backend.listFiles(recovery)).toEqual(['p_2.dat', 'p_3.dat'])
  })

  it('what a sub-query read, even when another part of the same query read it first', async () => {
    const ids = addFiles(['sub_1.dat', 'sub_2.dat', 'sub_3.dat'])
    const all = store.db.transaction(() => repos.localCatalog.createSnapshot(EXP, 'sub', 1, ids))()
    await backend.createDefinition('sub_def', 'file_name sub_1.dat')
    // The right-hand sides scan all files / expand sub_def after the left-hand sides did.
    expect(await backend.listFiles("file_name like 'zz%' or file_name like 'sub_%'")).toEqual(['sub_1.dat', 'sub_2.dat', 'sub_3.dat'])
    expect(await backend.listFiles(`defname:sub_def or (snapshot_id ${all} and defname:sub_def)`)).toEqual(['sub_1.dat'])
    addFiles(['sub_4.dat'])
    await backend.createDefinition('sub_def', 'file_name sub_2.dat')
    expect(await backend.listFiles("file_name like 'sub_%'")).toEqual(['sub_1.dat', 'sub_2.dat', 'sub_3.dat', 'sub_4.dat'])
    expect(await backend.listFiles(`snapshot_id ${all} and defname:sub_def`)).toEqual(['sub_2.dat'])
  })

  it('a parent link added between files already known', async () => {
    const [child, parent] = addFiles(['link_child.dat', 'link_parent.dat'])
    const q = "isparentof:( file_name like 'link_%' )"
    expect(await backend.listFiles(q)).toEqual([])
    repos.localCatalog.addParent(child!, parent!)
    expect(await backend.listFiles(q)).toEqual(['link_parent.dat'])
  })

  it('nothing evaluated inside a transaction that is rolled back is kept', async () => {
    const [x, y, z] = addFiles(['rb_x.dat', 'rb_y.dat', 'rb_z.dat'])
    const q = "file_name like 'rb_%' with availability virtual"
    let inside: Promise<string[]> | undefined
    let inSnapshot: Promise<string[]> | undefined
    let rolledBack = 0
    expect(() =>
      store.db.transaction(() => {
        repos.localCatalog.insertFile(file('rb_v.dat', { availability: 'virtual' }))
        rolledBack = repos.localCatalog.createSnapshot(EXP, 'rb', 1, [x!, y!])
        // The backend evaluates synchronously: these answers are worked out inside the transaction.
        inside = backend.listFiles(q)
        inSnapshot = backend.listFiles(`snapshot_id ${rolledBack}`)
        throw new Error('roll back')
      })(),
    ).toThrow('roll back')
    expect(await inside).toEqual(['rb_v.dat'])
    expect(await inSnapshot).toEqual(['rb_x.dat', 'rb_y.dat'])
    expect(await backend.listFiles(q)).toEqual([])
    // SQLite hands the rolled-back snapshot id out again, for other files.
    const reused = store.db.transaction(() => repos.localCatalog.createSnapshot(EXP, 'rb2', 1, [z!]))()
    expect(reused).toBe(rolledBack)
    expect(await backend.listFiles(`snapshot_id ${reused}`)).toEqual(['rb_z.dat'])
  })

  it('a write by another connection to the database', async () => {
    addFiles(['ext_1.dat'])
    const q = "file_name like 'ext_%'"
    expect(await backend.listFiles(q)).toEqual(['ext_1.dat'])
    const other = new Database(store.file)
    try {
      other.pragma('busy_timeout = 5000')
      createLocalCatalogRepo(other).insertFile(file('ext_2.dat'))
    } finally {
      other.close()
    }
    expect(await backend.listFiles(q)).toEqual(['ext_1.dat', 'ext_2.dat'])
  })
})
