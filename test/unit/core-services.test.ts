import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Campaign } from '../../shared/domain/campaign'
import type { Role } from '../../shared/domain/roles'
import { AppError } from '../../shared/errors'
import type { CallContext } from '../../electron/core/core-api'
import { startCore, waitFor } from '../helpers/core-harness'

type Harness = Awaited<ReturnType<typeof startCore>>
const EXP = 'demo'
const UUID = '01234567-89ab-7def-8123-456789abcdef'

let h: Harness
const as = (username: string, face: CallContext['face'] = 'web'): CallContext => ({ username, face })

/** A user of the store with a membership, made the way an admin tool would: straight through the repos. */
function addMember(username: string, role: Role) {
  const { repos, clock } = h.core.deps
  repos.experiments.insertUser({ username, displayName: username, root: false }, clock.now())
  repos.experiments.setMembership(EXP, username, role, clock.now())
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the call to be refused')
}

async function seeded() {
  const campaign = (await h.call('campaigns:list', { experiment: EXP, filter: { name: 'sample-campaign' } })).items[0]!
  const stages = (await h.call('stages:list', { experiment: EXP, filter: { campaignId: campaign.id } })).items
  const jobType = (await h.call('jobTypes:list', { experiment: EXP, filter: { name: 'sample-job' } })).items[0]!
  const loginSetup = (await h.call('loginSetups:list', { experiment: EXP, filter: { name: 'local' } })).items[0]!
  return { campaign, stages, jobType, loginSetup }
}

const auditFor = async (entityId: string) => (await h.call('audit:list', { experiment: EXP, filter: { entityId } })).items

beforeAll(async () => {
  h = await startCore()
  addMember('ana', 'analysis')
  addMember('andy', 'analysis')
  addMember('shifty', 'production-shifter')
  addMember('prod', 'production')
  h.core.deps.repos.experiments.insertUser({ username: 'stranger', displayName: 'stranger', root: false }, 1)
})
afterAll(() => h?.stop())

describe('roles', () => {
  it('an analysis user cannot modify the production campaign', async () => {
    const { campaign } = await seeded()
    const err = await rejection(h.call('campaigns:update', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev, value: { name: 'mine now' } }, as('ana')))
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toContain('ana acting as analysis')
    const del = await rejection(h.call('campaigns:delete', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev }, as('ana')))
    expect(del.code).toBe('FORBIDDEN')
    expect((await h.call('campaigns:get', { experiment: EXP, id: campaign.id })).name).toBe('sample-campaign')
    expect((await h.call('stages:list', { experiment: EXP, filter: { campaignId: campaign.id } })).items).toHaveLength(2)
  })

  it('an analysis user creates and modifies a campaign of their own', async () => {
    const created = await h.call('campaigns:create', { experiment: EXP, value: { name: 'ana-campaign' } }, as('ana'))
    expect(created).toMatchObject({ creator: 'ana', creatorRole: 'analysis', rev: 1 })
    const updated = await h.call('campaigns:update', { experiment: EXP, id: created.shortId, expectedRev: 1, value: { name: 'ana-campaign', tags: ['mine'] } }, as('ana'))
    expect(updated).toMatchObject({ rev: 2, updater: 'ana', tags: ['mine'] })
  })

  it("another analysis user and production cannot modify it; a superuser can", async () => {
    const c = await h.call('campaigns:create', { experiment: EXP, value: { name: 'ana-private' } }, as('ana'))
    const byAndy = await rejection(h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'x' } }, as('andy')))
    expect(byAndy.code).toBe('FORBIDDEN')
    const byProd = await rejection(h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'x' } }, as('prod')))
    expect(byProd.code).toBe('FORBIDDEN')
    const bySuper = await h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'ana-private' } })
    expect(bySuper.updater).toBe(h.core.localUsername)
  })

  it('a production shifter cannot create or modify configuration', async () => {
    const err = await rejection(h.call('campaigns:create', { experiment: EXP, value: { name: 'shifter-campaign' } }, as('shifty')))
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toContain('production shifter')
    expect((await h.call('campaigns:list', { experiment: EXP, filter: { name: 'shifter-campaign' } })).items).toEqual([])
    const { campaign } = await seeded()
    const upd = await rejection(h.call('campaigns:update', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev, value: { name: 'x' } }, as('shifty')))
    expect(upd.code).toBe('FORBIDDEN')
  })

  it('a production member modifies the production campaign', async () => {
    const { campaign } = await seeded()
    const updated = await h.call('campaigns:update', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev, value: { name: campaign.name, tags: ['sample', 'edited'] } }, as('prod'))
    expect(updated.tags).toEqual(['sample', 'edited'])
  })

  it('refuses an acting role above the membership, and non-members', async () => {
    const err = await rejection(h.call('campaigns:list', { experiment: EXP, role: 'production' }, as('ana')))
    expect(err.code).toBe('FORBIDDEN')
    expect(err.message).toContain('may not act as production')
    expect((await rejection(h.call('campaigns:list', { experiment: EXP }, as('stranger')))).code).toBe('FORBIDDEN')
    expect((await rejection(h.call('campaigns:list', { experiment: EXP }, as('nobody')))).code).toBe('FORBIDDEN')
    expect((await rejection(h.call('campaigns:list', { experiment: 'nosuch' }))).code).toBe('NOT_FOUND')
  })

  it('a production member acting as analysis files new things under analysis', async () => {
    const c = await h.call('campaigns:create', { experiment: EXP, role: 'analysis', value: { name: 'prod-as-analysis' } }, as('prod'))
    expect(c).toMatchObject({ creator: 'prod', creatorRole: 'analysis' })
  })

  it('an analysis user cannot launch a production stage, and nothing is written', async () => {
    const { stages } = await seeded()
    const before = (await h.call('submissions:list', { experiment: EXP })).items.length
    const err = await rejection(h.call('submissions:launch', { experiment: EXP, stageId: stages[0]!.id, idempotencyKey: 'ana-launch-1' }, as('ana')))
    expect(err.code).toBe('FORBIDDEN')
    expect((await h.call('submissions:list', { experiment: EXP })).items.length).toBe(before)
  })
})

