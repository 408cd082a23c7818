import { afterEach, describe, expect, it } from 'vitest'
import type { Submission } from '../../shared/domain/submission'
import { engineHarness, fakeClock, type EngineHarness } from '../helpers/engine-harness'
import { fakeDataHandler, type FakeData } from '../helpers/fake-data-handler'

const FILES = Array.from({ length: 10 }, (_, i) => `f${String(i + 1).padStart(2, '0')}`)
let h: EngineHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

let keys = 0
const launch = (harness: EngineHarness, stageId: string, over: { datasetOverride?: string | null; test?: boolean } = {}) =>
  harness.launches.launch(harness.alice, {
    experiment: harness.experiment,
    stageId,
    test: over.test ?? false,
    datasetOverride: over.datasetOverride ?? null,
    paramOverrides: [],
    idempotencyKey: `unit-key-${++keys}`,
    dryRun: false,
  })

/** gen (nfiles(4) over f01…f10, self-dependent, recovery plan consumed_status → pending_files) → merge. */
function genMerge(fake: FakeData, over: { holdMerge?: boolean } = {}) {
  const harness = engineHarness(fake.handler)
  fake.define('raw', FILES)
  const genJob = harness.jobType('genjob', {
    definitionParameters: [['-N ', '2']],
    recoveryPlan: [
      { type: 'consumed_status', paramOverrides: [['--fail=', '']] },
      { type: 'pending_files', paramOverrides: [] },
    ],
  })
  const mergeJob = harness.jobType('mergejob')
  const gen = harness.stage('gen', genJob.id, { dataset: 'raw', splitType: 'nfiles(4)' })
  const merge = harness.stage('merge', mergeJob.id, { dataset: 'from_parent' })
  const self = harness.depend(gen.id, gen.id, '%')
  const toMerge = harness.depend(gen.id, merge.id, '%.out')
  if (over.holdMerge) harness.deps.repos.stages.setHold(merge.id, { by: 'alice', role: 'production', at: 1 }, 1)
  return { harness, gen, merge, self, toMerge }
}

/** gen's first slice fails f01 and f02 (their jobs died); everything else is processed. */
const failFirstTwo = () => fakeDataHandler({ failures: (facts, files) => (facts.stageName === 'gen' && !facts.isRecovery && files.includes('f01') ? ['f01', 'f02'] : []) })

const recoveryCalls = (fake: FakeData) => fake.calls.filter((c) => c.method === 'recoveryDataset').map((c) => [c.submission, ...c.args])
const position = (harness: EngineHarness, id: string) => harness.deps.repos.submissions.engineState(id)!.recoveryPosition
const count = (harness: EngineHarness) => harness.deps.db.prepare('SELECT count(*) FROM submissions').pluck().get() as number

