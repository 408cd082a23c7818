import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { DatasetError, SplitExhausted, type SplitOutcome, type SplitRequest } from '../../electron/core/engine/data/data-handler'
import { createMetacatDataHandler, type MetacatDataHandler } from '../../electron/core/engine/data/metacat/metacat-data-handler'
import type { LedgerEntry, SplitLedger } from '../../electron/core/engine/data/metacat/split-ledger'
import { staticToken } from '../../electron/core/engine/data/metacat/tokens'
import type { CatFile } from '../emulators/metacat/catalog'
import { startShrek, type Shrek } from '../emulators/metacat/shrek'

// Each split type on MetaCat queries and Data Dispatcher projects: its sequence of slices, the
// preview equal to the launches that follow, and exhaustion (poms-reference.md §4, Appendix A).

let shrek: Shrek
let handler: MetacatDataHandler
let files: CatFile[]
let T0: number
const fast = { attempts: 2, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 5000 }
// Runs of raw_00 … raw_09, in creation order.
const RUNS = [5, 5, 7, 7, 7, 9, 9, 5, 11, 11]

beforeAll(async () => {
  // Unordered results come back shuffled: a split that forgot `ordered` would fail here.
  shrek = await startShrek()
  T0 = shrek.clock.now()
  shrek.metacat.catalog.addDataset('mc', 'raw')
  shrek.metacat.catalog.addDataset('mc', 'other')
  files = shrek.metacat.catalog.declare(
    RUNS.map((run, i) => ({ namespace: 'mc', name: `raw_${String(i).padStart(2, '0')}.root`, created_timestamp: T0 + 60 * i, metadata: { 'core.run_number': run, 'core.data_tier': 'raw' } })),
    'mc:raw',
  )
  shrek.metacat.catalog.declare([{ namespace: 'mc', name: 'other.root', created_timestamp: T0 }], 'mc:other')
  handler = createMetacatDataHandler({ metacatUrl: shrek.metacat.url, dataDispatcherUrl: shrek.dd.url, tokens: { dataDispatcher: staticToken(shrek.auth.issue('poms')) }, http: fast })
})
afterAll(async () => {
  await handler.close()
  await shrek.close()
})
beforeEach(() => shrek.metacat.faults.reset())

let stageSeq = 0
function req(splitType: string | null, dataset: string, cursor: number | null = null, now = Date.now()): SplitRequest {
  return { experiment: 'mc', stageId: `stage-${++stageSeq}`, stageName: 'reco', dataset, splitType, cursor, now }
}

/** nextSplit until SplitExhausted (or `max` slices), moving the cursor as the engine would. */
async function launches(r: SplitRequest, max = 20): Promise<{ slices: SplitOutcome[]; end: string | null; cursor: number | null }> {
  const slices: SplitOutcome[] = []
  let cursor = r.cursor
  for (let i = 0; i < max; i++) {
    try {
      const s = await handler.nextSplit({ ...r, cursor })
      slices.push(s)
      cursor = s.cursorAfter
    } catch (err) {
      if (err instanceof SplitExhausted) return { slices, end: err.message, cursor }
      throw err
    }
  }
  return { slices, end: null, cursor }
}

const names = async (dataset: string) => (await handler.listFiles('mc', dataset)).map((d) => d.replace(/^mc:raw_|\.root$/g, ''))
const projects = () => shrek.dd.dispatcher.projects.size

/** The preview of `count` slices must be what the launches then get, with nothing changed by it. */
async function previewThenLaunch(r: SplitRequest, count: number, { ledger = false } = {}) {
  const before = projects()
  const preview = await handler.previewSplits(r, count)
  expect(projects()).toBe(before)
  const run = await launches(r, count)
  // A stateful slice's cursor is the ledger entry its launch records; the preview cannot know it.
  const comparable = (s: SplitOutcome) => (ledger ? { ...s, cursorAfter: null } : s)
  expect(preview.slices).toEqual(run.slices.map(comparable))
  expect(preview.exhaustedAfter).toBe(run.end === null ? null : run.slices.length)
  return { preview, run }
}

