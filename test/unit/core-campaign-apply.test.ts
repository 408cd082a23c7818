import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CampaignDocument } from '../../shared/domain/campaign-document'
import { AppError } from '../../shared/errors'
import { applyCampaignDocument, type ApplyTarget } from '../../electron/core/campaigns/apply-document'
import { materializeCampaign } from '../../electron/core/campaigns/materialize'
import type { Actor } from '../../electron/core/services/actor'
import { newId } from '../../electron/core/store/ids'
import { campaignDocument, openTestDeps, tableCounts, withoutIds, type TestDeps } from '../helpers/core-harness'

let t: TestDeps
let prod: Actor
beforeEach(() => {
  t = openTestDeps({ experiment: 'dune' })
  prod = t.member('pat', 'production')
})
afterEach(() => t.close())

/** Applies in a transaction of its own, as every caller does. */
const apply = (doc: CampaignDocument, target: ApplyTarget = { kind: 'byName' }, actor: Actor = prod) =>
  t.deps.db.transaction(() => applyCampaignDocument(t.deps, actor, doc, target, 'test'))()

const thrown = (fn: () => unknown): AppError => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected a refusal')
}

const campaignNamed = (name: string) => t.deps.repos.campaigns.getByName('dune', name)!
const materialized = (name = 'mc-prod') => materializeCampaign(t.deps.repos, campaignNamed(name))
const stageRow = (id: string) => t.store.db.prepare('SELECT * FROM stages WHERE id = ?').get(id) as Record<string, unknown>

describe('applying a document to a new campaign', () => {
  it('creates the campaign, its stages in order, dependencies, job type and login setup, with the actor on every row', () => {
    const out = apply(campaignDocument())
    expect(out.created).toEqual({
      campaigns: ['mc-prod'],
      stages: ['gen', 'sim', 'reco'],
      dependencies: ['gen → sim', 'sim → reco'],
      jobTypes: ['fife_gen'],
      loginSetups: ['dune_login'],
    })
    expect(out.reused).toEqual({ campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] })
    expect(out.warnings).toEqual([])

    const campaign = campaignNamed('mc-prod')
    expect(out.campaignId).toBe(campaign.id)
    expect(campaign).toMatchObject({ creator: 'pat', creatorRole: 'production', keywords: { release: 'v09_00' } })
    const jobType = t.deps.repos.jobTypes.getByName('dune', 'fife_gen')!
    const loginSetup = t.deps.repos.loginSetups.getByName('dune', 'dune_login')!
    // Defaults are stored with ids.
    expect(campaign.defaults).toEqual({ jobTypeId: jobType.id, loginSetupId: loginSetup.id, softwareVersion: 'v09_00' })
    const stages = t.deps.repos.stages.listByCampaign(campaign.id)
    expect(stages.map((s) => [s.name, s.jobTypeId, s.loginSetupId, s.creator])).toEqual([
      ['gen', jobType.id, loginSetup.id, 'pat'],
      ['sim', jobType.id, loginSetup.id, 'pat'],
      ['reco', jobType.id, loginSetup.id, 'pat'],
    ])
    expect(t.deps.repos.dependencies.listByCampaign(campaign.id).map((d) => [d.fromStageId, d.toStageId, d.filePatterns])).toEqual([
      [stages[0]!.id, stages[1]!.id, '%.root'],
      [stages[1]!.id, stages[2]!.id, '%sim%.root'],
    ])
    const audit = t.deps.repos.audit.list('dune', { cursor: null, limit: 100 }).items
    expect(audit).toHaveLength(1 + 1 + 1 + 3 + 2)
    for (const entry of audit) expect(entry).toMatchObject({ actor: 'pat', role: 'production', face: 'cli', action: 'create' })
    expect(audit.map((a) => a.summary)).toContain('created stage sim (test)')
  })

  it('materialises back to the same document, with the stored stage ids', () => {
    const doc = campaignDocument()
    apply(doc)
    const back = materialized()
    expect(withoutIds(back)).toEqual(doc)
    expect(back.stages.map((s) => s.id)).toEqual(t.deps.repos.stages.listByCampaign(campaignNamed('mc-prod').id).map((s) => s.id))
  })

  it('refuses a stage that names a job type neither in the document nor in the experiment, writing nothing', () => {
    const before = tableCounts(t.store.db)
    const doc = campaignDocument()
    doc.stages[1]!.jobType = 'nowhere'
    const err = thrown(() => apply(doc))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.message).toBe('job type nowhere is neither defined in the document nor in experiment dune')
    expect(err.fields).toEqual([{ path: 'stages.1.jobType', message: err.message }])
    expect(tableCounts(t.store.db)).toEqual(before)
  })

  it('leaves out a default job type that exists nowhere when no stage uses it, with a warning', () => {
    const doc = campaignDocument({ defaults: { jobType: 'legacy_jt', loginSetup: 'dune_login' } })
    const out = apply(doc)
    expect(out.warnings).toEqual([
      expect.objectContaining({
        code: 'DEFAULT_JOB_TYPE_DROPPED',
        path: 'defaults.jobType',
        message: 'the default job type legacy_jt exists neither in the document nor in experiment dune and no stage uses it; the campaign is stored without a default job type',
      }),
    ])
    expect(campaignNamed('mc-prod').defaults).toEqual({ loginSetupId: t.deps.repos.loginSetups.getByName('dune', 'dune_login')!.id })
  })

  it('refuses a default job type that exists nowhere when a stage falls back to it', () => {
    const doc = campaignDocument({ defaults: { jobType: 'legacy_jt' } })
    doc.stages[2]!.jobType = null
    const err = thrown(() => apply(doc))
    expect(err.fields).toEqual([{ path: 'defaults.jobType', message: 'job type legacy_jt is neither defined in the document nor in experiment dune' }])
  })

  it('refuses a dependency on a stage the document does not have', () => {
    const doc = campaignDocument({ dependencies: [{ from: 'gen', to: 'nope', filePatterns: '%' }] })
    const err = thrown(() => apply(doc))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields![0]!.path).toBe('dependencies.0.to')
    expect(t.deps.repos.campaigns.getByName('dune', 'mc-prod')).toBeNull()
  })

  it('creates a new campaign for { kind: "new" } and refuses a name that is taken', () => {
    apply(campaignDocument())
    const err = thrown(() => apply(campaignDocument(), { kind: 'new' }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.message).toContain('already exists')
  })
})

