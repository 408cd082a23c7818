import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { createRecoveryService } from '../../electron/core/services/recovery-service'
import { createSplitService } from '../../electron/core/services/split-service'
import { engineHarness, type EngineHarness } from '../helpers/engine-harness'
import { fakeDataHandler, type FakeData } from '../helpers/fake-data-handler'

const FILES = Array.from({ length: 10 }, (_, i) => `f${String(i + 1).padStart(2, '0')}`)
let h: EngineHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

let keys = 0
function setup(fake: FakeData = fakeDataHandler()) {
  const harness = engineHarness(fake.handler)
  h = harness
  fake.define('raw', FILES)
  const job = harness.jobType('j', { recoveryPlan: [{ type: 'consumed_status', paramOverrides: [['--again=', '1']] }] })
  const stage = harness.stage('gen', job.id, { dataset: 'raw', splitType: 'nfiles(4)' })
  const launch = (over: { datasetOverride?: string | null; dryRun?: boolean } = {}) =>
    harness.launches.launch(harness.alice, { experiment: 'demo', stageId: stage.id, test: false, datasetOverride: over.datasetOverride ?? null, paramOverrides: [], idempotencyKey: `k-${++keys}`, dryRun: over.dryRun ?? false })
  return { harness, fake, stage, launch, splits: createSplitService(harness.deps, harness.dataHandlers), recovery: createRecoveryService(harness.deps, harness.dataHandlers, () => harness.launches) }
}
const cursor = (harness: EngineHarness, stageId: string) => harness.deps.repos.stages.get('demo', stageId)!.splitCursor

