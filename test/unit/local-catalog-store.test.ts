import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DimensionSyntaxError } from '../../shared/dimensions/ast'
import { DimensionEvaluationError } from '../../shared/dimensions/evaluate'
import { createLocalDimensionBackend, type LocalDimensionBackend } from '../../electron/core/engine/data/local/local-dimension-backend'
import { createStoreCatalog } from '../../electron/core/engine/data/local/store-catalog'
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../electron/core/store/migrations'
import type { Store } from '../../electron/core/store/open-store'
import { createRepos, type Repos } from '../../electron/core/store/repos'
import { createLocalCatalogRepo, type NewLocalFile } from '../../electron/core/store/repos/local-catalog-repo'
import { openTestStore, tempDataDir } from '../helpers/core-harness'

const EXP = 'exp'
const OTHER = 'other'
let store: Store
let repos: Repos
let now = Date.parse('2026-03-01T00:00:00Z')
const clock = { now: () => now }
let backend: LocalDimensionBackend

beforeAll(() => {
  store = openTestStore()
  repos = createRepos(store.db)
  repos.experiments.insertExperiment({ name: EXP, displayName: 'Experiment', dataHandler: 'local' }, 1)
  repos.experiments.insertExperiment({ name: OTHER, displayName: 'Other', dataHandler: 'local' }, 1)
  backend = createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: EXP, clock })
})
afterAll(() => {
  store.close()
  rmSync(dirname(store.file), { recursive: true, force: true })
})

function addFile(f: Partial<NewLocalFile> & { name: string }, parents: string[] = [], experiment = EXP): number {
  const id = repos.localCatalog.insertFile({
    experiment,
    path: `/data/${f.name}`,
    size: 10,
    createdAt: now,
    endTime: null,
    version: null,
    runs: [],
    availability: 'physical',
    metadata: {},
    producerSubmissionId: null,
    ...f,
  })
  for (const parent of parents) {
    const parentId = repos.localCatalog.fileByName(experiment, parent)!.id
    repos.localCatalog.addParent(id, parentId)
  }
  return id
}