describe('re-applying (POMS re-upload)', () => {
  it('the same document updates the same campaign in place and changes nothing', () => {
    const first = apply(campaignDocument())
    const campaign = campaignNamed('mc-prod')
    const stageIds = t.deps.repos.stages.listByCampaign(campaign.id).map((s) => s.id)
    const before = tableCounts(t.store.db)

    const again = apply(campaignDocument())
    expect(again.campaignId).toBe(first.campaignId)
    expect(again.created).toEqual({ campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] })
    expect(again.reused).toEqual({
      campaigns: ['mc-prod'],
      stages: ['gen', 'sim', 'reco'],
      dependencies: ['gen → sim', 'sim → reco'],
      jobTypes: ['fife_gen'],
      loginSetups: ['dune_login'],
    })
    expect(Object.values(again.changes).every((ids) => ids.size === 0)).toBe(true)
    expect(campaignNamed('mc-prod').rev).toBe(campaign.rev)
    expect(t.deps.repos.stages.listByCampaign(campaign.id).map((s) => s.id)).toEqual(stageIds)
    expect(tableCounts(t.store.db)).toEqual(before)
  })

  it('detaches a stage the file no longer has — kept with its submissions — and rebuilds the dependencies', () => {
    apply(campaignDocument())
    const campaign = campaignNamed('mc-prod')
    const [gen, sim, reco] = t.deps.repos.stages.listByCampaign(campaign.id)
    const submissionId = newId()
    t.deps.repos.submissions.insert({
      id: submissionId, experiment: 'dune', campaignId: campaign.id, stageId: sim!.id, status: 'Completed', now: 5, launchState: 'launched',
      test: false, backend: 'local', dataset: '', parentSubmissionId: null, idempotencyKey: null, launchOutputFile: null, creator: 'pat', creatorRole: 'production',
    })
    const oldEdges = t.deps.repos.dependencies.listByCampaign(campaign.id)

    const doc = campaignDocument()
    doc.stages = doc.stages.filter((s) => s.name !== 'sim')
    doc.dependencies = [{ from: 'gen', to: 'reco', filePatterns: '%.root' }]
    doc.layout = { gen: { x: 0, y: 0 }, reco: { x: 200, y: 0 } }
    const out = apply(doc)

    expect(out.reused.stages).toEqual(['gen', 'reco'])
    expect(out.created.dependencies).toEqual(['gen → reco'])
    // Detached: the row is alive, without a campaign, and its submission still points at it.
    expect(stageRow(sim!.id)).toMatchObject({ campaign_id: null, deleted_at: null, name: 'sim' })
    expect(t.store.db.prepare('SELECT stage_id, campaign_id FROM submissions WHERE id = ?').get(submissionId)).toEqual({ stage_id: sim!.id, campaign_id: campaign.id })
    expect(t.deps.repos.stages.listByCampaign(campaign.id).map((s) => s.id)).toEqual([gen!.id, reco!.id])
    // The old edges are tombstoned, the new one is the only live edge.
    for (const old of oldEdges) expect(t.store.db.prepare('SELECT deleted_at FROM dependencies WHERE id = ?').pluck().get(old.id)).not.toBeNull()
    expect(t.deps.repos.dependencies.listByCampaign(campaign.id).map((d) => [d.fromStageId, d.toStageId])).toEqual([[gen!.id, reco!.id]])
    expect(withoutIds(materialized())).toEqual(doc)
    const summaries = t.deps.repos.audit.list('dune', { cursor: null, limit: 100 }).items.map((a) => a.summary)
    expect(summaries).toContain('detached stage sim from campaign mc-prod; it keeps its submissions (test)')
    expect(summaries).toContain('deleted dependency gen → sim (test)')
  })

  it('keeps a dependency edge and its id when only its file patterns change', () => {
    apply(campaignDocument())
    const campaign = campaignNamed('mc-prod')
    const edge = t.deps.repos.dependencies.listByCampaign(campaign.id)[0]!
    const doc = campaignDocument()
    doc.dependencies[0]!.filePatterns = '%.art'
    const out = apply(doc)
    expect(out.reused.dependencies).toEqual(['gen → sim', 'sim → reco'])
    const after = t.deps.repos.dependencies.listByCampaign(campaign.id)[0]!
    expect(after).toMatchObject({ id: edge.id, filePatterns: '%.art', rev: edge.rev + 1 })
  })

  it('reuses an existing job type and login setup without updating them, warning where the document differs', () => {
    apply(campaignDocument())
    const jobType = t.deps.repos.jobTypes.getByName('dune', 'fife_gen')!
    const loginSetup = t.deps.repos.loginSetups.getByName('dune', 'dune_login')!
    const doc = campaignDocument({ name: 'other' })
    doc.jobTypes[0]!.launchScript = 'fife_launch -c changed.cfg'
    doc.jobTypes[0]!.outputFilePatterns = ['%.art']

    const out = apply(doc)
    expect(out.created.jobTypes).toEqual([])
    expect(out.reused.jobTypes).toEqual(['fife_gen'])
    expect(out.reused.loginSetups).toEqual(['dune_login'])
    expect(out.warnings).toEqual([
      expect.objectContaining({
        code: 'EXISTING_JOB_TYPE_KEPT',
        path: 'jobTypes.0',
        section: 'job_type fife_gen',
        message: 'job type fife_gen already exists in dune and differs in launchScript, outputFilePatterns; the existing one is used unchanged (an import never updates job types)',
      }),
    ])
    expect(t.deps.repos.jobTypes.getByName('dune', 'fife_gen')).toEqual(jobType)
    expect(t.deps.repos.loginSetups.getByName('dune', 'dune_login')).toEqual(loginSetup)
    expect(campaignNamed('other').defaults.jobTypeId).toBe(jobType.id)
  })

  it('resolves a job type the document only names, when the experiment has it', () => {
    apply(campaignDocument())
    const doc = campaignDocument({ name: 'lean', jobTypes: [], loginSetups: [] })
    const out = apply(doc)
    expect(out.reused.jobTypes).toEqual(['fife_gen'])
    expect(out.reused.loginSetups).toEqual(['dune_login'])
    expect(out.created.jobTypes).toEqual([])
  })
})

