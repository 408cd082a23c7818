import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Stage } from '../../shared/domain/stage'
import { AppError } from '../../shared/errors'
import type { CallContext } from '../../electron/core/core-api'
import { startCore, waitForSubmission, type CoreHarness } from '../helpers/core-harness'

const EXP = 'demo'
let h: CoreHarness
const events: { name: string; payload: unknown }[] = []
const as = (username: string): CallContext => ({ username, face: 'web' })

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the call to be refused')
}
const stageNamed = async (name: string): Promise<Stage> => (await h.call('stages:list', { experiment: EXP, filter: { name } })).items.find((s) => s.name === name)!

beforeAll(async () => {
  h = await startCore({ localConcurrency: 4 })
  h.core.onEvent((name, payload) => void events.push({ name, payload }))
  const { repos, clock } = h.core.deps
  repos.experiments.insertUser({ username: 'ana', displayName: 'ana', root: false }, clock.now())
  repos.experiments.setMembership(EXP, 'ana', 'analysis', clock.now())
  repos.experiments.insertUser({ username: 'prod', displayName: 'prod', root: false }, clock.now())
  repos.experiments.setMembership(EXP, 'prod', 'production', clock.now())
})
afterAll(() => h?.stop())

describe('experiments:configure', () => {
  it('reads the configuration without changes, for any member', async () => {
    expect(await h.call('experiments:configure', { experiment: EXP }, as('ana'))).toEqual({ experiment: EXP, dataHandler: 'local', settings: {}, secrets: [], available: ['local', 'sam', 'metacat'] })
  })

  it('lets only superusers change it; secrets go to the secret store, never to the database', async () => {
    const refused = await rejection(h.call('experiments:configure', { experiment: EXP, settings: { 'sam.base_url': 'http://x' } }, as('prod')))
    expect(refused).toMatchObject({ code: 'FORBIDDEN' })
    const config = await h.call('experiments:configure', { experiment: EXP, settings: { 'sam.base_url': 'http://127.0.0.1:9/sam', 'sam.station': 'demo' }, secrets: { 'sam.token': 'tok-s3cret' } })
    expect(config).toMatchObject({ dataHandler: 'local', settings: { 'sam.base_url': 'http://127.0.0.1:9/sam', 'sam.station': 'demo' }, secrets: ['sam.token'] })
    const stored = JSON.stringify(h.core.deps.db.prepare('SELECT * FROM experiment_settings').all())
    expect(stored).not.toContain('tok-s3cret')
    const audit = await h.call('audit:list', { experiment: EXP, filter: { actor: h.core.localUsername } })
    expect(audit.items[0]!.summary).toBe('configured demo: sam.base_url=http://127.0.0.1:9/sam, sam.station=demo, secret sam.token set')
    expect(events.some((e) => e.name === 'experiments:changed')).toBe(true)
    const removed = await h.call('experiments:configure', { experiment: EXP, settings: { 'sam.station': null }, secrets: { 'sam.token': null } })
    expect(removed).toMatchObject({ settings: { 'sam.base_url': 'http://127.0.0.1:9/sam' }, secrets: [] })
  })

  it('switching to a handler whose service refuses makes its calls UNAVAILABLE, not broken', async () => {
    const process = await stageNamed('process')
    const split = await h.call('stages:create', { experiment: EXP, value: { campaignId: process.campaignId!, name: 'sliced', jobTypeId: process.jobTypeId, loginSetupId: process.loginSetupId, dataset: 'raw_files', splitType: 'nfiles(5)' } })
    // A "SAM" that refuses every request at once (a 4xx is final: no retries).
    const refusing = createServer((_req, res) => {
      res.statusCode = 403
      res.end('go away')
    })
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = refusing.address() as AddressInfo
      await h.call('experiments:configure', { experiment: EXP, dataHandler: 'sam', settings: { 'sam.base_url': `http://127.0.0.1:${port}` } })
      const down = await rejection(h.call('splits:preview', { experiment: EXP, stageId: split.id, count: 1 }))
      expect(down.code).toBe('UNAVAILABLE')
      expect(down.message).toMatch(/^the data service sam did not answer: SAM GET http:\/\/127\.0\.0\.1:\d+\/sam\/demo\/api\/files\/count\?.* answered 403: go away; try again later$/)
    } finally {
      refusing.close()
    }
    await h.call('experiments:configure', { experiment: EXP, settings: { 'sam.base_url': null } })
    const unset = await rejection(h.call('splits:preview', { experiment: EXP, stageId: split.id }))
    expect(unset).toMatchObject({ code: 'UNAVAILABLE', message: 'experiment demo uses the sam data handler, but sam.base_url is not set (experiments:configure)' })
    expect((await h.call('experiments:configure', { experiment: EXP, dataHandler: 'local' })).dataHandler).toBe('local')
    expect((await h.call('splits:preview', { experiment: EXP, stageId: process.id })).slices).toHaveLength(1)
  })
})