async function refusal(fn: () => unknown): Promise<AppError> {
  try {
    await fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected a refusal')
}

describe('taking splits at launch', () => {
  it('concurrent launches of one stage take distinct slices; the exhausted split says so and moves nothing', async () => {
    const { harness, stage, launch } = setup()
    const results = await Promise.all([launch(), launch(), launch()])
    expect(results.map((r) => r.submission!.dataset).sort()).toEqual(['raw_slice0_files4', 'raw_slice1_files4', 'raw_slice2_files4'])
    expect(cursor(harness, stage.id)).toBe(3)
    const err = await refusal(() => launch())
    expect(err).toMatchObject({ code: 'BAD_INPUT', message: 'No more splits in this campaign.' })
    expect(cursor(harness, stage.id)).toBe(3)
    expect(harness.submissionsOf(stage.id)).toHaveLength(3)
  })

  it('a dry run shows the next slice and its files, and takes nothing', async () => {
    const { harness, fake, stage, launch } = setup()
    const dry = await launch({ dryRun: true })
    expect(dry.preview).toMatchObject({ dataset: 'raw_slice0_files4', files: ['f01', 'f02', 'f03', 'f04'], problem: null })
    expect(fake.calls.filter((c) => c.method === 'nextSplit')).toEqual([])
    expect(cursor(harness, stage.id)).toBeNull()
    expect(harness.submissionsOf(stage.id)).toEqual([])
  })

  it('a dataset override takes no slice', async () => {
    const { harness, fake, stage, launch } = setup()
    fake.define('mine', ['x1'])
    const sub = (await launch({ datasetOverride: 'mine' })).submission!
    expect(harness.deps.repos.submissions.getSnapshot(sub.id)!.launch).toMatchObject({ dataset: 'mine', files: ['x1'], split: null, splitCursorBefore: null, splitCursorAfter: null })
    expect(cursor(harness, stage.id)).toBeNull()
  })
})

describe('the split simulator and the cursor editor', () => {
  it('previews the next launches with their first files and where the split ends, changing nothing', async () => {
    const { harness, fake, stage, splits } = setup()
    const preview = await splits.preview(harness.alice, { stageId: stage.id, count: 10, test: false, filesPerSlice: 2 })
    expect(preview).toMatchObject({ stageId: stage.id, splitType: 'nfiles(4)', cursor: null, exhaustedAfter: 3 })
    expect(preview.slices.map((s) => [s.dataset, s.fileCount, s.cursorAfter, s.files])).toEqual([
      ['raw_slice0_files4', 4, 1, ['f01', 'f02']],
      ['raw_slice1_files4', 4, 2, ['f05', 'f06']],
      ['raw_slice2_files4', 2, 3, ['f09', 'f10']],
    ])
    expect(preview.notes).toContain('the split is exhausted after 3 more launches; the next one fails with "No more splits in this campaign."')
    expect(fake.calls.filter((c) => c.method === 'nextSplit')).toEqual([])
    expect(cursor(harness, stage.id)).toBeNull()
  })

  it('a stage without a split previews its dataset as written, every time', async () => {
    const { harness, fake, splits } = setup()
    fake.define('whole', ['a', 'b'])
    const plain = harness.stage('plain', harness.jobType('j2').id, { dataset: 'whole' })
    const preview = await splits.preview(harness.alice, { stageId: plain.id, count: 5, test: false, filesPerSlice: 5 })
    expect(preview.slices).toEqual([{ dataset: 'whole', cursorAfter: null, fileCount: null, definitions: [], description: 'no split type: every launch gets the dataset as written', files: ['a', 'b'] }])
    expect(preview.notes).toContain('without a split type every launch gets this same dataset; the stage never runs out')
  })

  it('restores the cursor a submission left (not its snapshot id, as POMS stores), so the next launch repeats the slice after it', async () => {
    const { harness, stage, launch, splits } = setup()
    const s1 = (await launch()).submission!
    await launch()
    expect(cursor(harness, stage.id)).toBe(2)
    const restored = splits.setCursor(harness.alice, stage.id, { fromSubmissionId: s1.shortId })
    expect(restored.splitCursor).toBe(1)
    expect((await launch()).submission!.dataset).toBe('raw_slice1_files4')
    const audit = harness.deps.repos.audit.list('demo', { entityId: stage.id, cursor: null, limit: 5 }).items
    expect(audit.map((a) => a.summary)).toContain(`restored the split to after ${s1.shortId}: split cursor of gen 2 → 1`)
    expect(harness.emitted.filter((e) => e.name === 'stages:changed').length).toBeGreaterThan(0)
  })

  it('refuses a submission that took no slice, or one of another split or stage; typed values and reset work', async () => {
    const { harness, fake, stage, launch, splits } = setup()
    fake.define('mine', ['x1'])
    const override = (await launch({ datasetOverride: 'mine' })).submission!
    expect((await refusal(() => splits.setCursor(harness.alice, stage.id, { fromSubmissionId: override.id }))).message).toMatch(/took no slice of the split/)
    const s1 = (await launch()).submission!
    const other = harness.stage('other', harness.jobType('j3').id, { dataset: 'raw', splitType: 'nfiles(4)' })
    expect((await refusal(() => splits.setCursor(harness.alice, other.id, { fromSubmissionId: s1.id }))).message).toMatch(/is of stage gen, not other/)
    const current = harness.deps.repos.stages.get('demo', stage.id)!
    harness.config.stages.update(harness.alice, stage.id, current.rev, { ...current, splitType: 'nfiles(5)' } as never)
    expect((await refusal(() => splits.setCursor(harness.alice, stage.id, { fromSubmissionId: s1.id }))).message).toMatch(/took a slice of nfiles\(4\), but the stage now splits by nfiles\(5\)/)
    expect(splits.setCursor(harness.alice, stage.id, { cursor: 7 }).splitCursor).toBe(7)
    expect(splits.reset(harness.alice, stage.id).splitCursor).toBeNull()
    const ana = harness.actor('ana', 'analysis')
    expect((await refusal(() => splits.reset(ana, stage.id))).code).toBe('FORBIDDEN')
  })
})

describe('recovery preview and manual recovery', () => {
  const failing = () => fakeDataHandler({ failures: (facts, files) => (facts.isRecovery ? [] : files.filter((f) => f === 'f01' || f === 'f02')) })

  it('previews the plan\'s next step or a chosen type, and launches a manual recovery without moving the plan', async () => {
    const { harness, fake, stage, launch, recovery } = setup(failing())
    const s1 = (await launch()).submission!
    const early = await refusal(() => recovery.recover(harness.alice, s1.id, undefined, 'manual-1'))
    expect(early.message).toMatch(/is New; recoveries are launched once it is Completed, Located, Failed/)
    await harness.settle()
    fake.holdBack(s1.shortId)
    await harness.wrapup.run('engine')

    const next = await recovery.preview(harness.alice, s1.id)
    expect(next).toEqual({ submissionId: s1.id, type: 'consumed_status', position: 0, dataset: `recover_${s1.shortId}_0`, count: 2, files: ['f01', 'f02'], detail: `consumed_status of proj_${s1.shortId}` })
    const chosen = await recovery.preview(harness.alice, s1.id, 'pending_files')
    expect(chosen).toMatchObject({ type: 'pending_files', position: null, count: 2 })
    expect(harness.submissionsOf(stage.id)).toHaveLength(1)

    const launched = await recovery.recover(harness.alice, s1.id, undefined, 'manual-1')
    const r = launched.submission!
    expect(r).toMatchObject({ parentSubmissionId: s1.id, dataset: `recover_${s1.shortId}_0`, creator: 'alice' })
    expect(harness.deps.repos.submissions.getSnapshot(r.id)!.launch.launchParamOverrides).toEqual([['--again=', '1']])
    expect(harness.history(r.id)[0]!.reason).toBe(`manual recovery of ${s1.shortId} (consumed_status) by alice: 2 files (consumed_status of proj_${s1.shortId}); the plan's position stays at 0`)
    expect(harness.deps.repos.submissions.engineState(s1.id)!.recoveryPosition).toBe(0)
    expect((await recovery.recover(harness.alice, s1.id, undefined, 'manual-1')).replayed).toBe(true)
    // The automatic walk still evaluates step 1 when s1 is Located (POMS would have skipped it).
    fake.holdBack(s1.shortId, false)
    await harness.settle()
    await harness.wrapup.run('manual')
    expect(harness.deps.repos.submissions.engineState(s1.id)!.recoveryPosition).toBe(1)
    expect(harness.deps.repos.submissions.idForIdempotencyKey('demo', `recovery:${s1.id}:0`)).not.toBeNull()
  })

  it('nothing to recover is refused as POMS words it; file accounting comes from the data handler', async () => {
    const { harness, launch, recovery } = setup()
    const s1 = (await launch()).submission!
    await harness.settle()
    expect((await refusal(() => recovery.recover(harness.alice, s1.id, 'consumed_status', 'manual-2'))).message).toMatch(/^No recovery needed, launch skipped/)
    expect(await recovery.files(harness.alice, s1.id)).toEqual({ submitted: 4, delivered: 4, consumed: 4, failed: 0, skipped: 0, unknown: 0, outputs: 4, project: `proj_${s1.shortId}` })
  })
})