describe('stages matched by id', () => {
  it('a renamed stage keeps its id (and its history); names may even swap', () => {
    apply(campaignDocument())
    const campaign = campaignNamed('mc-prod')
    const doc = materialized()
    const ids = doc.stages.map((s) => s.id)
    // gen ↔ reco swap names, sim is renamed: every rename collides with a name still in use.
    doc.stages[0]!.name = 'reco'
    doc.stages[2]!.name = 'gen'
    doc.stages[1]!.name = 'simulation'
    doc.dependencies = [
      { from: 'reco', to: 'simulation', filePatterns: '%.root' },
      { from: 'simulation', to: 'gen', filePatterns: '%sim%.root' },
    ]
    doc.layout = {}
    const out = apply(doc, { kind: 'existing', campaignId: campaign.id })
    expect(out.created.stages).toEqual([])
    const after = t.deps.repos.stages.listByCampaign(campaign.id)
    expect(after.map((s) => [s.id, s.name])).toEqual([
      [ids[0], 'reco'],
      [ids[1], 'simulation'],
      [ids[2], 'gen'],
    ])
    // The edges are the same stage pairs: reused, not recreated.
    expect(out.reused.dependencies).toEqual(['reco → simulation', 'simulation → gen'])
    expect(out.created.dependencies).toEqual([])
    expect(materialized()).toEqual(doc)
  })

  it('an id of a stage of another campaign is not taken over: the entry is matched by name or created', () => {
    apply(campaignDocument())
    apply(campaignDocument({ name: 'second' }))
    const foreignId = t.deps.repos.stages.listByCampaign(campaignNamed('mc-prod').id)[0]!.id
    const doc = materializeCampaign(t.deps.repos, campaignNamed('second'))
    doc.stages.push({ ...doc.stages[0]!, id: foreignId, name: 'extra' })
    const out = apply(doc, { kind: 'existing', campaignId: campaignNamed('second').id })
    expect(out.created.stages).toEqual(['extra'])
    expect(stageRow(foreignId)).toMatchObject({ campaign_id: campaignNamed('mc-prod').id, name: 'gen' })
  })

  it('resets the split position only when the split type or the dataset changes', () => {
    const doc = campaignDocument()
    doc.stages[0]!.splitType = 'drainingn(10)'
    apply(doc)
    const campaign = campaignNamed('mc-prod')
    const [gen, sim] = t.deps.repos.stages.listByCampaign(campaign.id)
    t.deps.repos.stages.setSplitCursor(gen!.id, 7, 1)
    t.deps.repos.stages.setSplitCursor(sim!.id, 3, 1)

    const edit = materialized()
    edit.stages[0]!.softwareVersion = 'v10' // keeps gen's position
    edit.stages[1]!.dataset = 'new_input' // restarts sim's split
    apply(edit, { kind: 'existing', campaignId: campaign.id })
    expect(t.deps.repos.stages.get('dune', gen!.id)).toMatchObject({ softwareVersion: 'v10', splitCursor: 7 })
    expect(t.deps.repos.stages.get('dune', sim!.id)).toMatchObject({ dataset: 'new_input', splitCursor: null })
  })
})

