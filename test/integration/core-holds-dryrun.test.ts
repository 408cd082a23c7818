import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { startCore, waitForSubmission } from '../helpers/core-harness'

const EXP = 'demo'

describe('dry runs, holds and queued launches (local backend)', () => {
  let h: Awaited<ReturnType<typeof startCore>>
  let generate: string
  let processStage: string
  let keyCounter = 0
  const key = () => `test-key-${++keyCounter}-${Date.now()}`
  const submissionCount = () => h.core.deps.db.prepare('SELECT count(*) FROM submissions').pluck().get() as number

  beforeAll(async () => {
    h = await startCore()
    const campaigns = await h.call('campaigns:list', { experiment: EXP })
    const stages = await h.call('stages:list', { experiment: EXP, filter: { campaignId: campaigns.items[0]!.id } })
    generate = stages.items.find((s) => s.name === 'generate')!.id
    processStage = stages.items.find((s) => s.name === 'process')!.id
  })
  afterAll(() => h?.stop())

  it('a dry run shows the exact command, environment and files, and writes nothing', async () => {
    const before = submissionCount()
    const auditBefore = h.core.deps.db.prepare('SELECT count(*) FROM audit_log').pluck().get()
    const result = await h.call('submissions:launch', { experiment: EXP, stageId: generate, idempotencyKey: key(), dryRun: true })
    expect(result.submission).toBeNull()
    expect(result.preview).not.toBeNull()
    const preview = result.preview!
    expect(preview.backend).toBe('local')
    expect(preview.command).toMatch(/sample-job\.sh --events=1000 --release=v1_0 -N 5 --fail-jobs=3 --seconds=2$/)
    expect(preview.argv.slice(1)).toEqual(['--events=1000', '--release=v1_0', '-N', '5', '--fail-jobs=3', '--seconds=2'])
    expect(preview.env.POMS4_CAMPAIGN_STAGE_NAME).toBe('generate')
    expect(preview.files).toHaveLength(20)
    expect(preview.jobCount).toBe(5)
    expect(submissionCount()).toBe(before)
    expect(h.core.deps.db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(auditBefore)
  })

  it('a test dry run applies the test overrides', async () => {
    const result = await h.call('submissions:launch', { experiment: EXP, stageId: generate, idempotencyKey: key(), dryRun: true, test: true })
    expect(result.preview!.command).toContain('--seconds=1')
    expect(result.preview!.env.POMS4_TEST_LAUNCH).toBe('True')
  })

  it('a stage hold queues launches; releasing the hold and the request launches it once', async () => {
    const held = await h.call('stages:hold', { experiment: EXP, id: processStage, held: true })
    expect(held.hold).toMatchObject({ by: h.core.localUsername })
    const before = submissionCount()
    const k = key()
    const queued = await h.call('submissions:launch', { experiment: EXP, stageId: processStage, idempotencyKey: k, paramOverrides: [['--seconds=', '0']] })
    expect(queued.submission).toBeNull()
    expect(queued.held).toMatchObject({ stageId: processStage, launcher: h.core.localUsername })
    expect(submissionCount()).toBe(before)
    expect(await h.call('heldLaunches:list', { experiment: EXP })).toHaveLength(1)

    // Still held: the request cannot be released yet.
    await expect(h.call('heldLaunches:release', { experiment: EXP, id: queued.held!.id })).rejects.toThrow(/still held for this stage/)
    await h.call('stages:hold', { experiment: EXP, id: processStage, held: false })
    const released = await h.call('heldLaunches:release', { experiment: EXP, id: queued.held!.id })
    expect(released.submission).not.toBeNull()
    expect(await h.call('heldLaunches:list', { experiment: EXP })).toHaveLength(0)
    const detail = await waitForSubmission(h, released.submission!.id)
    expect(detail.submission.status).toBe('Failed')
    // The queued request's overrides reached the launch.
    expect(detail.snapshot!.launch.command).toContain('--seconds=0')
    expect(submissionCount()).toBe(before + 1)
  })

  it('a global hold queues every launch until allowed; a dropped request never launches', async () => {
    const hold = await h.call('launches:setHold', { held: true })
    expect(hold).toMatchObject({ held: true, by: h.core.localUsername })
    const queued = await h.call('submissions:launch', { experiment: EXP, stageId: generate, idempotencyKey: key() })
    expect(queued.held).not.toBeNull()
    const before = submissionCount()
    await h.call('heldLaunches:drop', { experiment: EXP, id: queued.held!.id })
    expect(await h.call('heldLaunches:list', { experiment: EXP })).toHaveLength(0)
    await h.call('launches:setHold', { held: false })
    expect((await h.call('launches:getHold', {})).held).toBe(false)
    expect(submissionCount()).toBe(before)
    const audit = await h.call('audit:list', { experiment: EXP })
    expect(audit.items.map((e) => e.action)).toEqual(expect.arrayContaining(['queue-launch', 'drop-queued-launch']))
  })

  it('abort refuses a submission that is not being launched', async () => {
    const launched = await h.call('submissions:launch', { experiment: EXP, stageId: generate, idempotencyKey: key(), paramOverrides: [['--seconds=', '0']] })
    await waitForSubmission(h, launched.submission!.id)
    const error = await h.call('submissions:abort', { experiment: EXP, id: launched.submission!.id }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).message).toMatch(/is not being launched/)
  })

  it('holds and releases the jobs of a running local submission', async () => {
    const launched = await h.call('submissions:launch', { experiment: EXP, stageId: generate, idempotencyKey: key(), paramOverrides: [['--seconds=', '3'], ['-N ', '2'], ['--fail-jobs=', '']] })
    const id = launched.submission!.id
    await waitForSubmission(h, id, (d) => d.submission.status === 'Running')
    const held = await h.call('submissions:hold', { experiment: EXP, id })
    expect(held.message).toMatch(/holding 2 local jobs/)
    await waitForSubmission(h, id, (d) => d.submission.status === 'Held')
    await h.call('submissions:release', { experiment: EXP, id })
    const done = await waitForSubmission(h, id, (d) => d.submission.status === 'Located')
    const statuses = done.history.map((c) => c.status)
    expect(statuses.indexOf('Running')).toBeLessThan(statuses.indexOf('Held'))
    expect(statuses.lastIndexOf('Held')).toBeLessThan(statuses.indexOf('Completed'))
    expect(statuses.indexOf('Completed')).toBeLessThan(statuses.indexOf('Located'))
  })
})
