import { describe, expect, it } from 'vitest'
import { SplitExhausted, type SplitOutcome, type SplitRequest } from '../../electron/core/engine/data/data-handler'
import { createDimensionDataHandler } from '../../electron/core/engine/data/dimension-data-handler/create-dimension-data-handler'
import { createMemoryDimensionBackend, type MemoryFileSpec } from '../../electron/core/engine/data/dimension-data-handler/memory-backend'
import { resolveSplit } from '../../shared/splits/registry'
import { SplitSetupError } from '../../shared/splits/types'

// Slices as poms-reference.md §4 (table and §4.2) names and defines them, launch after launch.

const NOW = Date.UTC(2026, 0, 10, 12, 0, 0)

function setup(declared: MemoryFileSpec[], definitions: Record<string, string> = { mc_gen: 'file_name gen_%' }) {
  const backend = createMemoryDimensionBackend({ now: () => NOW })
  backend.declareFiles(declared)
  for (const [name, dims] of Object.entries(definitions)) void backend.createDefinition(name, dims)
  let ids = 0
  const handler = createDimensionDataHandler({ kind: 'sam', backend, newId: () => `u${++ids}`, timeZone: 'America/Chicago' })
  /** Launches until exhausted (at most `max`), feeding each cursor to the next launch like the engine. */
  async function launches(splitType: string | null, dataset = 'mc_gen', max = 20, cursor: number | null = null) {
    const slices: SplitOutcome[] = []
    for (let i = 0; i < max; i++) {
      try {
        const slice = await handler.nextSplit(request(splitType, dataset, cursor))
        slices.push(slice)
        cursor = slice.cursorAfter
      } catch (err) {
        if (err instanceof SplitExhausted) return { slices, exhausted: err.message }
        throw err
      }
    }
    return { slices, exhausted: null }
  }
  const files = async (name: string) => backend.listFiles(`defname:${name}`)
  return { backend, handler, launches, files }
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

const gen = (n: number, extra: (i: number) => Partial<MemoryFileSpec> = () => ({})): MemoryFileSpec[] =>
  Array.from({ length: n }, (_, i) => ({ name: `gen_${String(i).padStart(3, '0')}.root`, ...extra(i) }))

describe('none and draining', () => {
  it('none gives the dataset unchanged, keeps the cursor, and counts it only when it is a dataset', async () => {
    const { handler } = setup(gen(3))
    const slice = await handler.nextSplit(request(null, 'mc_gen', 4))
    expect(slice).toEqual({ dataset: 'mc_gen', cursorAfter: 4, fileCount: 3, definitions: [], description: 'mc_gen as is (3 files)' })
    expect(await handler.nextSplit(request('None', 'from_parent', null))).toMatchObject({ dataset: 'from_parent', fileCount: null, description: 'from_parent as is' })
    expect(await handler.nextSplit(request(null, "file_name gen_001.root", null))).toMatchObject({ fileCount: 1 })
  })

  it('draining gives the same definition every time and never ends', async () => {
    const { launches } = setup(gen(3))
    const { slices, exhausted } = await launches('draining', 'mc_gen', 5)
    expect(exhausted).toBeNull()
    expect(slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter])).toEqual(Array(5).fill(['mc_gen', 3, null]))
  })
})

describe('list and multiparam', () => {
  it('list launches each comma-separated item once; the cursor is the next index', async () => {
    const { launches } = setup([])
    const { slices, exhausted } = await launches('list', ' ds_a, ds_b,,ds_c ')
    expect(slices.map((s) => [s.dataset, s.cursorAfter, s.fileCount, s.definitions])).toEqual([
      ['ds_a', 1, null, []],
      ['ds_b', 2, null, []],
      ['ds_c', 3, null, []],
    ])
    expect(exhausted).toBe('No more splits in this campaign: all 3 list items have been launched.')
  })

  it('list resumes from a cursor', async () => {
    const { launches } = setup([])
    expect((await launches('list', 'a,b,c', 20, 2)).slices.map((s) => s.dataset)).toEqual(['c'])
  })

  it('multiparam walks every combination with the first list varying fastest', async () => {
    const { launches } = setup([])
    const { slices, exhausted } = await launches('multiparam', '[["a","b","c"],["x","y"]]')
    expect(slices.map((s) => s.dataset)).toEqual(['a_x', 'b_x', 'c_x', 'a_y', 'b_y', 'c_y'])
    expect(slices.map((s) => s.cursorAfter)).toEqual([1, 2, 3, 4, 5, 6])
    expect(exhausted).toMatch(/all 6 combinations/)
  })

  it('multiparam refuses a dataset that is not a JSON list of lists', async () => {
    const { handler } = setup([])
    await expect(handler.nextSplit(request('multiparam', 'a,b', null))).rejects.toBeInstanceOf(SplitSetupError)
    await expect(handler.nextSplit(request('multiparam', '[["a"],"b"]', null))).rejects.toThrow(/JSON list of non-empty lists/)
    await expect(handler.nextSplit(request('multiparam', '[["a"],[]]', null))).rejects.toThrow(/JSON list of non-empty lists/)
  })
})

