import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventName } from '../../shared/api/channels'
import type { ImportResult } from '../../shared/campaign-file/import-report'
import { AppError } from '../../shared/errors'
import { miniCampaignIni, startCore, tableCounts, withoutIds, type CoreHarness } from '../helpers/core-harness'

const EXP = 'demo'

let h: CoreHarness
const events: EventName[] = []
beforeEach(async () => {
  h = await startCore()
  h.core.onEvent((name) => void events.push(name))
  events.length = 0
})
afterEach(() => h.stop())

const importFiles = async (files: { name: string; text: string }[], dryRun = false) =>
  (await h.call('campaigns:import', { experiment: EXP, files, dryRun })).results
const campaignByName = async (name: string) => (await h.call('campaigns:list', { experiment: EXP, filter: { name } })).items.find((c) => c.name === name) ?? null
const draftDocument = async (campaignId: string) => (await h.call('drafts:get', { experiment: EXP, campaignId })).document

describe('campaigns:import', () => {
  it('imports a file into a campaign and reports exactly what it created', async () => {
    const [result] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    const campaign = await campaignByName('mini')
    expect(result).toEqual<ImportResult>({
      file: 'mini.ini',
      accepted: true,
      dryRun: false,
      campaign: 'mini',
      campaignId: campaign!.id,
      stages: ['gen', 'reco'],
      dependencies: ['gen → reco'],
      created: { campaigns: ['mini'], stages: ['gen', 'reco'], dependencies: ['gen → reco'], jobTypes: ['mini_jt'], loginSetups: ['mini_login'] },
      reused: { campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] },
      ignored: expect.arrayContaining([expect.objectContaining({ what: '[campaign] experiment = dune', line: 2 })]),
      warnings: [],
      errors: [],
    })
    const doc = await draftDocument(campaign!.id)
    expect(doc.stages.map((s) => [s.name, s.jobType, s.loginSetup, s.dataset])).toEqual([
      ['gen', 'mini_jt', 'mini_login', 'raw_files'],
      ['reco', 'mini_jt', 'mini_login', 'from_parent'],
    ])
    const [revision] = await h.call('revisions:list', { experiment: EXP, campaignId: campaign!.id })
    expect(revision).toMatchObject({ revision: 1, summary: 'imported from mini.ini', face: 'cli' })
    for (const name of ['jobTypes:changed', 'loginSetups:changed', 'campaigns:changed', 'stages:changed', 'dependencies:changed', 'revisions:changed'] as const) {
      expect(events).toContain(name)
    }
  })

  it('writes NOTHING of a file whose second stage refers to a missing login setup, and says where', async () => {
    const before = tableCounts(h.core.deps.db)
    const [result] = await importFiles([{ name: 'broken.ini', text: miniCampaignIni({ recoLogin: 'nowhere_login' }) }])
    expect(result!.accepted).toBe(false)
    expect(result!.campaignId).toBeNull()
    expect(result!.errors).toEqual([
      {
        code: 'MISSING_LOGIN_SETUP',
        message: `login setup nowhere_login is neither defined in the file nor in experiment ${EXP}`,
        line: 27,
        column: 15,
        section: 'campaign_stage reco',
        key: 'login_setup',
        path: 'stages.1.loginSetup',
      },
    ])
    expect(result!.created).toEqual({ campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] })
    expect(tableCounts(h.core.deps.db)).toEqual(before)
    expect(events).toEqual([])
  })

  it('takes a login setup the file does not define from the experiment, when it is there', async () => {
    const [result] = await importFiles([{ name: 'uses-local.ini', text: miniCampaignIni({ recoLogin: 'local' }) }])
    expect(result!.accepted).toBe(true)
    expect(result!.reused.loginSetups).toEqual(['local'])
    expect(result!.warnings.map((w) => w.code)).toEqual(['undefined-login-setup'])
  })

  it('drops a default job type that exists nowhere and that no stage uses, saying so at its line', async () => {
    const text = miniCampaignIni().replace('job_type = mini_jt\nstage_type', 'job_type = legacy_jt\nstage_type').replace('[campaign_stage gen]\n', '[campaign_stage gen]\njob_type = mini_jt\n').replace('[campaign_stage reco]\n', '[campaign_stage reco]\njob_type = mini_jt\n')
    const [result] = await importFiles([{ name: 'legacy.ini', text }])
    expect(result!.accepted).toBe(true)
    expect(result!.warnings).toEqual([
      expect.objectContaining({ code: 'DEFAULT_JOB_TYPE_DROPPED', line: 18, column: 12, path: 'defaults.jobType', key: 'job_type', section: 'campaign_defaults' }),
    ])
    const doc = await draftDocument(result!.campaignId!)
    expect(doc.defaults.jobType).toBeUndefined()
    expect(doc.stages.map((s) => s.jobType)).toEqual(['mini_jt', 'mini_jt'])
  })

  it('treats each file on its own: a refused file does not stop the others', async () => {
    const results = await importFiles([
      { name: 'a.ini', text: miniCampaignIni({ name: 'a' }) },
      { name: 'bad.ini', text: '[campaign]\nname = x\n[campaign_stage s\n' },
      { name: 'b.ini', text: miniCampaignIni({ name: 'b' }) },
    ])
    expect(results.map((r) => [r.file, r.accepted])).toEqual([
      ['a.ini', true],
      ['bad.ini', false],
      ['b.ini', true],
    ])
    expect(results[1]!.errors[0]!.line).toBe(3)
    // b reuses what a created.
    expect(results[2]!.reused.jobTypes).toEqual(['mini_jt'])
    expect(await campaignByName('a')).not.toBeNull()
    expect(await campaignByName('b')).not.toBeNull()
  })

  it('re-importing the same file updates the same campaign, changing nothing', async () => {
    const [first] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    const before = tableCounts(h.core.deps.db)
    const [again] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    expect(again!.campaignId).toBe(first!.campaignId)
    expect(again!.created).toEqual({ campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] })
    expect(again!.reused).toEqual({ campaigns: ['mini'], stages: ['gen', 'reco'], dependencies: ['gen → reco'], jobTypes: ['mini_jt'], loginSetups: ['mini_login'] })
    // Same configuration: no new rows at all, not even a revision.
    expect(tableCounts(h.core.deps.db)).toEqual(before)
  })

  it('re-importing a changed file updates in place: new stage created, job type kept with a warning, a new revision', async () => {
    const [first] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    const stageIds = (await draftDocument(first!.campaignId!)).stages.map((s) => s.id)
    const [again] = await importFiles([{ name: 'mini-v2.ini', text: miniCampaignIni({ extraStage: true, launchScript: 'fife_launch -c other.cfg' }) }])
    expect(again!.campaignId).toBe(first!.campaignId)
    expect(again!.created.stages).toEqual(['ana'])
    expect(again!.warnings).toEqual([expect.objectContaining({ code: 'EXISTING_JOB_TYPE_KEPT', line: 36, section: 'job_type mini_jt' })])
    const jobType = (await h.call('jobTypes:list', { experiment: EXP, filter: { name: 'mini_jt' } })).items[0]!
    expect(jobType.launchScript).toBe('fife_launch -c mini.cfg')
    const doc = await draftDocument(first!.campaignId!)
    expect(doc.stages.map((s) => s.id).slice(0, 2)).toEqual(stageIds)
    const history = await h.call('revisions:list', { experiment: EXP, campaignId: first!.campaignId! })
    expect(history.map((r) => r.summary)).toEqual(['imported from mini-v2.ini', 'imported from mini.ini'])
  })

  it('a dry run writes nothing and reports the same as the real run', async () => {
    const files = [
      { name: 'a.ini', text: miniCampaignIni({ name: 'a' }) },
      { name: 'b.ini', text: miniCampaignIni({ name: 'b', launchScript: 'fife_launch -c b.cfg' }) },
    ]
    const before = tableCounts(h.core.deps.db)
    const dry = await importFiles(files, true)
    expect(tableCounts(h.core.deps.db)).toEqual(before)
    expect(events).toEqual([])
    expect(dry.every((r) => r.dryRun && r.accepted && r.campaignId === null)).toBe(true)

    const real = await importFiles(files)
    const report = (r: ImportResult) => ({ ...r, dryRun: undefined, campaignId: undefined })
    expect(dry.map(report)).toEqual(real.map(report))
    // Within one dry run, later files see what earlier ones would create.
    expect(dry[1]!.reused.jobTypes).toEqual(['mini_jt'])
    expect(dry[1]!.warnings.map((w) => w.code)).toEqual(['EXISTING_JOB_TYPE_KEPT'])
  })

  it('an analysis user cannot re-upload a production campaign; the file is refused, nothing written', async () => {
    await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    h.core.deps.repos.experiments.insertUser({ username: 'ana', displayName: 'ana', root: false }, 1)
    h.core.deps.repos.experiments.setMembership(EXP, 'ana', 'analysis', 1)
    const before = tableCounts(h.core.deps.db)
    const { results } = await h.call('campaigns:import', { experiment: EXP, files: [{ name: 'mini.ini', text: miniCampaignIni({ extraStage: true }) }] }, { username: 'ana', face: 'web' })
    expect(results[0]).toMatchObject({ accepted: false, errors: [expect.objectContaining({ code: 'FORBIDDEN' })] })
    expect(tableCounts(h.core.deps.db)).toEqual(before)
  })
})