describe('split cursor, schedules and approvals through the API', () => {
  it('resets and sets the split cursor; people who may not act on the stage are refused', async () => {
    const generate = await stageNamed('generate')
    expect((await h.call('stages:setSplitCursor', { experiment: EXP, id: generate.id, cursor: 5 })).splitCursor).toBe(5)
    expect((await h.call('stages:resetSplit', { experiment: EXP, id: generate.id })).splitCursor).toBeNull()
    expect((await rejection(h.call('stages:resetSplit', { experiment: EXP, id: generate.id }, as('ana')))).code).toBe('FORBIDDEN')
    expect((await rejection(h.call('stages:setSplitCursor', { experiment: EXP, id: generate.id } as never))).code).toBe('BAD_INPUT')
  })

  it('sets, lists and deletes a schedule, with schedules:changed events', async () => {
    const generate = await stageNamed('generate')
    const before = events.length
    const set = await h.call('schedules:set', { experiment: EXP, stageId: generate.id, cron: '15 3 * * *', timezone: 'Asia/Tokyo' })
    expect(set.nextRuns).toHaveLength(5)
    for (const t of set.nextRuns) expect(new Date(t).toISOString()).toMatch(/T18:15:00\.000Z$/)
    expect((await h.call('schedules:list', { experiment: EXP }, as('ana'))).map((s) => s.stageName)).toEqual(['generate'])
    expect((await rejection(h.call('schedules:delete', { experiment: EXP, stageId: generate.id }, as('ana')))).code).toBe('FORBIDDEN')
    expect(await h.call('schedules:delete', { experiment: EXP, stageId: generate.id })).toEqual({ stageId: generate.id, deleted: true })
    expect(events.slice(before).filter((e) => e.name === 'schedules:changed')).toHaveLength(2)
  })

  it('an approval stage waits for a person; reject removes it; wrapup:run reports what it did', async () => {
    const campaign = (await h.call('campaigns:list', { experiment: EXP, filter: { name: 'sample-campaign' } })).items[0]!
    const generate = await stageNamed('generate')
    const gate = await h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name: 'gate', jobTypeId: generate.jobTypeId, loginSetupId: generate.loginSetupId, dataset: generate.dataset, stageType: 'approval', completionType: 'complete' } })
    const first = (await h.call('submissions:launch', { experiment: EXP, stageId: gate.id, idempotencyKey: 'gate-launch-1' })).submission!
    expect(first).toMatchObject({ status: 'Awaiting Approval', launchState: 'awaiting' })
    expect((await h.call('submissions:jobs', { experiment: EXP, id: first.id }))).toEqual([])
    expect((await rejection(h.call('submissions:approve', { experiment: EXP, id: first.id }, as('ana')))).code).toBe('FORBIDDEN')
    const rejected = await h.call('submissions:reject', { experiment: EXP, id: first.id, reason: 'not this one' })
    expect(rejected.status).toBe('Removed')

    const second = (await h.call('submissions:launch', { experiment: EXP, stageId: gate.id, idempotencyKey: 'gate-launch-2' })).submission!
    await h.call('submissions:approve', { experiment: EXP, id: second.id })
    const located = await waitForSubmission(h, second.id, (d) => d.submission.status === 'Located')
    expect(located.history.map((c) => c.status)).toEqual(['New', 'Awaiting Approval', 'Completed', 'Located'])
    expect(located.history[3]!.reason).toBe('approved; an approval stage has no outputs to locate')
    // Everything is done already: a wrap-up run now has nothing to report about it.
    const { report } = await h.call('wrapup:run', {})
    expect(report.join('\n')).not.toContain(second.shortId)
  }, 30_000)
})