describe('splits without state in Data Dispatcher', () => {
  it('none: the dataset as written, every launch, never exhausted', async () => {
    const { run } = await previewThenLaunch(req(null, 'mc:raw'), 3)
    expect(run.slices).toHaveLength(3)
    expect(run.slices[0]).toEqual({ dataset: 'mc:raw', cursorAfter: null, fileCount: 10, definitions: [], description: 'the whole dataset mc:raw (10 files), every launch' })
    expect(run.end).toBeNull()
  })

  it('draining: the same query each launch, counting runs, until it matches nothing', async () => {
    const { run } = await previewThenLaunch(req('draining', 'files from mc:raw where core.run_number = 9'), 3)
    expect(run.slices.map((s) => [s.dataset, s.cursorAfter, s.fileCount])).toEqual([
      ['files from mc:raw where core.run_number = 9', 0, 2],
      ['files from mc:raw where core.run_number = 9', 1, 2],
      ['files from mc:raw where core.run_number = 9', 2, 2],
    ])
    const empty = await launches(req('draining', 'files from mc:raw where core.run_number = 99'))
    expect(empty.slices).toEqual([])
    expect(empty.end).toMatch(/^No more splits in this campaign\. \(draining: files from mc:raw where core\.run_number = 99 matches no files\)$/)
  })

  it('list: one item per launch — queries, datasets and project ids — then exhausted', async () => {
    const dd = shrek.dd.dispatcher.create('poms', { files: [{ namespace: 'mc', name: 'a' }, { namespace: 'mc', name: 'b' }] })
    const dataset = `['files from mc:raw where core.run_number = 5', 'mc:other', 'project_id: ${dd.project_id}']`
    const { run } = await previewThenLaunch(req('list', dataset), 5)
    expect(run.slices.map((s) => [s.dataset, s.cursorAfter, s.fileCount])).toEqual([
      ['files from mc:raw where core.run_number = 5', 1, 3],
      ['mc:other', 2, 1],
      [`project_id: ${dd.project_id}`, 3, 2],
    ])
    expect(run.end).toMatch(/all 3 items of the list were launched/)
    const commas = await launches(req('list', 'mc:other, mc:raw'))
    expect(commas.slices.map((s) => [s.dataset, s.fileCount])).toEqual([
      ['mc:other', 1],
      ['mc:raw', 10],
    ])
  })

  it('multiparam: every combination, the first list fastest, with no files behind them', async () => {
    const { run } = await previewThenLaunch(req('multiparam', '[["a","b"],["x","y","z"]]'), 8)
    expect(run.slices.map((s) => s.dataset)).toEqual(['a_x', 'b_x', 'a_y', 'b_y', 'a_z', 'b_z'])
    expect(run.slices.every((s) => s.fileCount === null)).toBe(true)
    expect(run.cursor).toBe(6)
    await expect(handler.nextSplit(req('multiparam', 'not json'))).rejects.toBeInstanceOf(DatasetError)
  })

  it('mod(n): n stride slices of the ordered query (file k, k+n, …), then exhausted', async () => {
    const { run } = await previewThenLaunch(req('mod(3)', 'mc:raw'), 4)
    expect(run.slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter])).toEqual([
      ['filter every_nth(3,0)((files from mc:raw) ordered)', 4, 1],
      ['filter every_nth(3,1)((files from mc:raw) ordered)', 3, 2],
      ['filter every_nth(3,2)((files from mc:raw) ordered)', 3, 3],
    ])
    expect(await names(run.slices[0]!.dataset)).toEqual(['00', '03', '06', '09'])
    expect(await names(run.slices[2]!.dataset)).toEqual(['02', '05', '08'])
    expect(run.end).toMatch(/all 3 slices were launched/)
    // More slices than files: the first empty slice ends the split (a project cannot be empty).
    const wide = await launches(req('mod(20)', 'mc:other'))
    expect([wide.slices.length, wide.end]).toEqual([1, expect.stringMatching(/slice 2 of 20 is empty/)])
  })

  it('nfiles(n): consecutive slices of n files, the last one short, then exhausted', async () => {
    const { run } = await previewThenLaunch(req('nfiles(4)', 'mc:raw'), 5)
    expect(run.slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter, s.description])).toEqual([
      ['(files from mc:raw) ordered skip 0 limit 4', 4, 1, 'files 1–4 of files from mc:raw (4 files)'],
      ['(files from mc:raw) ordered skip 4 limit 4', 4, 2, 'files 5–8 of files from mc:raw (4 files)'],
      ['(files from mc:raw) ordered skip 8 limit 4', 2, 3, 'files 9–10 of files from mc:raw (2 files)'],
    ])
    expect(await names(run.slices[1]!.dataset)).toEqual(['04', '05', '06', '07'])
    expect(run.end).toMatch(/no files after the first 12 of files from mc:raw/)
    // The cursor is the slice number: a preview from cursor 2 starts at the third slice.
    expect((await handler.previewSplits(req('nfiles(4)', 'mc:raw', 2), 3)).slices.map((s) => s.fileCount)).toEqual([2])
  })

  it('the simulator can ask for each slice’s first files', async () => {
    const { slices } = await handler.previewSplits(req('nfiles(4)', 'mc:raw'), 2, { filesPerSlice: 2 })
    expect(slices.map((s) => s.files)).toEqual([
      ['mc:raw_00.root', 'mc:raw_01.root'],
      ['mc:raw_04.root', 'mc:raw_05.root'],
    ])
    const params = await handler.previewSplits(req('multiparam', '[["a"]]'), 1, { filesPerSlice: 2 })
    expect(params.slices[0]!.files).toEqual([])
  })

  it('limitn(n): the same first n files every launch', async () => {
    const { run } = await previewThenLaunch(req('limitn(3)', 'files from mc:raw where core.run_number = 7', 4), 3)
    expect(run.slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter])).toEqual(Array(3).fill(['(files from mc:raw where core.run_number = 7) ordered limit 3', 3, 4]))
    expect(await names(run.slices[0]!.dataset)).toEqual(['02', '03', '04'])
    expect((await launches(req('limitn(3)', 'files from mc:nothing'))).end).toMatch(/matches no files/)
  })

  it('byrun(low,high): one run per launch from low to high inclusive, empty runs included', async () => {
    const { run } = await previewThenLaunch(req('byrun(low=5,high=7)', 'mc:raw'), 5)
    expect(run.slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter])).toEqual([
      ['(files from mc:raw) where core.run_number = 5', 3, 6],
      ['(files from mc:raw) where core.run_number = 6', 0, 7],
      ['(files from mc:raw) where core.run_number = 7', 3, 8],
    ])
    expect(run.end).toMatch(/runs 5 to 7 were all launched/)
  })

  it('new(window, firsttime, lasttime, fts): consecutive creation-time windows until the boundary', async () => {
    const iso = (t: number) => `${new Date(t * 1000).toISOString().slice(0, 19)}+00:00`
    const spec = `new(window=3m,firsttime=${T0 - 30},lasttime=${T0 + 600},fts=1m)`
    const { run } = await previewThenLaunch(req(spec, 'mc:raw'), 6)
    // bound = lasttime − fts − window = T0+360; windows start at T0−30, +150, +330; the next (+510) is past it.
    expect(run.slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter])).toEqual([
      [`(files from mc:raw) where created_timestamp > '${iso(T0 - 30)}' and created_timestamp <= '${iso(T0 + 150)}'`, 3, T0 + 150],
      [`(files from mc:raw) where created_timestamp > '${iso(T0 + 150)}' and created_timestamp <= '${iso(T0 + 330)}'`, 3, T0 + 330],
      [`(files from mc:raw) where created_timestamp > '${iso(T0 + 330)}' and created_timestamp <= '${iso(T0 + 510)}'`, 3, T0 + 510],
    ])
    expect(await names(run.slices[1]!.dataset)).toEqual(['03', '04', '05'])
    expect(run.end).toMatch(/the next window would start at .* after /)
    // Without firsttime the first window is (lasttime − fts − window, lasttime − fts]: raw_08 and raw_09.
    const [latest] = (await handler.previewSplits(req(`new(window=2m,fts=1m,lasttime=${T0 + 600})`, 'mc:raw'), 1)).slices
    expect(latest!.cursorAfter).toBe(T0 + 540)
    expect(latest!.fileCount).toBe(2)
    // A firsttime past the boundary has no complete window to offer (checked from the first launch on).
    const late = await launches(req(`new(window=3m,firsttime=${T0 + 1000},lasttime=${T0 + 600},fts=1m)`, 'mc:raw'))
    expect([late.slices.length, late.end]).toEqual([0, expect.stringMatching(/the next window would start at/)])
  })

  it('refuses split specs it cannot read, and datasets that are not queries for query splits', async () => {
    await expect(handler.nextSplit(req('nfiles(x)', 'mc:raw'))).rejects.toThrow(/split type nfiles\(x\): n must be a positive whole number/)
    await expect(handler.previewSplits(req('nfiles(2)', 'project_id: 4'), 1)).rejects.toThrow(/is a Data Dispatcher project, not a MetaCat query/)
    await expect(handler.nextSplit(req('nfiles(2)', 'files from mc:raw wher'))).rejects.toBeInstanceOf(DatasetError)
  })
})