describe('mod, nfiles and limitn', () => {
  it('mod(3) gives three stride slices <ds>_slice<k>_of_3 and then ends', async () => {
    const { launches, files } = setup(gen(10))
    const { slices, exhausted } = await launches('mod(3)')
    expect(slices.map((s) => s.definitions)).toEqual([0, 1, 2].map((k) => [{ name: `mc_gen_slice${k}_of_3`, dims: `defname:mc_gen with stride 3 offset ${k}` }]))
    expect(slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter])).toEqual([
      ['mc_gen_slice0_of_3', 4, 1],
      ['mc_gen_slice1_of_3', 3, 2],
      ['mc_gen_slice2_of_3', 3, 3],
    ])
    expect(await files('mc_gen_slice1_of_3')).toEqual(['gen_001.root', 'gen_004.root', 'gen_007.root'])
    expect(exhausted).toMatch(/all 3 slices/)
  })

  it('nfiles(4) gives <ds>_slice<k>_files4 = limit 4 offset 4k until a slice counts 0 files, which is not defined', async () => {
    const { launches, backend, files } = setup(gen(10))
    const { slices, exhausted } = await launches('nfiles(4)')
    expect(slices.map((s) => s.definitions)).toEqual([0, 1, 2].map((k) => [{ name: `mc_gen_slice${k}_files4`, dims: `defname:mc_gen with limit 4 offset ${4 * k}` }]))
    expect(slices.map((s) => [s.fileCount, s.cursorAfter, s.description])).toEqual([
      [4, 1, 'files 1–4 of mc_gen (4 files)'],
      [4, 2, 'files 5–8 of mc_gen (4 files)'],
      [2, 3, 'files 9–10 of mc_gen (2 files)'],
    ])
    expect(await files('mc_gen_slice2_files4')).toEqual(['gen_008.root', 'gen_009.root'])
    expect(exhausted).toBe('No more splits in this campaign: slice 3 (files from 13 on) of mc_gen has no files.')
    expect(backend.definitions().has('mc_gen_slice3_files4')).toBe(false)
  })

  it('nfiles_4 (POMS underscore form) is the same split', async () => {
    const { launches } = setup(gen(5))
    expect((await launches('nfiles_4')).slices.map((s) => s.dataset)).toEqual(['mc_gen_slice0_files4', 'mc_gen_slice1_files4'])
  })

  it('limitn(4) gives the same first 4 files every launch under a fresh uuid name, and leaves the cursor alone', async () => {
    const { launches, files } = setup(gen(10))
    const { slices, exhausted } = await launches('limitn(4)', 'mc_gen', 3)
    expect(exhausted).toBeNull()
    expect(slices.map((s) => [s.dataset, s.cursorAfter, s.fileCount])).toEqual([
      ['mc_gen_u1_limit4', null, 4],
      ['mc_gen_u2_limit4', null, 4],
      ['mc_gen_u3_limit4', null, 4],
    ])
    expect(slices[0]!.definitions).toEqual([{ name: 'mc_gen_u1_limit4', dims: 'defname:mc_gen with limit 4' }])
    expect(await files('mc_gen_u3_limit4')).toEqual(await files('mc_gen_u1_limit4'))
  })

  it('limitn ends only when the dataset is empty', async () => {
    const { launches } = setup([])
    expect((await launches('limitn(4)')).exhausted).toBe('No more splits in this campaign: mc_gen has no files.')
  })
})

