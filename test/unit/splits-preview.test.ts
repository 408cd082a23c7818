import { describe, expect, it } from 'vitest'
import { SplitExhausted, type SplitOutcome, type SplitRequest } from '../../electron/core/engine/data/data-handler'
import { createDimensionDataHandler } from '../../electron/core/engine/data/dimension-data-handler/create-dimension-data-handler'
import { createMemoryDimensionBackend, type MemoryDimensionBackend } from '../../electron/core/engine/data/dimension-data-handler/memory-backend'

// The split simulator: the preview of K slices is what K real launches would give, and it changes nothing.

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0)
const jan = (day: number) => Date.UTC(2026, 0, day) / 1000

function catalog(): MemoryDimensionBackend {
  const backend = createMemoryDimensionBackend({ now: () => NOW })
  backend.declareFiles(
    Array.from({ length: 11 }, (_, i) => ({
      name: `gen_${String(i).padStart(3, '0')}.root`,
      runs: i === 10 ? [] : [`${20 + (i % 4)}.${(i % 2) + 1}`],
      endTime: (jan(1) + i * 9 * 3600) * 1000,
    })),
  )
  void backend.createDefinition('mc_gen', 'file_name gen_%')
  return backend
}

async function withPrestageProject(backend: MemoryDimensionBackend): Promise<void> {
  await backend.createDefinition('prestage_src', 'file_name gen_%')
  await backend.startProject('prestage_p', 'prestage_src')
  for (const f of ['gen_001.root', 'gen_002.root', 'gen_004.root', 'gen_005.root', 'gen_009.root']) backend.setStatus('prestage_p', f, 'consumed')
}

const request = (splitType: string | null, dataset: string, cursor: number | null): SplitRequest => ({
  experiment: 'samdev',
  stageId: 'st1',
  stageName: 'reco',
  dataset,
  splitType,
  cursor,
  now: NOW,
})

const state = (b: MemoryDimensionBackend) => ({ definitions: b.definitions(), snapshots: b.snapshots(), projects: b.projects() })

/** A preview name stands for a real one when its placeholders stand for the uuid or snapshot id the launch used. */
function namePattern(previewName: string): RegExp {
  const escaped = previewName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`^${escaped.replace('<uuid>', 'u\\d+').replace('<snapshot>', '\\d+')}$`)
}

interface Case {
  spec: string | null
  dataset?: string
  /** Real launches made before the preview, so it starts from a real cursor. */
  before?: number
  snapshots?: boolean
  prestage?: boolean
}

const CASES: Case[] = [
  { spec: null },
  { spec: 'draining' },
  { spec: 'list', dataset: 'ds_a,ds_b,ds_c' },
  { spec: 'multiparam', dataset: '[["a","b"],["x","y","z"]]' },
  { spec: 'mod(4)' },
  { spec: 'nfiles(3)' },
  { spec: 'nfiles(3)', before: 2 },
  { spec: 'limitn(3)' },
  { spec: 'drainingn(3)', snapshots: true },
  { spec: 'drainingn(3)', before: 2, snapshots: true },
  { spec: 'stagedfiles(2)', dataset: 'prestage_p', snapshots: true, prestage: true },
  { spec: 'stagedfiles(2)', dataset: 'prestage_p', before: 1, snapshots: true, prestage: true },
  { spec: 'byrun(low=20,high=23)' },
  { spec: 'byexistingruns()', snapshots: true },
  { spec: 'byexistingruns()', before: 3, snapshots: true },
  { spec: `new(window=1d,fts=1h,firsttime=${jan(1)},lasttime=${jan(4)})` },
  { spec: 'new(window=12h,round=1h,lasttime=1767600000,fts=0)', before: 0 },
]