describe('migration 0040', () => {
  it('creates the catalog tables, STRICT, with their indexes, on a fresh store', () => {
    expect(store.db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION)
    const schema = store.db.prepare("SELECT name, type, sql FROM sqlite_schema WHERE name LIKE 'local_%'").all() as { name: string; type: string; sql: string | null }[]
    const tables = schema.filter((s) => s.type === 'table')
    expect(tables.map((t) => t.name).sort()).toEqual(['local_definitions', 'local_file_parents', 'local_files', 'local_project_files', 'local_projects', 'local_snapshot_files', 'local_snapshots'])
    for (const t of tables) expect(t.sql).toMatch(/\)\s*STRICT/)
    expect(schema.filter((s) => s.type === 'index' && s.sql !== null).map((s) => s.name).sort()).toEqual([
      'local_file_parents_parent',
      'local_files_path',
      'local_files_producer',
      'local_projects_submission',
    ])
  })

  it('upgrades a store made before it, keeping what was there', () => {
    const dataDir = tempDataDir('poms-local-catalog-')
    try {
      const before = openTestStore({ dataDir, migrations: MIGRATIONS.filter((m) => m.version < 40) })
      // Repositories of today may not prepare against an old schema: plain SQL here.
      before.db.prepare("INSERT INTO experiments (id, name, display_name, created_at, updated_at) VALUES ('e-old', 'old', 'Old', 1, 1)").run()
      before.close()
      const after = openTestStore({ dataDir })
      try {
        const catalog = createLocalCatalogRepo(after.db)
        const id = catalog.insertFile({ experiment: 'old', name: 'a.dat', path: '/a.dat', size: 1, createdAt: 1, endTime: null, version: null, runs: [], availability: 'physical', metadata: {}, producerSubmissionId: null })
        expect(catalog.fileById(id)?.name).toBe('a.dat')
      } finally {
        after.close()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('refuses what the schema forbids', () => {
    addFile({ name: 'dup.dat', path: '/x/dup.dat' })
    expect(() => addFile({ name: 'dup.dat', path: '/y/dup.dat' })).toThrow(/UNIQUE/)
    expect(() => addFile({ name: 'other-name.dat', path: '/x/dup.dat' })).toThrow(/UNIQUE/)
    expect(() => addFile({ name: 'bad.dat', availability: 'tape' as 'physical' })).toThrow(/CHECK/)
    expect(() => addFile({ name: 'nowhere.dat' }, [], 'no-such-experiment')).toThrow(/FOREIGN KEY/)
  })
})

describe('definitions', () => {
  it('are created, described, and replaced on a name clash (as POMS does on 409)', async () => {
    await backend.createDefinition('defs_a', "file_name like 'def_%'")
    expect(await backend.describeDefinition('defs_a')).toBe("file_name like 'def_%'")
    await backend.createDefinition('defs_a', 'file_name def_1.dat')
    expect(await backend.describeDefinition('defs_a')).toBe('file_name def_1.dat')
    expect(repos.localCatalog.definition(EXP, 'defs_a')).toMatchObject({ creator: 'poms', createdAt: now })
    expect(await backend.describeDefinition('no_such')).toBeNull()
  })

  it('refuses a query that does not parse, and keeps the old one', async () => {
    await expect(backend.createDefinition('defs_a', 'file_name like')).rejects.toBeInstanceOf(DimensionSyntaxError)
    expect(await backend.describeDefinition('defs_a')).toBe('file_name def_1.dat')
  })

  it('belong to their experiment', async () => {
    const other = createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: OTHER, clock })
    expect(await other.describeDefinition('defs_a')).toBeNull()
    await expect(other.countFiles('defname:defs_a')).rejects.toMatchObject({ code: 'unknown-definition' })
  })
})

describe('counting and listing', () => {
  beforeAll(() => {
    for (let i = 0; i < 6; i++) addFile({ name: `cnt_${i}.dat`, runs: [`${200 + (i % 2)}.1`] })
    addFile({ name: 'cnt_x.dat' }, [], OTHER)
  })

  it('evaluates queries over this experiment only, in name order', async () => {
    expect(await backend.countFiles("file_name like 'cnt_%'")).toBe(6)
    expect(await backend.listFiles("file_name like 'cnt_%' and run_number 201")).toEqual(['cnt_1.dat', 'cnt_3.dat', 'cnt_5.dat'])
    expect(await backend.listFiles("file_name like 'cnt_%'", 2)).toEqual(['cnt_0.dat', 'cnt_1.dat'])
    expect(await backend.listPaths("file_name like 'cnt_%' with limit 1 offset 4")).toEqual([{ name: 'cnt_4.dat', path: '/data/cnt_4.dat' }])
  })

  it('reports bad queries as the errors they are', async () => {
    await expect(backend.countFiles('file_name like')).rejects.toBeInstanceOf(DimensionSyntaxError)
    await expect(backend.countFiles('defname:nothing_here')).rejects.toBeInstanceOf(DimensionEvaluationError)
    await expect(backend.countFiles('snapshot_id 987654')).rejects.toMatchObject({ code: 'unknown-snapshot' })
  })

  it('answers the same after switching from single lookups to one bulk load', () => {
    for (let i = 0; i < 3000; i++) addFile({ name: `bulk_${String(i).padStart(4, '0')}.root`, version: i % 3 === 0 ? 'vb' : 'va' }, i >= 1500 ? [`bulk_${String(i - 1500).padStart(4, '0')}.root`] : [])
    const catalog = createStoreCatalog(repos.localCatalog, EXP)
    const viaSingle = ['bulk_0000.root', 'bulk_0001.root', 'bulk_1500.root'].map((n) => [catalog.file(n)?.version, catalog.children(n), catalog.parents(n)])
    // Push both caches past their single-lookup budget.
    for (let i = 0; i < 2500; i++) {
      catalog.file(`bulk_${String(i).padStart(4, '0')}.root`)
      catalog.parents(`bulk_${String(i).padStart(4, '0')}.root`)
    }
    const viaBulk = ['bulk_0000.root', 'bulk_0001.root', 'bulk_1500.root'].map((n) => [catalog.file(n)?.version, catalog.children(n), catalog.parents(n)])
    expect(viaBulk).toEqual(viaSingle)
    expect(viaSingle).toEqual([
      ['vb', ['bulk_1500.root'], []],
      ['va', ['bulk_1501.root'], []],
      ['vb', [], ['bulk_0000.root']],
    ])
    expect(catalog.file('no_such_file')).toBeNull()
  })

  it('finds the same files whichever way the evaluator reaches them', async () => {
    // Children of the 'vb' files (i % 3 = 0, i < 1500) are bulk_<i+1500>.
    const expected = Array.from({ length: 500 }, (_, k) => `bulk_${1500 + 3 * k}.root`)
    expect(await backend.listFiles('ischildof:( version vb )')).toEqual(expected)
    // With candidates first, each candidate's parents are tested instead.
    expect(await backend.listFiles("(file_name like 'bulk_%' with availability anylocation) and ischildof:( version vb )")).toEqual(expected)
    expect(await backend.listFiles("(file_name like 'bulk_0%' with availability physical) and isparentof:( version vb and file_name like 'bulk_1%' )")).toEqual(
      expected.filter((name) => name < 'bulk_2000').map((name) => `bulk_${String(Number(name.slice(5, 9)) - 1500).padStart(4, '0')}.root`),
    )
  })
})

describe('snapshots', () => {
  it('freeze a definition: files that arrive later are not in it', async () => {
    addFile({ name: 'snap_1.dat' })
    addFile({ name: 'snap_2.dat' })
    await backend.createDefinition('snaps', "file_name like 'snap_%'")
    const id = await backend.takeSnapshot('snaps')
    addFile({ name: 'snap_3.dat' })
    expect(await backend.listFiles('defname:snaps')).toEqual(['snap_1.dat', 'snap_2.dat', 'snap_3.dat'])
    expect(await backend.listFiles(`snapshot_id ${id}`)).toEqual(['snap_1.dat', 'snap_2.dat'])
    expect(await backend.listFiles(`defname:snaps minus snapshot_id ${id}`)).toEqual(['snap_3.dat'])
    const next = await backend.takeSnapshot('snaps')
    expect(next).toBeGreaterThan(id)
    expect(await backend.countFiles(`snapshot_id ${id} or snapshot_id ${next}`)).toBe(3)
  })

  it('of an unknown definition fail, and belong to their experiment', async () => {
    await expect(backend.takeSnapshot('nope')).rejects.toMatchObject({ code: 'unknown-definition' })
    const id = await backend.takeSnapshot('snaps')
    const other = createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: OTHER, clock })
    await expect(other.countFiles(`snapshot_id ${id}`)).rejects.toMatchObject({ code: 'unknown-snapshot' })
  })
})

