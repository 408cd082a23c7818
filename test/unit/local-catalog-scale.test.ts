import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalDimensionBackend, type LocalDimensionBackend } from '../../electron/core/engine/data/local/local-dimension-backend'
import type { Store } from '../../electron/core/store/open-store'
import { createRepos, type Repos } from '../../electron/core/store/repos'
import { openTestStore } from '../helpers/core-harness'

const EXP = 'big'
/** Big enough to exercise the bulk paths (over 2,000 lookups); `npm run bench` plans splits over 1,000,000. */
const FILES = 50_000
/** Far above what this takes on a slow CI machine; the figures that matter come from `npm run bench`. */
const GENEROUS_MS = 20_000

let store: Store
let repos: Repos
let backend: LocalDimensionBackend
const name = (i: number) => `f${String(i).padStart(7, '0')}.root`

function timed<T>(label: string, fn: () => T): T {
  const start = performance.now()
  const value = fn()
  const ms = performance.now() - start
  console.log(`[local catalog, ${FILES.toLocaleString('en')} files] ${label}: ${ms.toFixed(0)} ms`)
  expect(ms).toBeLessThan(GENEROUS_MS)
  return value
}

async function timedAsync<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now()
  const value = await fn()
  const ms = performance.now() - start
  console.log(`[local catalog, ${FILES.toLocaleString('en')} files] ${label}: ${ms.toFixed(0)} ms`)
  expect(ms).toBeLessThan(GENEROUS_MS)
  return value
}

beforeAll(() => {
  store = openTestStore()
  repos = createRepos(store.db)
  repos.experiments.insertExperiment({ name: EXP, displayName: 'Big', dataHandler: 'local' }, 1)
  backend = createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: EXP, clock: { now: () => 1_700_000_000_000 } })
  const ids = timed('register the files (one transaction)', () =>
    store.db.transaction(() => {
      const out: number[] = []
      for (let i = 0; i < FILES; i++) {
        out.push(
          repos.localCatalog.insertFile({
            experiment: EXP,
            name: name(i),
            path: `/data/big/${name(i)}`,
            size: 1000,
            createdAt: 1_700_000_000_000 + i,
            endTime: null,
            version: i % 10 === 0 ? 'v2' : 'v1',
            runs: [],
            availability: 'physical',
            metadata: {},
            producerSubmissionId: null,
          }),
        )
      }
      return out
    })(),
  )
  timed('define the dataset on a snapshot of all files', () =>
    store.db.transaction(() => {
      const snapshot = repos.localCatalog.createSnapshot(EXP, 'all', 1, ids)
      repos.localCatalog.putDefinition({ experiment: EXP, name: 'all', dims: `snapshot_id ${snapshot}`, createdAt: 1, creator: 'test' })
    })(),
  )
}, 300_000)

afterAll(() => {
  store.close()
  rmSync(dirname(store.file), { recursive: true, force: true })
})

describe(`a ${FILES.toLocaleString('en')}-file local catalog`, () => {
  it('counts and lists a definition, and slices it as nfiles and mod do', async () => {
    expect(await timedAsync('count defname:all', () => backend.countFiles('defname:all'))).toBe(FILES)
    expect(await timedAsync('last nfiles(40) slice', () => backend.listFiles(`defname:all with limit 40 offset ${FILES - 40}`))).toEqual(
      Array.from({ length: 40 }, (_, k) => name(FILES - 40 + k)),
    )
    const slice = await timedAsync('mod(1000) slice 7', () => backend.listFiles('defname:all with stride 1000 offset 7'))
    expect(slice).toHaveLength(FILES / 1000)
    expect(slice.at(-1)).toBe(name(FILES - 1000 + 7))
    const listed = await timedAsync('list defname:all', () => backend.listFiles('defname:all'))
    expect(listed).toHaveLength(FILES)
    expect(listed[12_345]).toBe(name(12_345))
  }, 300_000)

  it('scans the whole catalog by name and by metadata', async () => {
    expect(await timedAsync("count file_name like 'f0012%'", () => backend.countFiles("file_name like 'f0012%'"))).toBe(1000)
    expect(await timedAsync('count version v2 (every file read)', () => backend.countFiles('version v2'))).toBe(FILES / 10)
    expect(await timedAsync('count defname:all minus version v1', () => backend.countFiles('defname:all minus version v1'))).toBe(FILES / 10)
  }, 300_000)

  it('starts a project on it and answers its recovery query', async () => {
    await timedAsync('start a project (snapshot + a status per file)', () => backend.startProject('big-project', 'all'))
    const project = repos.localCatalog.project(EXP, 'big-project')!
    timed('mark 1000 files consumed', () =>
      store.db.transaction(() => {
        const ids = repos.localCatalog.snapshotFileIds(project.snapshotId).slice(0, 1000)
        for (const id of ids) repos.localCatalog.setFileStatus(project.id, id, 'consumed', 2)
      })(),
    )
    const dims = await timedAsync('recovery dimensions', () => backend.recoveryDimensions('big-project', false))
    expect(await timedAsync('count the recovery', () => backend.countFiles(dims))).toBe(FILES - 1000)
    expect(await timedAsync('project summary', () => backend.projectSummary('big-project'))).toMatchObject({ filesInSnapshot: FILES, consumed: 1000, unknown: FILES - 1000 })
  }, 300_000)
})
