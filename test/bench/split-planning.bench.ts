import { rmSync } from 'node:fs'
import type { SplitRequest } from '../../electron/core/engine/data/data-handler'
import { createDimensionDataHandler, type DimensionDataHandler } from '../../electron/core/engine/data/dimension-data-handler/create-dimension-data-handler'
import { createLocalDimensionBackend } from '../../electron/core/engine/data/local/local-dimension-backend'
import { silentLogger } from '../../electron/core/logging/logger'
import { systemClock } from '../../electron/core/ports'
import { openStore, type Store } from '../../electron/core/store/open-store'
import { createRepos, type Repos } from '../../electron/core/store/repos'
import { tempDataDir } from '../helpers/core-harness'
import { measurePair, type BenchResult } from './harness'

const FILES = 1_000_000
const EXP = 'bench'
const SLICE = 1000
/**
 * Planning a slice evaluates the dataset's query over the catalog, so the floor is reading the
 * dataset once. nfiles and mod must stay within a few such reads; drainingn subtracts every file
 * delivered so far, which needs the delivered snapshot read too.
 */
const BUDGET_PLAIN = 4
const BUDGET_DRAINING = 12

const fileName = (i: number) => `f${String(i).padStart(7, '0')}.root`

export function prepare(): { store: Store; dataDir: string; repos: Repos; handler: DimensionDataHandler; freshHandler: () => DimensionDataHandler } {
  const dataDir = tempDataDir('poms-bench-splits-')
  const store = openStore({ dataDir, clock: systemClock, logger: silentLogger, purpose: 'bench' })
  const repos = createRepos(store.db)
  repos.experiments.insertExperiment({ name: EXP, displayName: 'Bench', dataHandler: 'local' }, 1)
  store.db.transaction(() => {
    const ids: number[] = []
    for (let i = 0; i < FILES; i++) {
      ids.push(
        repos.localCatalog.insertFile({
          experiment: EXP,
          name: fileName(i),
          path: `/data/bench/${fileName(i)}`,
          size: 1000,
          createdAt: 1_700_000_000_000 + i * 1000,
          endTime: 1_700_000_000_000 + i * 1000,
          version: 'v1',
          runs: [],
          availability: 'physical',
          metadata: {},
          producerSubmissionId: null,
        }),
      )
    }
    const snapshot = repos.localCatalog.createSnapshot(EXP, 'mc_all', 1, ids)
    repos.localCatalog.putDefinition({ experiment: EXP, name: 'mc_all', dims: `snapshot_id ${snapshot}`, createdAt: 1, creator: 'bench' })
  })()
  let n = 0
  /** A handler with nothing remembered yet, as after the app starts. */
  const freshHandler = () =>
    createDimensionDataHandler({
      kind: 'local',
      backend: createLocalDimensionBackend({ db: store.db, catalog: repos.localCatalog, experiment: EXP, clock: systemClock }),
      newId: () => `u${++n}`,
    })
  return { store, dataDir, repos, handler: freshHandler(), freshHandler }
}

const request = (splitType: string, cursor: number | null): SplitRequest => ({
  experiment: EXP,
  stageId: 'stage-bench',
  stageName: 'bench',
  dataset: 'mc_all',
  splitType,
  cursor,
  now: Date.now(),
})

/**
 * Planning one launch's slice of a 1,000,000-file dataset through the local data handler (query
 * evaluation, the definition it creates, the count), against reading the dataset's file names
 * once in order straight from SQLite.
 */
export async function benchSplitPlanning(): Promise<BenchResult[]> {
  const { store, dataDir, handler, freshHandler } = prepare()
  try {
    const readDataset = store.db.prepare(
      'SELECT f.name FROM local_snapshot_files s JOIN local_files f ON f.id = s.file WHERE s.snapshot_id = (SELECT id FROM local_snapshots WHERE definition = ? ORDER BY id LIMIT 1) ORDER BY s.position',
    )
    const baseline = { label: `read ${FILES.toLocaleString('en')} names (SQLite)`, setup: () => null, fn: () => readDataset.pluck().all('mc_all').length }
    const results: BenchResult[] = []
    // Cold: a handler with nothing remembered, as for the first launch after the app starts.
    // Warm: the same handler launch after launch, which keeps snapshots and sub-query answers.
    const plain = async (label: string, splitType: string, cursor: number) => {
      const cold = await measurePair(
        3,
        { label: `${label}, cold`, setup: () => freshHandler(), fn: (fresh) => (fresh as DimensionDataHandler).nextSplit(request(splitType, cursor)) },
        baseline,
      )
      results.push({ name: `split planning: ${splitType}, ${FILES.toLocaleString('en')} files, first after start`, ...cold, budget: BUDGET_PLAIN })
      const warm = await measurePair(3, { label: `${label}, warm`, setup: () => null, fn: () => handler.nextSplit(request(splitType, cursor)) }, baseline)
      results.push({ name: `split planning: ${splitType}, ${FILES.toLocaleString('en')} files, launch after launch`, ...warm, budget: BUDGET_PLAIN })
    }
    await plain(`nfiles(${SLICE}) last slice`, `nfiles(${SLICE})`, FILES / SLICE - 1)
    await plain(`mod(${SLICE}) slice 7`, `mod(${SLICE})`, 7)
    const preview = await measurePair(
      3,
      { label: 'preview 10 nfiles slices, cold', setup: () => freshHandler(), fn: (fresh) => (fresh as DimensionDataHandler).previewSplits(request(`nfiles(${SLICE})`, 500), 10) },
      baseline,
    )
    results.push({ name: `split simulator: 10 nfiles(${SLICE}) slices, ${FILES.toLocaleString('en')} files`, ...preview, budget: BUDGET_PLAIN * 10, note: '10 slices plus one to tell exhaustion' })
    // drainingn after half the dataset has been delivered: the slice subtracts a 500,000-file snapshot.
    const { cursorAfter: cursor } = await handler.nextSplit(request('drainingn(500000)', null))
    const drainingLabel = `drainingn(${SLICE}) after 500,000 delivered`
    const coldDraining = await measurePair(
      3,
      { label: `${drainingLabel}, cold`, setup: () => freshHandler(), fn: (fresh) => (fresh as DimensionDataHandler).nextSplit(request(`drainingn(${SLICE})`, cursor)) },
      baseline,
    )
    results.push({ name: `split planning: drainingn(${SLICE}), ${FILES.toLocaleString('en')} files, first after start`, ...coldDraining, budget: BUDGET_DRAINING })
    const draining = await measurePair(3, { label: `${drainingLabel}, warm`, setup: () => null, fn: () => handler.nextSplit(request(`drainingn(${SLICE})`, cursor)) }, baseline)
    results.push({ name: `split planning: drainingn(${SLICE}), ${FILES.toLocaleString('en')} files, launch after launch`, ...draining, budget: BUDGET_DRAINING })
    return results
  } finally {
    store.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
