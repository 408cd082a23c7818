import { afterEach, describe, expect, it } from 'vitest'
import { createCampaignPlanner } from '../../electron/core/services/campaign-plan'
import { engineHarness, type EngineHarness } from '../helpers/engine-harness'
import { fakeDataHandler } from '../helpers/fake-data-handler'

const FILES = Array.from({ length: 10 }, (_, i) => `f${String(i + 1).padStart(2, '0')}`)
let h: EngineHarness | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

describe('the campaign plan (campaigns:plan)', () => {
  function campaign(failures: (files: readonly string[]) => string[] = () => []) {
    const fake = fakeDataHandler({ failures: (facts, files) => (facts.stageName === 'gen' && !facts.isRecovery ? failures(files) : []) })
    const harness = engineHarness(fake.handler)
    h = harness
    fake.define('raw', FILES)
    const job = harness.jobType('j', { recoveryPlan: [{ type: 'consumed_status', paramOverrides: [] }] })
    const gen = harness.stage('gen', job.id, { dataset: 'raw', splitType: 'nfiles(4)' })
    const check = harness.stage('check', job.id, { dataset: 'from_parent', stageType: 'approval', completionType: 'complete' })
    const reco = harness.stage('reco', job.id, { dataset: 'from_parent' })
    harness.depend(gen.id, gen.id, '%')
    harness.depend(gen.id, check.id, '%.out')
    harness.depend(check.id, reco.id, '%')
    const planner = createCampaignPlanner(harness.deps, harness.dataHandlers)
    return { fake, harness, gen, planner }
  }

  it('lists each slice of the leading stage with the dependents it feeds, and says why; nothing changes', async () => {
    const { harness, gen, planner, fake } = campaign()
    const plan = await planner.plan(harness.alice, harness.campaign.id, 10)
    expect(plan.steps.map((s) => [s.order, s.stageName, s.kind, s.dataset, s.fileCount])).toEqual([
      [1, 'gen', 'split', 'raw_slice0_files4', 4],
      [2, 'check', 'approval', 'outputs of gen slice 1 matching %.out', null],
      [3, 'reco', 'dependent', 'the input of check on outputs of gen slice 1 matching %.out, passed on unchanged', null],
      [4, 'gen', 'split', 'raw_slice1_files4', 4],
      [5, 'check', 'approval', 'outputs of gen slice 2 matching %.out', null],
      [6, 'reco', 'dependent', 'the input of check on outputs of gen slice 2 matching %.out, passed on unchanged', null],
      [7, 'gen', 'split', 'raw_slice2_files4', 2],
      [8, 'check', 'approval', 'outputs of gen slice 3 matching %.out', null],
      [9, 'reco', 'dependent', 'the input of check on outputs of gen slice 3 matching %.out, passed on unchanged', null],
    ])
    expect(plan.steps[0]!.why).toBe('the next launch of gen (a leading stage: no other stage feeds it): slice 1 of nfiles(4), files 1–4 of raw')
    expect(plan.steps[3]!.why).toMatch(/^launched by gen itself when its previous submission is Located and has no recovery pending \(self-dependency\)/)
    expect(plan.steps[6]!.why).toMatch(/after this slice the split is exhausted$/)
    expect(plan.steps[1]!.why).toMatch(/an approval stage runs nothing and waits in Awaiting Approval for a person$/)
    expect(harness.deps.repos.stages.get('demo', gen.id)!.splitCursor).toBeNull()
    expect(fake.calls.filter((c) => c.method === 'nextSplit')).toEqual([])
  })

  it('expects recoveries from the stage\'s history: the average share of files its recent submissions left unprocessed', async () => {
    const { harness, gen, planner } = campaign((files) => files.slice(0, 1))
    await harness.launches.launch(harness.alice, { experiment: 'demo', stageId: gen.id, test: false, datasetOverride: null, paramOverrides: [], idempotencyKey: 'plan-history-1', dryRun: false })
    await harness.settle()
    const [first] = harness.submissionsOf(gen.id)
    const plan = await planner.plan(harness.alice, harness.campaign.id, 2)
    const recoveries = plan.steps.filter((s) => s.kind === 'recovery' && s.stageName === 'gen')
    expect(recoveries.map((s) => [s.dataset, s.fileCount])).toEqual([
      ['consumed_status recovery of gen slice 1', 1],
      ['consumed_status recovery of gen slice 2', 1],
    ])
    expect(recoveries[0]!.why).toBe(
      `expected from history: on average 25% of the input of gen's last 1 submission (${first!.shortId}) was not processed, so step 1 of its recovery plan (consumed_status) would likely relaunch about 1 of 4 files once it is Located; its dependents wait until the recoveries are done`,
    )
    // The plan starts where the split stands now: slice 2 onwards.
    expect(plan.steps.filter((s) => s.kind === 'split').map((s) => s.dataset)).toEqual(['raw_slice1_files4', 'raw_slice2_files4'])
  })
})