describe('campaigns:export', () => {
  it('exports a campaign to a file that imports back to the same document', async () => {
    const [imported] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    const before = await draftDocument(imported!.campaignId!)
    const exported = await h.call('campaigns:export', { experiment: EXP, id: imported!.campaignId! })
    expect(exported.fileName).toBe('mini.ini')
    expect(exported.text).toContain('[campaign_stage reco]')
    expect(exported.text).toMatch(/^poms_role = production$/m)

    const [again] = await importFiles([{ name: exported.fileName, text: exported.text }])
    expect(again).toMatchObject({ accepted: true, campaignId: imported!.campaignId, created: { stages: [], jobTypes: [] } })
    expect(await draftDocument(imported!.campaignId!)).toEqual(before)
  })

  it('exports an older revision and sanitises the file name', async () => {
    const [imported] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni({ name: 'mc 2024/v1 (test)' }) }])
    await importFiles([{ name: 'mini.ini', text: miniCampaignIni({ name: 'mc 2024/v1 (test)', extraStage: true }) }])
    const current = await h.call('campaigns:export', { experiment: EXP, id: imported!.campaignId! })
    const first = await h.call('campaigns:export', { experiment: EXP, id: imported!.campaignId!, revision: 1 })
    expect(first.fileName).toBe('mc_2024_v1_test_.ini')
    expect(current.text).toContain('[campaign_stage ana]')
    expect(first.text).not.toContain('[campaign_stage ana]')
  })
})