describe('audit log', () => {
  it('records create, update and delete with actor, role and face', async () => {
    const created = await h.call('campaigns:create', { experiment: EXP, role: 'production', value: { name: 'audited' } }, as(h.core.localUsername, 'desktop'))
    const updated = await h.call('campaigns:update', { experiment: EXP, id: created.id, expectedRev: 1, value: { name: 'audited-2' } }, as('prod', 'web'))
    await h.call('campaigns:delete', { experiment: EXP, id: created.id, expectedRev: updated.rev }, as(h.core.localUsername, 'cli'))
    const entries = await auditFor(created.id)
    expect(entries.map((e) => ({ action: e.action, actor: e.actor, role: e.role, face: e.face, entityType: e.entityType }))).toEqual([
      { action: 'delete', actor: h.core.localUsername, role: 'superuser', face: 'cli', entityType: 'campaign' },
      { action: 'update', actor: 'prod', role: 'production', face: 'web', entityType: 'campaign' },
      { action: 'create', actor: h.core.localUsername, role: 'production', face: 'desktop', entityType: 'campaign' },
    ])
    expect(entries[1]!.summary).toContain('audited-2')
    expect(entries.every((e) => e.experiment === EXP)).toBe(true)
  })

  it('records nothing for a refused write', async () => {
    const { campaign } = await seeded()
    const before = await auditFor(campaign.id)
    await rejection(h.call('campaigns:update', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev, value: { name: 'no' } }, as('ana')))
    await rejection(h.call('campaigns:update', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev + 10, value: { name: 'no' } }))
    expect(await auditFor(campaign.id)).toEqual(before)
  })

  it('records a launch and a status change', async () => {
    const { stages } = await seeded()
    const generate = stages.find((s) => s.name === 'generate')!
    const launched = await h.call(
      'submissions:launch',
      { experiment: EXP, stageId: generate.id, idempotencyKey: 'audit-launch-1', paramOverrides: [['--seconds=', '0']] },
      as(h.core.localUsername, 'desktop'),
    )
    const id = launched.submission!.id
    // The engine carries it to Located (wrap-up); a person then asks for it to be checked again.
    await waitFor(async () => (await h.call('submissions:get', { experiment: EXP, id })).submission.status === 'Located', 20_000, 'the launch to be located')
    await h.call('submissions:setStatus', { experiment: EXP, id, status: 'Completed', reason: 'check again' }, as('prod', 'web'))
    const entries = await auditFor(id)
    expect(entries.map((e) => [e.action, e.actor, e.role, e.face, e.entityType])).toEqual([
      ['set-status', 'prod', 'production', 'web', 'submission'],
      ['launch', h.core.localUsername, 'superuser', 'desktop', 'submission'],
    ])
    expect(entries[0]!.summary).toContain('Located to Completed: check again')
  })

  it('cannot be written through the API and pages by sequence', async () => {
    const first = await h.call('audit:list', { experiment: EXP, limit: 2 })
    expect(first.items).toHaveLength(2)
    expect(first.items[0]!.seq).toBeGreaterThan(first.items[1]!.seq)
    const second = await h.call('audit:list', { experiment: EXP, limit: 2, cursor: first.nextCursor })
    expect(second.items[0]!.seq).toBeLessThan(first.items[1]!.seq)
  })
})