describe('split previews equal real launches', () => {
  for (const c of CASES) {
    for (const k of [1, 3, 8]) {
      it(`${c.spec ?? 'None'}${c.before ? ` after ${c.before} launches` : ''}, ${k} slices`, async () => {
        const backend = catalog()
        if (c.prestage) await withPrestageProject(backend)
        let ids = 0
        const handler = createDimensionDataHandler({ kind: 'local', backend, newId: () => `u${++ids}` })
        const dataset = c.dataset ?? 'mc_gen'
        let cursor: number | null = null
        for (let i = 0; i < (c.before ?? 0); i++) cursor = (await handler.nextSplit(request(c.spec, dataset, cursor))).cursorAfter

        const untouched = state(backend)
        const preview = await handler.previewSplits(request(c.spec, dataset, cursor), k, { filesPerSlice: 100 })
        expect(state(backend)).toEqual(untouched)

        // The same K launches for real, and one more to see whether the split ends there.
        const real: { outcome: SplitOutcome; files: string[] }[] = []
        let exhaustedAfter: number | null = null
        for (let i = 0; i <= k; i++) {
          try {
            const outcome = await handler.nextSplit(request(c.spec, dataset, cursor))
            cursor = outcome.cursorAfter
            if (i < k) real.push({ outcome, files: outcome.definitions.length > 0 ? await backend.listFiles(`defname:${outcome.dataset}`) : [] })
          } catch (err) {
            if (!(err instanceof SplitExhausted)) throw err
            exhaustedAfter = i
            break
          }
        }

        expect(preview.exhaustedAfter).toBe(exhaustedAfter)
        expect(preview.slices).toHaveLength(real.length)
        preview.slices.forEach((slice, i) => {
          const { outcome, files } = real[i]!
          expect(outcome.dataset).toMatch(namePattern(slice.dataset))
          expect(slice.fileCount).toBe(outcome.fileCount)
          if (slice.dims !== null && outcome.definitions.length > 0) expect(slice.files).toEqual(files)
          expect(slice.cursorAfter).toBe(c.snapshots ? null : outcome.cursorAfter)
          expect(slice.description).toBe(outcome.description)
          if (!c.snapshots) expect(slice.definitions.map((d) => d.dims)).toEqual(outcome.definitions.map((d) => d.dims))
        })
        if (c.snapshots && preview.slices.length > 0) {
          // The first slice starts from the real cursor, so it is exactly what the launch creates first.
          expect(preview.slices[0]!.definitions).toEqual(real[0]!.outcome.definitions.slice(0, 1))
        }
      })
    }
  }
})

describe('what previews of snapshot-tracked splits write', () => {
  it('states earlier simulated slices as an offset past the real snapshot, in one short query however far it looks', async () => {
    const backend = createMemoryDimensionBackend({ now: () => NOW })
    backend.declareFiles(Array.from({ length: 300 }, (_, i) => ({ name: `f${String(i).padStart(4, '0')}` })))
    await backend.createDefinition('big', 'file_name f%')
    const handler = createDimensionDataHandler({ kind: 'sam', backend })
    const first = await handler.nextSplit(request('drainingn(5)', 'big', null))
    const preview = await handler.previewSplits(request('drainingn(5)', 'big', first.cursorAfter), 60)
    expect(preview.slices).toHaveLength(59)
    expect(preview.exhaustedAfter).toBe(59)
    expect(preview.slices[0]!.definitions).toEqual([{ name: `big_slice_${first.cursorAfter}_stage_5`, dims: `defname:big minus snapshot_id ${first.cursorAfter} with limit 5` }])
    expect(preview.slices[58]!.definitions).toEqual([{ name: 'big_slice_<snapshot>_stage_5', dims: `defname:big minus snapshot_id ${first.cursorAfter} with limit 5 offset 290` }])
  })

  it('states the runs byexistingruns took as run_number values to take away', async () => {
    const backend = catalog()
    const handler = createDimensionDataHandler({ kind: 'sam', backend })
    const preview = await handler.previewSplits(request('byexistingruns()', 'mc_gen', null), 3)
    expect(preview.slices.map((s) => s.definitions[0])).toEqual([
      { name: 'mc_gen_slice_0_run_20.0001', dims: 'defname:mc_gen and run_number 20.0001' },
      { name: 'mc_gen_slice_<snapshot>_run_21.0002', dims: '(defname:mc_gen and run_number 21.0002) minus run_number 20.0001' },
      { name: 'mc_gen_slice_<snapshot>_run_22.0001', dims: '(defname:mc_gen and run_number 22.0001) minus run_number 20.0001,21.0002' },
    ])
  })

  it('shows uuid names with a placeholder and lists no files unless asked', async () => {
    const handler = createDimensionDataHandler({ kind: 'sam', backend: catalog() })
    const preview = await handler.previewSplits(request('limitn(2)', 'mc_gen', null), 1)
    expect(preview.slices[0]).toMatchObject({ dataset: 'mc_gen_<uuid>_limit2', files: [], fileCount: 2, dims: 'defname:mc_gen with limit 2' })
  })
})