describe('projects', () => {
  const ids: Record<string, number> = {}
  beforeAll(async () => {
    for (let i = 1; i <= 5; i++) ids[`prj_${i}.dat`] = addFile({ name: `prj_${i}.dat` })
    await backend.createDefinition('prj_input', "file_name like 'prj_%'")
  })

  it('start on a snapshot of the definition with every file unknown', async () => {
    now += 1000
    expect(await backend.startProject('alice-prj-1', 'prj_input', 's-SUB001')).toBe('alice-prj-1')
    addFile({ name: 'prj_6.dat' })
    expect(await backend.projectSummary('alice-prj-1')).toEqual({
      project: 'alice-prj-1',
      state: 'running',
      dataset: 'prj_input',
      filesInSnapshot: 5,
      consumed: 0,
      completed: 0,
      failed: 0,
      skipped: 0,
      delivered: 0,
      cancelled: 0,
      unknown: 5,
    })
    expect(await backend.countFiles('snapshot_for_project_name alice-prj-1')).toBe(5)
    expect(repos.localCatalog.projectBySubmission('s-SUB001')?.name).toBe('alice-prj-1')
  })

  it('answer a retried start with the same project, and refuse a clash', async () => {
    expect(await backend.startProject('alice-prj-1', 'prj_input', 's-SUB001')).toBe('alice-prj-1')
    await expect(backend.startProject('alice-prj-1', 'other_def', 's-SUB002')).rejects.toThrow(/already exists/)
    await expect(backend.startProject('alice-prj-2', 'nope')).rejects.toMatchObject({ code: 'unknown-definition' })
    expect(repos.localCatalog.project(EXP, 'alice-prj-2')).toBeNull()
  })

  it('summarise file statuses and give POMS recovery dimensions until all is consumed', async () => {
    const project = repos.localCatalog.project(EXP, 'alice-prj-1')!
    const set = (file: string, status: Parameters<typeof repos.localCatalog.setFileStatus>[2]) => repos.localCatalog.setFileStatus(project.id, ids[file]!, status, now)
    set('prj_1.dat', 'consumed')
    set('prj_2.dat', 'completed')
    set('prj_3.dat', 'failed')
    set('prj_4.dat', 'delivered')
    expect(set('prj_6.dat' as string, 'consumed')).toBe(false)
    expect(await backend.projectSummary('alice-prj-1')).toMatchObject({ filesInSnapshot: 5, consumed: 1, completed: 1, failed: 1, delivered: 1, unknown: 1 })
    const dims = await backend.recoveryDimensions('alice-prj-1', false)
    expect(dims).toBe("snapshot_for_project_name 'alice-prj-1' minus (project_name 'alice-prj-1' and consumed_status co%)")
    expect(await backend.listFiles(dims)).toEqual(['prj_3.dat', 'prj_4.dat', 'prj_5.dat'])
    expect(await backend.recoveryDimensions('alice-prj-1', true)).toBe(dims)
    for (const f of ['prj_3.dat', 'prj_4.dat', 'prj_5.dat']) set(f, 'consumed')
    expect(await backend.recoveryDimensions('alice-prj-1', false)).toBe('')
  })

  it('end, and unknown ones have no summary', async () => {
    await backend.endProject('alice-prj-1')
    expect((await backend.projectSummary('alice-prj-1'))?.state).toBe('completed')
    expect(await backend.projectSummary('nobody')).toBeNull()
    await expect(backend.recoveryDimensions('nobody', false)).rejects.toMatchObject({ code: 'unknown-project' })
    await expect(backend.endProject('nobody')).rejects.toMatchObject({ code: 'unknown-project' })
  })

  it('quote hostile project names in the recovery query', async () => {
    await backend.startProject("bob's (test) project", 'prj_input')
    const dims = await backend.recoveryDimensions("bob's (test) project", false)
    expect(dims).toBe(`snapshot_for_project_name "bob's (test) project" minus (project_name "bob's (test) project" and consumed_status co%)`)
    // prj_6.dat arrived after the first project started: this one has it.
    expect(await backend.countFiles(dims)).toBe(6)
  })
})

describe('file metadata', () => {
  it('is SAM-shaped: name, size, dates, version, runs, parents, and where the file is', async () => {
    addFile({ name: 'meta_raw.dat', runs: ['300.2', '301'], endTime: Date.parse('2026-02-01T00:00:00Z'), metadata: { 'dune.campaign': 'x' } })
    addFile({ name: 'meta_out.root', version: 'v3', path: '/out/meta_out.root' }, ['meta_raw.dat'])
    expect(await backend.fileMetadata('meta_raw.dat')).toMatchObject({
      file_name: 'meta_raw.dat',
      file_size: 10,
      create_date: new Date(now).toISOString(),
      end_time: '2026-02-01T00:00:00.000Z',
      runs: [
        [300, 2, 'unknown'],
        [301, null, 'unknown'],
      ],
      parents: [],
      'dune.campaign': 'x',
      availability: 'physical',
      path: '/data/meta_raw.dat',
    })
    expect(await backend.fileMetadata('meta_out.root')).toMatchObject({ version: 'v3', parents: [{ file_name: 'meta_raw.dat' }], path: '/out/meta_out.root' })
    expect(await backend.fileMetadata('nope')).toBeNull()
  })
})