describe('stateful splits, remembered in Data Dispatcher ledger projects', () => {
  it('drainingn(n): n undelivered files per launch; new files in the dataset come next; the cursor can be restored or reset', async () => {
    shrek.metacat.catalog.addDataset('mc', 'growing')
    const grow = (k: number, at: number) => shrek.metacat.catalog.declare(Array.from({ length: k }, (_, i) => ({ namespace: 'mc', name: `g_${at + i}.root`, created_timestamp: T0 + at + i })), 'mc:growing')
    const first = grow(7, 0)
    const fids = (xs: CatFile[]) => `fids ${xs.map((f) => f.fid).join(',')}`
    const r = req('drainingn(3)', 'mc:growing')
    const { run } = await previewThenLaunch(r, 4, { ledger: true })
    expect(run.slices.map((s) => [s.dataset, s.fileCount])).toEqual([
      [fids(first.slice(0, 3)), 3],
      [fids(first.slice(3, 6)), 3],
      [fids(first.slice(6)), 1],
    ])
    expect(run.slices[1]!.description).toBe('the next 3 files of files from mc:growing not delivered yet (3 files delivered before)')
    expect(run.end).toMatch(/every file of files from mc:growing was delivered \(7 files\)/)

    // Each slice is a cancelled ledger project chained to the one before; the cursor is its id.
    const ledgers = run.slices.map((s) => shrek.dd.dispatcher.projects.get(s.cursorAfter!)!)
    expect(ledgers.map((p) => [p.state, p.handles.length, p.attributes.poms_split_ledger, p.attributes.poms_split_type])).toEqual([
      ['cancelled', 3, true, 'drainingn(3)'],
      ['cancelled', 3, true, 'drainingn(3)'],
      ['cancelled', 1, true, 'drainingn(3)'],
    ])
    expect(ledgers.map((p) => p.attributes.poms_ledger_previous)).toEqual([null, ledgers[0]!.project_id, ledgers[1]!.project_id])
    expect(new Set(ledgers.map((p) => p.attributes.poms_ledger_chain)).size).toBe(1)

    // Files added later are the next slice; the preview from that cursor agrees.
    const later = grow(2, 100)
    const resumed = await previewThenLaunch({ ...r, cursor: run.cursor }, 2, { ledger: true })
    expect(resumed.run.slices.map((s) => s.dataset)).toEqual([fids(later)])

    // Restoring the first slice's cursor (POMS's Last Split editor, done right) re-offers what came after it.
    const restored = await handler.nextSplit({ ...r, cursor: run.slices[0]!.cursorAfter })
    expect(restored.dataset).toBe(fids(first.slice(3, 6)))
    // A reset starts a new chain from the beginning.
    expect((await handler.nextSplit({ ...r, cursor: null })).dataset).toBe(fids(first.slice(0, 3)))
  })

  it('drainingn refuses a cursor that is no ledger entry', async () => {
    const plain = shrek.dd.dispatcher.create('poms', { files: [] })
    await expect(handler.nextSplit(req('drainingn(3)', 'mc:raw', plain.project_id))).rejects.toThrow(new RegExp(`split cursor ${plain.project_id} is not a split ledger project`))
  })

  it('byexistingruns: all undelivered files of the next file’s run, run after run', async () => {
    const { run } = await previewThenLaunch(req('byexistingruns()', 'mc:raw'), 6, { ledger: true })
    expect(await Promise.all(run.slices.map((s) => names(s.dataset)))).toEqual([
      ['00', '01', '07'],
      ['02', '03', '04'],
      ['05', '06'],
      ['08', '09'],
    ])
    expect(run.slices.map((s) => s.description)).toEqual(['run 5: its 3 files of files from mc:raw not delivered yet', 'run 7: its 3 files of files from mc:raw not delivered yet', 'run 9: its 2 files of files from mc:raw not delivered yet', 'run 11: its 2 files of files from mc:raw not delivered yet'])
    expect(run.end).toMatch(/every file of files from mc:raw was delivered/)
  })

  it('byexistingruns stops at an undelivered file with no run number', async () => {
    const end = await launches(req('byexistingruns()', 'mc:other'))
    expect(end.slices).toEqual([])
    expect(end.end).toMatch(/the next undelivered file mc:other\.root has no core\.run_number/)
  })

  it('stagedfiles(n): the next n files a watched project finished, as it finishes them', async () => {
    const watched = shrek.dd.dispatcher.create('poms', { files: files.slice(0, 5).map((f) => ({ namespace: f.namespace, name: f.name })) })
    const finish = (k: number) => {
      for (let i = 0; i < k; i++) {
        const { handle } = shrek.dd.dispatcher.reserve(watched, 'stager')
        shrek.dd.dispatcher.release(watched, handle!.namespace, handle!.name, false, false)
      }
    }
    finish(3)
    const r = req('stagedfiles(2)', `project_id: ${watched.project_id}`)
    const { run } = await previewThenLaunch(r, 3, { ledger: true })
    expect(await Promise.all(run.slices.map((s) => names(s.dataset)))).toEqual([['00', '01'], ['02']])
    expect(run.end).toMatch(new RegExp(`project ${watched.project_id} has finished no file that was not delivered yet`))
    finish(2)
    expect(await names((await handler.nextSplit({ ...r, cursor: run.cursor })).dataset)).toEqual(['03', '04'])
  })

  it('the ledger is an interface: a store-backed one takes Data Dispatcher out of it', async () => {
    // What an engine-side table (stage, entry id, previous, fids) would do; here in memory.
    const entries = new Map<number, LedgerEntry>()
    const memory: SplitLedger = {
      async delivered(cursor) {
        const out = []
        for (let id = cursor; id !== null; id = entries.get(id)!.previous) out.push(...entries.get(id)!.files)
        return out
      },
      async record(entry) {
        const id = entries.size + 1
        entries.set(id, entry)
        return id
      },
    }
    const h = createMetacatDataHandler({ metacatUrl: shrek.metacat.url, dataDispatcherUrl: shrek.dd.url, tokens: { dataDispatcher: staticToken(shrek.auth.issue('poms')) }, http: fast, ledger: memory })
    const before = projects()
    const r = { ...req('drainingn(4)', 'mc:raw') }
    const first = await h.nextSplit(r)
    const second = await h.nextSplit({ ...r, cursor: first.cursorAfter })
    expect([first.cursorAfter, second.cursorAfter, first.fileCount, second.fileCount]).toEqual([1, 2, 4, 4])
    expect(entries.get(2)).toMatchObject({ experiment: 'mc', stageId: r.stageId, splitType: 'drainingn(4)', previous: 1 })
    expect(await names(second.dataset)).toEqual(['04', '05', '06', '07'])
    expect(projects()).toBe(before)
    await h.close()
  })
})