describe('drainingn and stagedfiles: the accumulating snapshot of §4.2', () => {
  it('drainingn(4) takes at most 4 undelivered files per launch, merging each slice into a cumulative snapshot', async () => {
    const { launches, backend, files } = setup(gen(10))
    const { slices, exhausted } = await launches('drainingn(4)')
    const epoch = NOW / 1000
    expect(slices.map((s) => s.definitions)).toEqual([
      [{ name: 'mc_gen_slice_0_stage_4', dims: 'defname:mc_gen with limit 4' }],
      [
        { name: 'mc_gen_slice_7001_stage_4', dims: 'defname:mc_gen minus snapshot_id 7001 with limit 4' },
        { name: `mc_gen_full_7001_stage_4_${epoch}`, dims: 'snapshot_id 7001 or snapshot_id 7002' },
      ],
      [
        { name: 'mc_gen_slice_7003_stage_4', dims: 'defname:mc_gen minus snapshot_id 7003 with limit 4' },
        { name: `mc_gen_full_7003_stage_4_${epoch}`, dims: 'snapshot_id 7003 or snapshot_id 7004' },
      ],
    ])
    expect(slices[0]!.description).toBe('the next 4 files of mc_gen not yet delivered')
    // The cursor is the id of the snapshot of everything delivered so far.
    expect(slices.map((s) => [s.fileCount, s.cursorAfter])).toEqual([
      [4, 7001],
      [4, 7003],
      [2, 7005],
    ])
    expect(backend.snapshots().get(7005)).toEqual(gen(10).map((f) => f.name))
    // A slice subtracts the snapshot before it, not the one it joins, so its definition keeps its files.
    expect(await files('mc_gen_slice_7003_stage_4')).toEqual(['gen_008.root', 'gen_009.root'])
    expect(exhausted).toBe('No more splits in this campaign: every file of mc_gen has been delivered (snapshot 7005 holds them).')
  })

  it('drainingn of an empty dataset is exhausted at once', async () => {
    const { launches } = setup([])
    expect(await launches('drainingn(4)')).toEqual({ slices: [], exhausted: 'No more splits in this campaign: mc_gen has no files.' })
  })

  it('drainingn picks up files added to a growing dataset', async () => {
    const { backend, launches } = setup(gen(5))
    const first = await launches('drainingn(4)')
    expect(first.slices.map((s) => s.fileCount)).toEqual([4, 1])
    backend.declareFiles([{ name: 'gen_100.root' }, { name: 'gen_101.root' }])
    const later = await launches('drainingn(4)', 'mc_gen', 20, first.slices.at(-1)!.cursorAfter)
    expect(later.slices.map((s) => s.fileCount)).toEqual([2])
    expect(await backend.listFiles(`defname:${later.slices[0]!.dataset}`)).toEqual(['gen_100.root', 'gen_101.root'])
    expect(backend.snapshots().get(later.slices[0]!.cursorAfter!)).toHaveLength(7)
  })

  it('stagedfiles(2) delivers the files a prestaging project has consumed, 2 at a time', async () => {
    const { backend, launches } = setup(gen(6), { prestage_src: 'file_name gen_%' })
    await backend.startProject('prestage_p', 'prestage_src')
    for (const f of ['gen_000.root', 'gen_002.root', 'gen_003.root']) backend.setStatus('prestage_p', f, 'consumed')
    backend.setStatus('prestage_p', 'gen_001.root', 'delivered')
    const first = await launches('stagedfiles(2)', 'prestage_p')
    expect(first.slices.map((s) => s.definitions[0])).toEqual([
      { name: 'prestage_p_slice_0_stage_2', dims: 'project_name prestage_p and consumed_status consumed with limit 2' },
      { name: 'prestage_p_slice_7001_stage_2', dims: '(project_name prestage_p and consumed_status consumed) minus snapshot_id 7001 with limit 2' },
    ])
    expect(first.slices.map((s) => s.fileCount)).toEqual([2, 1])
    expect(first.exhausted).toMatch(/project prestage_p has staged no file beyond those in snapshot 7003/)
    backend.setStatus('prestage_p', 'gen_001.root', 'consumed')
    const later = await launches('stagedfiles(2)', 'prestage_p', 20, first.slices.at(-1)!.cursorAfter)
    expect(later.slices.map((s) => s.fileCount)).toEqual([1])
    expect(backend.snapshots().get(later.slices[0]!.cursorAfter!)).toEqual(['gen_000.root', 'gen_001.root', 'gen_002.root', 'gen_003.root'])
  })

  it('stagedfiles refuses a dataset that is a query rather than a project name', async () => {
    const { handler } = setup([])
    await expect(handler.nextSplit(request('stagedfiles(2)', 'defname:x', null))).rejects.toThrow(/name of the SAM project/)
  })
})

