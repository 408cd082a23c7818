import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatDimensions } from '../../shared/dimensions/parse'
import { DatasetError } from '../../electron/core/engine/data/data-handler'
import { createLocalDimensionBackend, type LocalDimensionBackend } from '../../electron/core/engine/data/local/local-dimension-backend'
import { readLocalJobResults, registerInputs, registerJobResults, type LocalFilesDeps } from '../../electron/core/engine/data/local/local-files'
import { uniqueCatalogName } from '../../electron/core/engine/data/local/file-naming'
import type { Store } from '../../electron/core/store/open-store'
import { createRepos, type Repos } from '../../electron/core/store/repos'
import { openTestStore } from '../helpers/core-harness'

const EXP = 'exp'
let store: Store
let repos: Repos
let deps: LocalFilesDeps
let backend: LocalDimensionBackend
let dir: string
let now = Date.parse('2026-03-01T00:00:00Z')
const clock = { now: () => now }
const path = (...parts: string[]) => join(dir, ...parts)
const JAN = Date.parse('2026-01-15T00:00:00Z') / 1000

function writeFile(rel: string, content = rel, mtimeSeconds = JAN): string {
  const full = path(rel)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, content)
  utimesSync(full, mtimeSeconds, mtimeSeconds)
  return full
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'poms-local-files-'))
  store = openTestStore()
  repos = createRepos(store.db)
  repos.experiments.insertExperiment({ name: EXP, displayName: 'Experiment', dataHandler: 'local' }, 1)
  deps = { db: store.db, catalog: repos.localCatalog, clock }
  backend = createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: EXP, clock })
})
afterAll(() => {
  store.close()
  rmSync(dirname(store.file), { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
})

describe('catalog names', () => {
  it('are the base name, else the shortest free tail of the path', () => {
    const taken = new Set(['hist.root', 'out-0/hist.root'])
    expect(uniqueCatalogName('/jobs/s1/out-1/hist.root', (n) => taken.has(n))).toBe('out-1/hist.root')
    expect(uniqueCatalogName('/jobs/s2/out-0/hist.root', (n) => taken.has(n))).toBe('s2/out-0/hist.root')
    expect(uniqueCatalogName('/data/new.root', (n) => taken.has(n))).toBe('new.root')
    expect(uniqueCatalogName('/a/b', (n) => n !== '/a/b')).toBe('/a/b')
  })
})

describe('registerInputs', () => {
  let glob: string
  beforeAll(() => {
    for (let i = 1; i <= 10; i++) writeFile(`run1/f${String(i).padStart(2, '0')}.dat`, 'x'.repeat(i), JAN + i * 3600)
    writeFile('run1/notes.txt')
    glob = path('run1', '*.dat')
  })

  it('defines a glob under its own text, on a snapshot of its files, named by base name', async () => {
    const registered = await registerInputs(deps, EXP, `  ${glob}\n`)
    expect(registered).toMatchObject({ definition: glob, files: 10, added: 10 })
    expect(registered.dims).toBe(formatDimensions({ kind: 'defname', name: glob }))
    expect(await backend.describeDefinition(glob)).toBe(`snapshot_id ${registered.snapshotId}`)
    const names = await backend.listFiles(registered.dims)
    expect(names).toEqual(Array.from({ length: 10 }, (_, i) => `f${String(i + 1).padStart(2, '0')}.dat`))
    expect(await backend.listPaths(`${registered.dims} with limit 1`)).toEqual([{ name: 'f01.dat', path: path('run1', 'f01.dat') }])
    const f03 = repos.localCatalog.fileByName(EXP, 'f03.dat')!
    expect(f03).toMatchObject({ size: 3, createdAt: (JAN + 3 * 3600) * 1000, endTime: (JAN + 3 * 3600) * 1000, version: null, availability: 'physical', producerSubmissionId: null })
  })

  it('works with every split type written over the stage dataset', async () => {
    const ds = (await registerInputs(deps, EXP, glob)).dims
    const count = (dims: string) => backend.countFiles(dims)
    // nfiles(4): limit/offset slices, then an empty one
    expect(await Promise.all([0, 1, 2, 3].map((k) => count(`${ds} with limit 4 offset ${4 * k}`)))).toEqual([4, 4, 2, 0])
    // mod(3): stride slices
    expect(await Promise.all([0, 1, 2].map((k) => count(`${ds} with stride 3 offset ${k}`)))).toEqual([4, 3, 3])
    // limitn(3)
    expect(await backend.listFiles(`${ds} with limit 3`)).toEqual(['f01.dat', 'f02.dat', 'f03.dat'])
    // drainingn(4): what was delivered is snapshotted, the next slice is the rest
    await backend.createDefinition('slice_1', `${ds} with limit 4`)
    const delivered = await backend.takeSnapshot('slice_1')
    expect(await backend.listFiles(`${ds} minus snapshot_id ${delivered} with limit 4`)).toEqual(['f05.dat', 'f06.dat', 'f07.dat', 'f08.dat'])
    // new(window=2h): files whose data ended in a time window (their mtime here)
    expect(await backend.listFiles(`${ds} and end_time > '2026-01-15T02:00:00Z' and end_time <= '2026-01-15T04:00:00Z'`)).toEqual(['f03.dat', 'f04.dat'])
    // draining / none: the dataset itself
    expect(await count(ds)).toBe(10)
  })

  it('keeps the snapshot when nothing changed, and re-defines the dataset when files arrive', async () => {
    const first = await registerInputs(deps, EXP, glob)
    const again = await registerInputs(deps, EXP, glob)
    expect(again).toMatchObject({ snapshotId: first.snapshotId, added: 0, files: 10 })
    writeFile('run1/f11.dat')
    const grown = await registerInputs(deps, EXP, glob)
    expect(grown).toMatchObject({ files: 11, added: 1 })
    expect(grown.snapshotId).not.toBe(first.snapshotId)
    expect(await backend.countFiles(grown.dims)).toBe(11)
    expect(await backend.countFiles(`snapshot_id ${first.snapshotId}`)).toBe(10)
    expect(await backend.listFiles(`${grown.dims} minus snapshot_id ${first.snapshotId}`)).toEqual(['f11.dat'])
  })

  it('takes a comma/newline list and an @listfile; a repeated base name gets a path-derived name', async () => {
    const a = writeFile('lists/a/same.dat')
    const b = writeFile('lists/b/same.dat')
    const c = writeFile('lists/c.dat')
    const list = await registerInputs(deps, EXP, `${c}, ${a}\n${b},${a}`)
    expect(list).toMatchObject({ files: 3, added: 3 })
    expect(await backend.listPaths(list.dims)).toEqual([
      { name: 'b/same.dat', path: b },
      { name: 'c.dat', path: c },
      { name: 'same.dat', path: a },
    ])
    writeFileSync(path('lists/inputs.txt'), `# inputs\n${b}\n\n${path('run1', 'f01.dat')}\n`)
    const fromFile = await registerInputs(deps, EXP, `@${path('lists/inputs.txt')}`)
    expect(fromFile).toMatchObject({ definition: `@${path('lists/inputs.txt')}`, files: 2, added: 0 })
    expect(await backend.listFiles(fromFile.dims)).toEqual(['b/same.dat', 'f01.dat'])
  })

  it('refuses datasets that name no readable files', async () => {
    await expect(registerInputs(deps, EXP, '   ')).rejects.toBeInstanceOf(DatasetError)
    await expect(registerInputs(deps, EXP, path('run1', '*.nothing'))).rejects.toThrow(/no files match/)
    await expect(registerInputs(deps, EXP, 'relative/*.dat')).rejects.toThrow(/absolute/)
    await expect(registerInputs(deps, EXP, `${path('lists/c.dat')},${path('gone.dat')}`)).rejects.toThrow(/does not exist/)
    expect(await backend.describeDefinition(`${path('lists/c.dat')},${path('gone.dat')}`)).toBeNull()
  })
})

describe('registerJobResults', () => {
  const SID = 's-JOBS01'
  const jobsDir = () => path('jobs')
  let inputs: string[]
  let project: string

  beforeAll(async () => {
    inputs = [1, 2, 3, 4, 5].map((i) => writeFile(`raw/r${i}.dat`, 'raw', JAN + i))
    // Two raw files carry runs and end times, as declared files would.
    for (const [i, runs, end] of [
      [1, ['500.1'], Date.parse('2026-01-10T00:00:00Z')],
      [2, ['500.2', '501'], Date.parse('2026-01-11T00:00:00Z')],
    ] as const) {
      repos.localCatalog.insertFile({ experiment: EXP, name: `r${i}.dat`, path: inputs[i - 1]!, size: 3, createdAt: 1, endTime: end, version: null, runs: [...runs], availability: 'physical', metadata: {}, producerSubmissionId: null })
    }
    const ds = await registerInputs(deps, EXP, path('raw', '*.dat'))
    project = 'alice-reco-1'
    await backend.startProject(project, ds.definition, SID)
    // The local backend's job folder: job 0 ran two files and wrote two outputs, job 1 failed
    // after writing a partial file, job 2 never started.
    const jd = join(jobsDir(), SID)
    mkdirSync(jd, { recursive: true })
    writeFileSync(join(jd, 'input-0.txt'), `${inputs[0]}\n${inputs[1]}\n`)
    writeFileSync(join(jd, 'input-1.txt'), `${inputs[2]}\n`)
    writeFileSync(join(jd, 'input-2.txt'), `${inputs[3]}\n${inputs[4]}\n`)
    writeFile(`jobs/${SID}/out-0/reco.root`, 'reco', JAN + 86400)
    writeFile(`jobs/${SID}/out-0/hist/h.root`, 'hist', JAN + 86400)
    writeFile(`jobs/${SID}/out-1/reco.root`, 'partial', JAN + 86400)
  })

  it('reads the job folder the local backend wrote', async () => {
    const jobs = await readLocalJobResults(jobsDir(), SID, [
      { index: 0, exitCode: 0 },
      { index: 9, exitCode: null },
    ])
    expect(jobs).toEqual([
      { index: 0, inputs: [inputs[0], inputs[1]], outputDir: join(jobsDir(), SID, 'out-0'), exitCode: 0 },
      { index: 9, inputs: [], outputDir: join(jobsDir(), SID, 'out-9'), exitCode: null },
    ])
  })

  it('registers a good job’s outputs with parentage, consumes its inputs, fails a bad job’s, leaves unrun ones', async () => {
    const jobs = await readLocalJobResults(jobsDir(), SID, [
      { index: 0, exitCode: 0 },
      { index: 1, exitCode: 3 },
      { index: 2, exitCode: null },
    ])
    now += 60_000
    const outcome = await registerJobResults(deps, { experiment: EXP, submissionId: SID, version: 'v2_0', jobs })
    expect(outcome).toEqual({ outputs: 2, consumed: 2, failed: 1 })

    const reco = repos.localCatalog.fileByName(EXP, 'reco.root')!
    expect(reco).toMatchObject({
      path: path('jobs', SID, 'out-0', 'reco.root'),
      version: 'v2_0',
      createdAt: (JAN + 86400) * 1000,
      availability: 'physical',
      producerSubmissionId: SID,
      runs: ['500.1', '500.2', '501'],
      endTime: Date.parse('2026-01-11T00:00:00Z'),
    })
    expect(repos.localCatalog.fileByName(EXP, 'h.root')?.path).toBe(path('jobs', SID, 'out-0', 'hist', 'h.root'))
    expect(repos.localCatalog.filesByProducer(SID).map((f) => f.name)).toEqual(['h.root', 'reco.root'])
    expect(await backend.listFiles('isparentof:( version v2_0 )')).toEqual(['r1.dat', 'r2.dat'])
    expect(await backend.listFiles(`ischildof:( snapshot_for_project_name ${project} ) and version v2_0 and file_name like '%.root'`)).toEqual(['h.root', 'reco.root'])

    expect(await backend.projectSummary(project)).toMatchObject({ state: 'running', filesInSnapshot: 5, consumed: 2, failed: 1, unknown: 2 })
    const recovery = await backend.recoveryDimensions(project, false)
    expect(await backend.listFiles(recovery)).toEqual(['r3.dat', 'r4.dat', 'r5.dat'])
    expect(await backend.listFiles(`snapshot_for_project_name ${project} minus ( isparentof:( version v2_0 and file_name like '%.root' and create_date > '2026-01-01T00:00:00' ) )`)).toEqual([
      'r3.dat',
      'r4.dat',
      'r5.dat',
    ])
  })

  it('changes nothing when told the same results again, and can end the project', async () => {
    const before = repos.localCatalog.fileCount(EXP)
    const jobs = await readLocalJobResults(jobsDir(), SID, [
      { index: 0, exitCode: 0 },
      { index: 1, exitCode: 3 },
    ])
    const outcome = await registerJobResults(deps, { experiment: EXP, submissionId: SID, version: 'v2_0', jobs, project, endProject: true })
    expect(outcome).toEqual({ outputs: 2, consumed: 2, failed: 1 })
    expect(repos.localCatalog.fileCount(EXP)).toBe(before)
    expect(await backend.projectSummary(project)).toMatchObject({ state: 'completed', consumed: 2, failed: 1, unknown: 2 })
  })

  it('a recovery’s outputs with the same base names get names of their own', async () => {
    const RID = 's-RECOV1'
    const ds = await backend.recoveryDimensions(project, false)
    await backend.createDefinition('poms_recover_x_1', ds)
    await backend.startProject('alice-reco-1-rec', 'poms_recover_x_1', RID)
    const paths = (await backend.listPaths('defname:poms_recover_x_1')).map((p) => p.path!)
    mkdirSync(join(jobsDir(), RID), { recursive: true })
    writeFileSync(join(jobsDir(), RID, 'input-0.txt'), paths.join('\n'))
    writeFile(`jobs/${RID}/out-0/reco.root`, 'reco', JAN + 2 * 86400)
    const jobs = await readLocalJobResults(jobsDir(), RID, [{ index: 0, exitCode: 0 }])
    expect(await registerJobResults(deps, { experiment: EXP, submissionId: RID, version: 'v2_0', jobs, endProject: true })).toEqual({ outputs: 1, consumed: 3, failed: 0 })
    expect(repos.localCatalog.filesByProducer(RID).map((f) => f.name)).toEqual(['out-0/reco.root'])
    expect(await backend.recoveryDimensions('alice-reco-1-rec', false)).toBe('')
    // The dependent stage's query sees the outputs of the submission and of its recovery.
    expect(await backend.listFiles(`ischildof:( snapshot_for_project_name ${project} ) and version v2_0 and file_name like 'reco%' or file_name like '%/reco.root'`)).toEqual([
      'out-0/reco.root',
      'reco.root',
    ])
    expect(await backend.listFiles(`ischildof:( snapshot_for_project_name ${project} ) and version v2_0 and file_name like '%reco.root'`)).toEqual(['out-0/reco.root', 'reco.root'])
  })

  it('registers inputs it has not seen (a dataset listed without the catalog) so parentage holds', async () => {
    const stray = writeFile('stray/in.dat')
    const SID2 = 's-STRAY1'
    mkdirSync(join(jobsDir(), SID2), { recursive: true })
    writeFileSync(join(jobsDir(), SID2, 'input-0.txt'), `${stray}\n${path('stray', 'vanished.dat')}\n`)
    writeFile(`jobs/${SID2}/out-0/stray-out.root`)
    const jobs = await readLocalJobResults(jobsDir(), SID2, [{ index: 0, exitCode: 0 }])
    expect(await registerJobResults(deps, { experiment: EXP, submissionId: SID2, version: null, jobs })).toEqual({ outputs: 1, consumed: 0, failed: 0 })
    expect(await backend.listFiles('isparentof:( file_name stray-out.root )')).toEqual(['in.dat', 'vanished.dat'])
    expect(repos.localCatalog.fileByName(EXP, 'vanished.dat')?.availability).toBe('virtual')
  })
})