describe('configuration checks', () => {
  it('a stage that refers to a missing job type is BAD_INPUT on value.jobTypeId', async () => {
    const { campaign } = await seeded()
    const err = await rejection(h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name: 'broken', jobTypeId: UUID, loginSetupId: UUID } }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields?.map((f) => f.path).sort()).toEqual(['value.jobTypeId', 'value.loginSetupId'])
    expect((await h.call('stages:list', { experiment: EXP, filter: { campaignId: campaign.id, name: 'broken' } })).items).toEqual([])
  })

  it('a campaign default that refers to a missing job type is BAD_INPUT on its path', async () => {
    const err = await rejection(h.call('campaigns:create', { experiment: EXP, value: { name: 'bad-defaults', defaults: { jobTypeId: UUID } } }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields).toEqual([{ path: 'value.defaults.jobTypeId', message: expect.any(String) }])
  })

  it('a dependency across campaigns is refused', async () => {
    const { stages } = await seeded()
    const other = await h.call('campaigns:create', { experiment: EXP, value: { name: 'dep-other' } })
    const lone = await h.call('stages:create', { experiment: EXP, value: { campaignId: other.id, name: 'lone' } })
    const err = await rejection(h.call('dependencies:create', { experiment: EXP, value: { fromStageId: stages[0]!.id, toStageId: lone.id, filePatterns: '%.root' } }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields?.[0]?.path).toBe('value.toStageId')
  })

  it('a duplicate campaign name is BAD_INPUT on value.name', async () => {
    const err = await rejection(h.call('campaigns:create', { experiment: EXP, value: { name: 'sample-campaign' } }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields?.[0]?.path).toBe('value.name')
  })

  it('an edit based on a stale revision is a CONFLICT', async () => {
    const c = await h.call('campaigns:create', { experiment: EXP, value: { name: 'stale-test' } })
    await h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'stale-test', tags: ['first'] } })
    const err = await rejection(h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'stale-test', tags: ['second'] } }))
    expect(err.code).toBe('CONFLICT')
    expect((await h.call('campaigns:get', { experiment: EXP, id: c.id })).tags).toEqual(['first'])
  })

  it('deleting a job type or login setup in use is a CONFLICT naming the stages', async () => {
    const { jobType, loginSetup } = await seeded()
    const err = await rejection(h.call('jobTypes:delete', { experiment: EXP, id: jobType.id, expectedRev: jobType.rev }))
    expect(err.code).toBe('CONFLICT')
    expect(err.message).toContain('generate, process')
    expect(err.details).toEqual({ stages: ['generate', 'process'] })
    expect((await h.call('jobTypes:get', { experiment: EXP, id: jobType.id })).name).toBe('sample-job')
    const ls = await rejection(h.call('loginSetups:delete', { experiment: EXP, id: loginSetup.id, expectedRev: loginSetup.rev }))
    expect(ls.code).toBe('CONFLICT')
  })
})

describe('deleting a campaign', () => {
  let campaign: Campaign
  let stageIds: string[]

  beforeAll(async () => {
    const jobType = (await seeded()).jobType
    campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'short-lived' } })
    const a = await h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name: 'a', jobTypeId: jobType.id } })
    const b = await h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name: 'b', jobTypeId: jobType.id } })
    await h.call('dependencies:create', { experiment: EXP, value: { fromStageId: a.id, toStageId: b.id, filePatterns: '%.root' } })
    stageIds = [a.id, b.id]
    await h.call('campaigns:delete', { experiment: EXP, id: campaign.id, expectedRev: campaign.rev })
  })

  it('tombstones its stages and dependencies', async () => {
    for (const id of stageIds) expect((await rejection(h.call('stages:get', { experiment: EXP, id }))).code).toBe('NOT_FOUND')
    expect((await h.call('stages:list', { experiment: EXP, filter: { campaignId: campaign.id } })).items).toEqual([])
    expect(h.core.deps.repos.dependencies.listByCampaign(campaign.id)).toEqual([])
    const rows = h.core.deps.db.prepare('SELECT deleted_at FROM stages WHERE campaign_id = ?').pluck().all(campaign.id)
    expect(rows).toHaveLength(2)
    expect(rows.every((r) => typeof r === 'number')).toBe(true)
  })

  it('frees its name', async () => {
    const again = await h.call('campaigns:create', { experiment: EXP, value: { name: 'short-lived' } })
    expect(again.id).not.toBe(campaign.id)
  })

  it('leaves the job type still refused for deletion only by live stages', async () => {
    const { jobType } = await seeded()
    const err = await rejection(h.call('jobTypes:delete', { experiment: EXP, id: jobType.id, expectedRev: jobType.rev }))
    expect(err.details).toEqual({ stages: ['generate', 'process'] })
  })
})