describe('roles', () => {
  it('an analysis user may not re-upload a production campaign; nothing is written', () => {
    apply(campaignDocument())
    const ana = t.member('ana', 'analysis')
    const before = tableCounts(t.store.db)
    const doc = campaignDocument()
    doc.jobTypes.push({ ...doc.jobTypes[0]!, name: 'ana_jt' })
    const err = thrown(() => apply(doc, { kind: 'byName' }, ana))
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toBe('ana acting as analysis may not change campaign mc-prod (created by pat as production)')
    expect(tableCounts(t.store.db)).toEqual(before)
  })

  it('a production shifter may not create a campaign; an analysis user makes their own', () => {
    const shifter = t.member('shifty', 'production-shifter')
    expect(thrown(() => apply(campaignDocument(), { kind: 'byName' }, shifter)).code).toBe('FORBIDDEN')
    const ana = t.member('ana', 'analysis')
    apply(campaignDocument({ name: 'ana-study' }), { kind: 'byName' }, ana)
    expect(campaignNamed('ana-study')).toMatchObject({ creator: 'ana', creatorRole: 'analysis' })
    // …and may change it again, while another analysis user may not.
    apply(campaignDocument({ name: 'ana-study', tags: ['v2'] }), { kind: 'byName' }, ana)
    expect(campaignNamed('ana-study').tags).toEqual(['v2'])
    const andy = t.member('andy', 'analysis')
    expect(thrown(() => apply(campaignDocument({ name: 'ana-study' }), { kind: 'byName' }, andy)).code).toBe('FORBIDDEN')
  })
})