describe('byrun: the documented range, high included', () => {
  const runs = gen(6, (i) => ({ runs: [String(i)] })) // gen_00i holds run i

  it('byrun(low=2,high=4) launches runs 2, 3 and 4 (POMS stops at 3), one <ds>_<uuid>_run_<r> each', async () => {
    const { launches, files } = setup(runs)
    const { slices, exhausted } = await launches('byrun(low=2,high=4)')
    expect(slices.map((s) => s.definitions)).toEqual([
      [{ name: 'mc_gen_u1_run_2', dims: 'defname:mc_gen and run_number 2' }],
      [{ name: 'mc_gen_u2_run_3', dims: 'defname:mc_gen and run_number 3' }],
      [{ name: 'mc_gen_u3_run_4', dims: 'defname:mc_gen and run_number 4' }],
    ])
    expect(slices.map((s) => s.cursorAfter)).toEqual([3, 4, 5])
    expect(await files('mc_gen_u3_run_4')).toEqual(['gen_004.root'])
    expect(exhausted).toBe('No more splits in this campaign: runs 2 through 4 have all been launched.')
  })

  it('empty runs still take a launch, high included', async () => {
    const { launches } = setup(runs)
    expect((await launches('byrun(low=8,high=9)')).slices.map((s) => [s.dataset, s.fileCount])).toEqual([
      ['mc_gen_u1_run_8', 0],
      ['mc_gen_u2_run_9', 0],
    ])
  })

  it('says in its notes that high is processed, unlike POMS', () => {
    expect(resolveSplit('byrun(low=2,high=4)').notes.join('\n')).toMatch(/high included, as POMS documents.*POMS itself stops at high − 1/)
  })
})

describe('byexistingruns', () => {
  it('takes the first run of the next undelivered file, one run.subrun per launch, tracking delivery in snapshots', async () => {
    const files: MemoryFileSpec[] = [
      { name: 'gen_000.root', runs: ['12.1'] },
      { name: 'gen_001.root', runs: ['12.1', '13.2'] }, // in two runs: delivered with the first
      { name: 'gen_002.root', runs: ['13.2'] },
      { name: 'gen_003.root', runs: ['12.1'] },
      { name: 'gen_004.root', runs: [] },
    ]
    const { launches, backend } = setup(files)
    const { slices, exhausted } = await launches('byexistingruns()')
    expect(slices.map((s) => s.definitions[0])).toEqual([
      { name: 'mc_gen_slice_0_run_12.0001', dims: 'defname:mc_gen and run_number 12.0001' },
      { name: 'mc_gen_slice_7001_run_13.0002', dims: '(defname:mc_gen and run_number 13.0002) minus snapshot_id 7001' },
    ])
    expect(slices[1]!.definitions[1]).toEqual({ name: `mc_gen_full_7001_run_13.0002_${NOW / 1000}`, dims: 'snapshot_id 7001 or snapshot_id 7002' })
    expect(backend.snapshots().get(7001)).toEqual(['gen_000.root', 'gen_001.root', 'gen_003.root'])
    expect(slices.map((s) => s.fileCount)).toEqual([3, 1])
    expect(exhausted).toBe('No more splits in this campaign: gen_004.root, the next undelivered file of mc_gen, has no run in its metadata.')
  })

  it('ends when every file has been delivered', async () => {
    const { launches } = setup([{ name: 'gen_000.root', runs: ['5'] }])
    const { slices, exhausted } = await launches('byexistingruns()')
    expect(slices.map((s) => s.dataset)).toEqual(['mc_gen_slice_0_run_5'])
    expect(exhausted).toMatch(/every file of mc_gen has been delivered/)
  })
})