describe('campaigns:clone', () => {
  it('clones with from → to replacements as a new campaign with its own stages and revision 1', async () => {
    const [imported] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    const source = await draftDocument(imported!.campaignId!)
    const clone = await h.call('campaigns:clone', { experiment: EXP, id: imported!.campaignId!, name: 'mini-2025', replace: [{ from: 'gen', to: 'generate' }, { from: 'raw', to: 'cooked' }] })
    expect(clone).toMatchObject({ name: 'mini-2025', creator: h.core.localUsername })
    const doc = await draftDocument(clone.id)
    expect(doc.stages.map((s) => [s.name, s.dataset])).toEqual([
      ['generate', 'cooked_files'],
      ['reco', 'from_parent'],
    ])
    expect(doc.dependencies).toEqual([{ from: 'generate', to: 'reco', filePatterns: '%.root' }])
    // New stages, shared job type and login setup.
    expect(doc.stages.some((s) => source.stages.some((x) => x.id === s.id))).toBe(false)
    expect(doc.jobTypes).toEqual(source.jobTypes)
    expect(withoutIds(await draftDocument(imported!.campaignId!))).toEqual(withoutIds(source))
    expect(await h.call('revisions:list', { experiment: EXP, campaignId: clone.id })).toEqual([
      expect.objectContaining({ revision: 1, summary: 'cloned from mini' }),
    ])
  })

  it('refuses a name that is taken, on the name field', async () => {
    const [imported] = await importFiles([{ name: 'mini.ini', text: miniCampaignIni() }])
    const err = await h.call('campaigns:clone', { experiment: EXP, id: imported!.campaignId!, name: 'sample-campaign' }).catch((e: AppError) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('BAD_INPUT')
    expect((err as AppError).fields).toEqual([{ path: 'name', message: 'already used by another campaign in this experiment' }])
  })
})
