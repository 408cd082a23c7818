import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventName } from '../../shared/api/channels'
import type { Campaign } from '../../shared/domain/campaign'
import { startCore, type CoreHarness } from '../helpers/core-harness'

const EXP = 'demo'
let h: CoreHarness
const events: { name: EventName; payload: unknown }[] = []

beforeAll(async () => {
  h = await startCore()
  h.core.onEvent((name, payload) => void events.push({ name, payload }))
})
afterAll(() => h?.stop())

const revisions = (campaignId: string) => h.call('revisions:list', { experiment: EXP, campaignId })
const latestDocument = async (campaignId: string) => {
  const [latest] = await revisions(campaignId)
  return (await h.call('revisions:get', { experiment: EXP, campaignId, revision: latest!.revision })).document
}

async function freshCampaign(name: string): Promise<Campaign> {
  return h.call('campaigns:create', { experiment: EXP, value: { name } })
}

describe('every direct change of a campaign configuration records a revision', () => {
  it('the seeded sample campaign has a history from its creation on', async () => {
    const sample = (await h.call('campaigns:list', { experiment: EXP, filter: { name: 'sample-campaign' } })).items[0]!
    const history = await revisions(sample.id)
    expect(history.map((r) => r.summary)).toEqual([
      'created dependency generate → process',
      'created stage process',
      'created stage generate',
      'created campaign sample-campaign',
    ])
    expect(history.map((r) => r.revision)).toEqual([4, 3, 2, 1])
    const doc = await latestDocument(sample.id)
    expect(doc.stages.map((s) => s.name)).toEqual(['generate', 'process'])
    expect(doc.dependencies).toEqual([{ from: 'generate', to: 'process', filePatterns: '%_generate.root' }])
  })

  it('campaigns:create records revision 1, campaigns:update the next, with who and through which face', async () => {
    const c = await freshCampaign('rev-a')
    expect(await revisions(c.id)).toEqual([
      { campaignId: c.id, revision: 1, createdAt: expect.any(Number), creator: h.core.localUsername, face: 'cli', summary: 'created campaign rev-a' },
    ])
    events.length = 0
    await h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'rev-a', tags: ['x'] } }, { username: h.core.localUsername, face: 'web' })
    const [latest] = await revisions(c.id)
    expect(latest).toMatchObject({ revision: 2, summary: 'updated campaign rev-a', face: 'web' })
    expect((await latestDocument(c.id)).tags).toEqual(['x'])
    expect(events.map((e) => e.name)).toEqual(['campaigns:changed', 'revisions:changed'])
    expect(events[1]!.payload).toEqual({ experiment: EXP, ids: [c.id] })
  })

  it('an update that changes nothing records nothing', async () => {
    const c = await freshCampaign('rev-same')
    await h.call('campaigns:update', { experiment: EXP, id: c.id, expectedRev: 1, value: { name: 'rev-same' } })
    expect(await revisions(c.id)).toHaveLength(1)
  })

  it('stages:create/update/delete and dependencies:create/delete each record one', async () => {
    const c = await freshCampaign('rev-stages')
    const a = await h.call('stages:create', { experiment: EXP, value: { campaignId: c.id, name: 'a' } })
    const b = await h.call('stages:create', { experiment: EXP, value: { campaignId: c.id, name: 'b' } })
    const dep = await h.call('dependencies:create', { experiment: EXP, value: { fromStageId: a.id, toStageId: b.id, filePatterns: '%.root' } })
    await h.call('stages:update', { experiment: EXP, id: b.id, expectedRev: b.rev, value: { campaignId: c.id, name: 'b2' } })
    await h.call('dependencies:delete', { experiment: EXP, id: dep.id, expectedRev: dep.rev })
    await h.call('stages:delete', { experiment: EXP, id: a.id, expectedRev: a.rev })

    const history = await revisions(c.id)
    expect(history.map((r) => [r.revision, r.summary])).toEqual([
      [7, 'deleted stage a'],
      [6, 'deleted dependency a → b2'],
      [5, 'updated stage b2'],
      [4, 'created dependency a → b'],
      [3, 'created stage b'],
      [2, 'created stage a'],
      [1, 'created campaign rev-stages'],
    ])
    const rev4 = await h.call('revisions:get', { experiment: EXP, campaignId: c.id, revision: 4 })
    expect(rev4.document.stages.map((s) => [s.id, s.name])).toEqual([
      [a.id, 'a'],
      [b.id, 'b'],
    ])
    expect(rev4.document.dependencies).toEqual([{ from: 'a', to: 'b', filePatterns: '%.root' }])
    expect((await latestDocument(c.id)).stages.map((s) => s.name)).toEqual(['b2'])
  })

  it('moving a stage to another campaign records a revision of both', async () => {
    const from = await freshCampaign('rev-from')
    const to = await freshCampaign('rev-to')
    const s = await h.call('stages:create', { experiment: EXP, value: { campaignId: from.id, name: 'mover' } })
    await h.call('stages:update', { experiment: EXP, id: s.id, expectedRev: s.rev, value: { campaignId: to.id, name: 'mover' } })
    expect((await latestDocument(from.id)).stages).toEqual([])
    expect((await latestDocument(to.id)).stages.map((x) => x.id)).toEqual([s.id])
  })

  it('a revision that does not exist answers NOT_FOUND', async () => {
    const c = await freshCampaign('rev-none')
    await expect(h.call('revisions:get', { experiment: EXP, campaignId: c.id, revision: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