describe('wrap-up of a split campaign: completion, recovery, dependents', () => {
  it('carries gen → merge to the end: each recovery step is evaluated once, dependents wait for the recovery chain', async () => {
    const fake = failFirstTwo()
    const { harness, gen, merge, self, toMerge } = genMerge(fake)
    h = harness

    // A person launches the first split.
    const first = await launch(harness, gen.id)
    const s1 = first.submission!
    const snap1 = harness.deps.repos.submissions.getSnapshot(s1.id)!
    expect(snap1.launch).toMatchObject({ dataset: 'raw_slice0_files4', files: ['f01', 'f02', 'f03', 'f04'], splitCursorBefore: null, splitCursorAfter: 1 })
    expect(snap1.launch.split).toEqual({ spec: 'nfiles(4)', description: 'files 1–4 of raw', definitions: [{ name: 'raw_slice0_files4', dims: 'defname:raw with limit 4 offset 0' }], fileCount: 4 })
    expect(harness.deps.repos.stages.get(harness.experiment, gen.id)!.splitCursor).toBe(1)
    await harness.settle()
    expect(harness.deps.repos.submissions.engineState(s1.id)).toMatchObject({ project: `proj_${s1.shortId}`, projectEnv: { FAKE_PROJECT: `proj_${s1.shortId}` } })
    expect(harness.plans[0]!.env.FAKE_PROJECT).toBe(`proj_${s1.shortId}`)

    // s1 is Located; its plan's step 1 finds the two failed files: a recovery, and no dependents yet.
    const report1 = await harness.wrapup.run('engine')
    const [r1] = harness.submissionsOf(gen.id).slice(1)
    expect(r1).toBeDefined()
    expect(r1).toMatchObject({ parentSubmissionId: s1.id, dataset: `recover_${s1.shortId}_0`, creator: 'alice' })
    expect(harness.deps.repos.submissions.getSnapshot(r1!.id)!.launch).toMatchObject({ files: ['f01', 'f02'], launchParamOverrides: [['--fail=', '']], split: null })
    expect(harness.plans[1]!.env.POMS_PARENT_TASK_ID).toBe(s1.id)
    expect(report1).toEqual([
      expect.stringMatching(new RegExp(`^${s1.shortId} gen: Completed → Located: outputs located: 2 located`)),
      `${s1.shortId} gen: recovery step 1 of 2 (consumed_status): 2 files → launched ${r1!.shortId}`,
    ])
    expect(harness.submissionsOf(merge.id)).toEqual([])
    expect(position(harness, s1.id)).toBe(1)

    // r1 is Located: step 2 (not step 1 again) is evaluated against r1; nothing left, so s1's dependents go.
    await harness.settle()
    const report2 = await harness.wrapup.run('engine')
    const gens = harness.submissionsOf(gen.id)
    const s2 = gens[2]!
    const m1 = harness.submissionsOf(merge.id)[0]!
    expect(recoveryCalls(fake)).toEqual([
      [s1.shortId, 'consumed_status', 0, null],
      [r1!.shortId, 'pending_files', 1, s1.shortId],
    ])
    expect(position(harness, s1.id)).toBe(2)
    expect(s2).toMatchObject({ parentSubmissionId: null, dataset: 'raw_slice1_files4' })
    expect(m1).toMatchObject({ dataset: `depends_${s1.shortId}_1`, parentSubmissionId: null })
    expect(fake.files(m1.dataset)).toEqual(['f01.gen.out', 'f02.gen.out', 'f03.gen.out', 'f04.gen.out'])
    expect(report2.at(-1)).toBe(
      `${r1!.shortId} gen: recovery step 2 of 2 (pending_files): nothing to recover (pending_files: every file of proj_${r1!.shortId} was processed); ` +
        `next split of gen → launched ${s2.shortId}; dependent merge on 4 files → launched ${m1.shortId}`,
    )
    expect(harness.deps.repos.submissions.idForIdempotencyKey(harness.experiment, `dependent:${s1.id}:${self.id}`)).toBe(s2.id)
    expect(harness.deps.repos.submissions.idForIdempotencyKey(harness.experiment, `dependent:${s1.id}:${toMerge.id}`)).toBe(m1.id)

    // Drive the rest: s2 and s3 run clean, s3's self-dependency finds the split exhausted.
    for (let i = 0; i < 4; i++) {
      await harness.settle()
      await harness.wrapup.run('engine')
    }
    const all: Submission[] = [...harness.submissionsOf(gen.id), ...harness.submissionsOf(merge.id)]
    expect(all.map((s) => s.status)).toEqual(Array(all.length).fill('Located'))
    expect(harness.submissionsOf(gen.id).map((s) => s.dataset)).toEqual(['raw_slice0_files4', `recover_${s1.shortId}_0`, 'raw_slice1_files4', 'raw_slice2_files4'])
    expect(harness.submissionsOf(merge.id)).toHaveLength(3)
    expect(harness.deps.repos.stages.get(harness.experiment, gen.id)!.splitCursor).toBe(3)
    // Clean submissions walk their plan once too: every (submission, step) pair appears once.
    const pairs = recoveryCalls(fake).map(([sub, type]) => `${sub}:${type}`)
    expect(new Set(pairs).size).toBe(pairs.length)

    // Every submission's history, status by status.
    const s3 = harness.submissionsOf(gen.id)[3]!
    expect(harness.history(s1.id).map((c) => [c.status, c.actor, c.face])).toEqual([
      ['New', 'alice', 'cli'],
      ['Completed', 'engine', 'engine'],
      ['Located', 'engine', 'engine'],
      ['Located', 'engine', 'engine'],
    ])
    expect(harness.history(s1.id)[3]!.reason).toBe(`wrap-up: recovery step 1 of 2 (consumed_status): 2 files → launched ${r1!.shortId}`)
    expect(harness.history(r1!.id).map((c) => [c.status, c.actor, c.face])).toEqual([
      ['New', 'alice', 'engine'],
      ['Completed', 'engine', 'engine'],
      ['Located', 'engine', 'engine'],
      ['Located', 'engine', 'engine'],
    ])
    expect(harness.history(r1!.id)[0]!.reason).toBe(
      `recovery of ${s1.shortId}, step 1 of 2 (consumed_status): 2 files (consumed_status of proj_${s1.shortId}); after ${s1.shortId} was Located`,
    )
    expect(harness.history(s2.id)[0]!.reason).toBe(`next split of gen, after ${s1.shortId} was Located (self-dependency)`)
    expect(harness.history(m1.id)[0]!.reason).toBe(`dependent of ${s1.shortId} (gen → merge, %.out): 4 files`)
    expect(harness.statuses(m1.id)).toEqual(['New', 'Completed', 'Located'])
    expect(harness.history(s3.id).at(-1)!.reason).toMatch(/next split of gen → not launched: No more splits in this campaign\.; dependent merge on 2 files → launched s-/)
    // Nothing more to do: a further cycle reports nothing and launches nothing.
    const before = count(harness)
    expect(await harness.wrapup.run('engine')).toEqual([])
    expect(count(harness)).toBe(before)
  })

  it('resumes after a crash between a launch and recording it, without launching anything twice', async () => {
    const fake = failFirstTwo()
    const { harness, gen, merge } = genMerge(fake)
    h = harness
    const s1 = (await launch(harness, gen.id)).submission!
    await harness.settle()
    await harness.wrapup.run('engine')
    const r1 = harness.submissionsOf(gen.id)[1]!
    // The crash: the recovery was journaled, but neither the position nor the follow-up was recorded.
    harness.deps.db.prepare('UPDATE submissions SET followed_up_at = NULL, recovery_position = 0 WHERE id = ?').run(s1.id)
    const before = count(harness)
    const evaluated = recoveryCalls(fake).length
    const report = await harness.wrapup.run('engine')
    expect(report).toEqual([`${s1.shortId} gen: recovery step 1 of 2 (consumed_status) → ${r1.shortId} (launched before)`])
    expect(count(harness)).toBe(before)
    expect(recoveryCalls(fake)).toHaveLength(evaluated)
    expect(position(harness, s1.id)).toBe(1)

    // The same after the dependents were launched.
    await harness.settle()
    await harness.wrapup.run('engine')
    const s2 = harness.submissionsOf(gen.id)[2]!
    const m1 = harness.submissionsOf(merge.id)[0]!
    harness.deps.db.prepare('UPDATE submissions SET followed_up_at = NULL WHERE id = ?').run(r1.id)
    harness.deps.db.prepare('UPDATE submissions SET recovery_position = 1 WHERE id = ?').run(s1.id)
    const again = await harness.wrapup.run('engine')
    expect(again.at(-1)).toContain(`next split of gen → ${s2.shortId} (launched before); dependent merge → ${m1.shortId} (launched before)`)
    expect(harness.submissionsOf(gen.id)).toHaveLength(3)
    expect(harness.submissionsOf(merge.id)).toHaveLength(1)
  })

  it('a held downstream stage queues its dependent once; releasing it launches that request', async () => {
    const fake = fakeDataHandler()
    const { harness, gen, merge, toMerge } = genMerge(fake, { holdMerge: true })
    h = harness
    const s1 = (await launch(harness, gen.id)).submission!
    await harness.settle()
    const report = await harness.wrapup.run('engine')
    expect(report.at(-1)).toMatch(/dependent merge on 4 files → queued \(launches are held/)
    const queued = harness.deps.repos.heldLaunches.list(harness.experiment)
    expect(queued).toHaveLength(1)
    expect(queued[0]).toMatchObject({ stageId: merge.id, launcher: 'alice', datasetOverride: `depends_${s1.shortId}_1` })
    // Crash and retry: still one queued request.
    harness.deps.db.prepare('UPDATE submissions SET followed_up_at = NULL WHERE id = ?').run(s1.id)
    await harness.wrapup.run('engine')
    expect(harness.deps.repos.heldLaunches.list(harness.experiment)).toHaveLength(1)
    // Released, it launches under the request's own key, so a later retry finds it.
    harness.deps.repos.stages.setHold(merge.id, null, 2)
    const released = await harness.launches.releaseHeld(harness.alice, queued[0]!.id)
    expect(harness.deps.repos.submissions.idForIdempotencyKey(harness.experiment, `dependent:${s1.id}:${toMerge.id}`)).toBe(released.submission!.id)
    expect(harness.history(released.submission!.id)[0]!.reason).toBe(`dependent of ${s1.shortId} (gen → merge, %.out): 4 files`)
  })
})

describe('completion', () => {
  it('complete stages are Located at once, without asking the data handler', async () => {
    const fake = fakeDataHandler()
    h = engineHarness(fake.handler)
    fake.define('raw', FILES)
    const stage = h.stage('done', h.jobType('j').id, { dataset: 'raw', completionType: 'complete' })
    const sub = (await launch(h, stage.id)).submission!
    await h.settle()
    expect(await h.wrapup.run('engine')).toEqual([`${sub.shortId} done: Completed → Located: completion type complete: the jobs finishing is enough`])
    expect(fake.calls.filter((c) => c.method === 'located')).toEqual([])
  })

  it('checks a not-yet-located submission again after the recheck interval, and gives up after 2 days (no 4-day window)', async () => {
    const fake = fakeDataHandler()
    const clock = fakeClock()
    h = engineHarness(fake.handler, { clock, recheckMs: 60_000 })
    fake.define('raw', FILES)
    const stage = h.stage('slow', h.jobType('j').id, { dataset: 'raw' })
    const sub = (await launch(h, stage.id)).submission!
    await h.settle()
    fake.holdBack(sub.shortId)
    const located = () => fake.calls.filter((c) => c.method === 'located').length
    const waiting = `${sub.shortId} slow: not located yet: 10 located, threshold 9.5 (95%); fake project proj_${sub.shortId}; checked again every 60 s`
    // Said once when it starts waiting, not on every recheck.
    expect(await h.wrapup.run('engine')).toEqual([waiting])
    expect(located()).toBe(1)
    clock.advance(30_000)
    await h.wrapup.run('engine')
    expect(located()).toBe(1)
    // A person's wrap-up run asks now, and says why it waits.
    expect(await h.wrapup.run('manual')).toEqual([waiting])
    clock.advance(60_000)
    expect(await h.wrapup.run('engine')).toEqual([])
    expect(located()).toBe(3)
    expect(h.deps.repos.submissions.statusOf(sub.id)).toBe('Completed')
    // Five days on it is still checked (POMS stopped looking after 4), and the 2-day rule settles it.
    clock.advance(5 * 24 * 3600_000)
    expect(await h.wrapup.run('engine')).toEqual([`${sub.shortId} slow: Completed → Located: gave up waiting for outputs: launched more than 2 days ago (POMS's rule)`])
  })

  it('a person kicking a submission to Located triggers its follow-ups once', async () => {
    const fake = fakeDataHandler()
    const { harness, gen, merge } = genMerge(fake)
    h = harness
    const s1 = (await launch(harness, gen.id)).submission!
    await harness.settle()
    fake.holdBack(s1.shortId)
    await harness.wrapup.run('engine')
    harness.submissions.setStatus(harness.alice, s1.id, 'Located', 'outputs checked by hand')
    await harness.wrapup.run('engine')
    expect(harness.submissionsOf(merge.id)).toHaveLength(1)
    expect(harness.submissionsOf(gen.id)).toHaveLength(2)
    await harness.wrapup.run('manual')
    expect(harness.submissionsOf(merge.id)).toHaveLength(1)
  })
})

describe('approval stages', () => {
  function approvalCampaign() {
    const fake = fakeDataHandler()
    const harness = engineHarness(fake.handler)
    fake.define('raw', FILES)
    const job = harness.jobType('j', { recoveryPlan: [{ type: 'consumed_status', paramOverrides: [] }] })
    const approve = harness.stage('approve', job.id, { dataset: 'raw', stageType: 'approval', completionType: 'complete' })
    const proc = harness.stage('proc', job.id, { dataset: 'from_parent' })
    harness.depend(approve.id, proc.id, '%')
    return { fake, harness, approve, proc }
  }

  it('nothing runs until a person approves; then it is Located and its dependent gets the input dataset', async () => {
    const { fake, harness, approve, proc } = approvalCampaign()
    h = harness
    const result = await launch(harness, approve.id)
    expect(result.submission).toMatchObject({ status: 'Awaiting Approval', launchState: 'awaiting' })
    const sub = result.submission!
    expect(harness.plans).toEqual([])
    expect(fake.calls.some((c) => c.method === 'beginProject')).toBe(false)
    await harness.settle()
    expect(await harness.wrapup.run('engine')).toEqual([])
    expect(harness.submissionsOf(proc.id)).toEqual([])

    const approved = harness.submissions.decide(harness.alice, sub.id, 'approve', null)
    expect(approved.status).toBe('Completed')
    const report = await harness.wrapup.run('engine')
    const child = harness.submissionsOf(proc.id)[0]!
    expect(report).toEqual([
      `${sub.shortId} approve: Completed → Located: approved; an approval stage has no outputs to locate`,
      `${sub.shortId} approve: dependent proc on 10 files → launched ${child.shortId}`,
    ])
    expect(fake.calls.find((c) => c.method === 'dependencyDataset')!.args).toEqual(['%', 1, 'approval'])
    expect(fake.files(child.dataset)).toEqual(FILES)
    expect(fake.calls.some((c) => c.method === 'recoveryDataset')).toBe(false)
    expect(harness.history(sub.id).map((c) => [c.status, c.actor])).toEqual([
      ['New', 'alice'],
      ['Awaiting Approval', 'alice'],
      ['Completed', 'alice'],
      ['Located', 'engine'],
      ['Located', 'engine'],
    ])
    expect(harness.history(sub.id)[2]!.reason).toBe('approved by alice')
  })

  it('a data-transfer stage runs like any other and passes its input dataset on to its dependents', async () => {
    const fake = fakeDataHandler()
    h = engineHarness(fake.handler)
    fake.define('raw', FILES)
    const job = h.jobType('j')
    const transfer = h.stage('transfer', job.id, { dataset: 'raw', stageType: 'datatransfer' })
    const proc = h.stage('proc', job.id, { dataset: 'from_parent' })
    h.depend(transfer.id, proc.id, '%')
    const sub = (await launch(h, transfer.id)).submission!
    await h.settle()
    expect(h.plans.map((p) => p.id)).toEqual([sub.id])
    await h.wrapup.run('engine')
    const child = h.submissionsOf(proc.id)[0]!
    expect(fake.calls.find((c) => c.method === 'dependencyDataset')!.args).toEqual(['%', 1, 'datatransfer'])
    expect(fake.files(child.dataset)).toEqual(FILES)
  })

  it('reject removes it; approving something not awaiting approval is refused', async () => {
    const { harness, approve, proc } = approvalCampaign()
    h = harness
    const sub = (await launch(harness, approve.id)).submission!
    expect(harness.submissions.decide(harness.alice, sub.id, 'reject', 'wrong calibration').status).toBe('Removed')
    expect(harness.history(sub.id).at(-1)!.reason).toBe('rejected by alice: wrong calibration')
    expect(() => harness.submissions.decide(harness.alice, sub.id, 'approve', null)).toThrow(/is Removed, not Awaiting Approval/)
    await harness.wrapup.run('engine')
    expect(harness.submissionsOf(proc.id)).toEqual([])
  })
})