describe('new(): time windows', () => {
  const jan = (day: number, hour = 0) => Date.UTC(2026, 0, day, hour) / 1000
  const ended = gen(8, (i) => ({ endTime: (jan(1) + i * 12 * 3600 + 60) * 1000 })) // every 12 h from Jan 1 00:01

  it('catches up from firsttime in windows of one day until the boundary lasttime − fts − window', async () => {
    const { launches, files } = setup(ended)
    // boundary = Jan 4 06:00 − 1 h − 1 d = Jan 3 05:00: windows start Jan 1, 2 and 3; Jan 4 is past it.
    const { slices, exhausted } = await launches(`new(window=1d,fts=1h,firsttime=${jan(1)},lasttime=${jan(4, 6)})`)
    expect(slices.map((s) => s.definitions[0])).toEqual([1, 2, 3].map((d, i) => ({
      name: `mc_gen_u${i + 1}_time_${jan(d)}__${jan(d + 1)}`,
      dims: `defname:mc_gen and end_time > '2026-01-0${d}T00:00:00' and end_time <= '2026-01-0${d + 1}T00:00:00'`,
    })))
    expect(slices.map((s) => [s.cursorAfter, s.fileCount])).toEqual([
      [jan(2), 2],
      [jan(3), 2],
      [jan(4), 2],
    ])
    expect(await files(slices[0]!.dataset)).toEqual(['gen_000.root', 'gen_001.root'])
    expect(exhausted).toBe(
      'No more splits in this campaign: the next window would start at 2026-01-04T00:00:00, after the last complete window (2026-01-03T05:00:00 = lasttime − fts − window).',
    )
  })

  it('without a cursor or firsttime starts at the boundary, rounded down to round, and lasttime defaults to now', async () => {
    const { handler } = setup(ended)
    // now = Jan 10 12:00; boundary = now − 1800 s − 1 d = Jan 9 11:30, rounded to 1 h → Jan 9 11:00.
    const slice = await handler.nextSplit(request('new(window=1d,round=1h)', 'mc_gen', null))
    expect(slice.dataset).toBe(`mc_gen_u1_time_${jan(9, 11)}__${jan(10, 11)}`)
    expect(slice.cursorAfter).toBe(jan(10, 11))
    await expect(handler.nextSplit(request('new(window=1d,round=1h)', 'mc_gen', slice.cursorAfter))).rejects.toBeInstanceOf(SplitExhausted)
  })

  it('makes the window a multiple of round', async () => {
    const { handler } = setup(ended)
    const slice = await handler.nextSplit(request(`new(window=25h,round=1d,firsttime=${jan(1)},lasttime=${jan(9)})`, 'mc_gen', null))
    expect(slice.cursorAfter).toBe(jan(2))
  })

  it('checks a firsttime window against the boundary too', async () => {
    const { handler } = setup(ended)
    await expect(handler.nextSplit(request(`new(window=1d,firsttime=${jan(5)},lasttime=${jan(5)})`, 'mc_gen', null))).rejects.toThrow(/after the last complete window/)
  })

  it('localtime=1 and new_local write the same instants in local time with their offset', async () => {
    const { handler, files } = setup(ended)
    const spec = `window=1d,fts=1h,firsttime=${jan(1)},lasttime=${jan(4, 6)}`
    const local = await handler.nextSplit(request(`new(localtime=1,${spec})`, 'mc_gen', null))
    const newLocal = await handler.nextSplit(request(`new_local(${spec})`, 'mc_gen', null))
    const dims = "defname:mc_gen and end_time > '2025-12-31T18:00:00-0600' and end_time <= '2026-01-01T18:00:00-0600'"
    expect(local.definitions[0]!.dims).toBe(dims)
    expect(newLocal.definitions[0]!.dims).toBe(dims)
    expect(await files(local.dataset)).toEqual(['gen_000.root', 'gen_001.root'])
  })

  it('refuses a window shorter than round', async () => {
    const { handler } = setup(ended)
    await expect(handler.nextSplit(request('new(window=30m,round=1h)', 'mc_gen', null))).rejects.toThrow(/shorter than round/)
  })
})

describe('datasets that are queries, and names from outside', () => {
  it('slices a dimension-query dataset under poms_<stage> names', async () => {
    const { launches, files } = setup(gen(3))
    const { slices } = await launches('nfiles(2)', 'file_name gen_% minus file_name gen_001.root')
    expect(slices[0]!.definitions).toEqual([{ name: 'poms_reco_slice0_files2', dims: 'file_name gen_% minus file_name gen_001.root with limit 2 offset 0' }])
    expect(await files('poms_reco_slice0_files2')).toEqual(['gen_000.root', 'gen_002.root'])
  })

  it('quotes a definition name that reads like an operator, so the query still means that definition', async () => {
    const { handler, backend } = setup(gen(3), { minus: 'file_name gen_00%' })
    const slice = await handler.nextSplit(request('nfiles(2)', 'minus', null))
    expect(slice.definitions[0]!.dims).toBe("defname:'minus' with limit 2 offset 0")
    expect(await backend.listFiles(`defname:${slice.dataset}`)).toEqual(['gen_000.root', 'gen_001.root'])
  })

  it('reports a bad split spec as a setup error, not exhaustion', async () => {
    const { handler } = setup(gen(1))
    await expect(handler.nextSplit(request('nfiles(x)', 'mc_gen', null))).rejects.toThrow(SplitSetupError)
  })
})
