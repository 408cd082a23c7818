import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { nextRunTimes, parseCron } from '../../electron/core/engine/schedules/cron'
import { MISSED_AFTER_MS } from '../../electron/core/engine/schedules/schedule-service'
import { engineHarness, fakeClock, type EngineHarness } from '../helpers/engine-harness'
import { fakeDataHandler } from '../helpers/fake-data-handler'

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString())

describe('cron expressions in a time zone (croner)', () => {
  it('lists the next runs in the schedule\'s zone, across a DST change', () => {
    // 02:30 every day in Chicago; on 2026-03-08 02:30 does not exist (clocks jump to 03:00 CDT).
    const runs = nextRunTimes(parseCron('30 2 * * *', 'America/Chicago'), 5, Date.parse('2026-03-07T00:00:00Z'))
    expect(iso(runs)).toEqual(['2026-03-07T08:30:00.000Z', '2026-03-08T08:00:00.000Z', '2026-03-09T07:30:00.000Z', '2026-03-10T07:30:00.000Z', '2026-03-11T07:30:00.000Z'])
  })

  it('reads the same expression differently in another zone, and weekdays as crontab does', () => {
    const after = Date.parse('2026-11-27T12:00:00Z') // a Friday
    expect(iso(nextRunTimes(parseCron('0 9 * * 1-5', 'Europe/Zurich'), 2, after))).toEqual(['2026-11-30T08:00:00.000Z', '2026-12-01T08:00:00.000Z'])
    expect(iso(nextRunTimes(parseCron('0 9 * * 1-5', 'UTC'), 2, after))).toEqual(['2026-11-30T09:00:00.000Z', '2026-12-01T09:00:00.000Z'])
    expect(iso(nextRunTimes(parseCron('*/20 * * * *', 'UTC'), 3, Date.parse('2026-01-01T00:05:00Z')))).toEqual(['2026-01-01T00:20:00.000Z', '2026-01-01T00:40:00.000Z', '2026-01-01T01:00:00.000Z'])
  })

  it('refuses what is not a five-field expression or not an IANA zone, saying which', () => {
    const refused = (cron: string, zone: string) => {
      try {
        parseCron(cron, zone)
      } catch (err) {
        expect(err).toBeInstanceOf(AppError)
        return (err as AppError).fields?.[0]?.path
      }
      throw new Error('expected a refusal')
    }
    expect(refused('* * * *', 'UTC')).toBe('cron')
    expect(refused('*/5 * * * * *', 'UTC')).toBe('cron')
    expect(refused('61 1 * * *', 'UTC')).toBe('cron')
    expect(refused('0 1 * * *', 'Mars/Olympus')).toBe('timezone')
  })
})

describe('the schedule service', () => {
  let h: EngineHarness | null = null
  afterEach(async () => {
    await h?.close()
    h = null
  })

  function scheduled(opts: { clearCron?: boolean; files?: number } = {}) {
    const fake = fakeDataHandler()
    const clock = fakeClock(Date.parse('2026-01-05T11:00:00Z'))
    const harness = engineHarness(fake.handler, { clock })
    fake.define('raw', Array.from({ length: opts.files ?? 4 }, (_, i) => `f${i}`))
    const stage = harness.stage('nightly', harness.jobType('j').id, { dataset: 'raw', splitType: 'nfiles(2)', defaultClearCronjob: opts.clearCron ?? true })
    return { harness, fake, clock, stage }
  }

  it('lists the next 5 runs, launches due runs as the person who set it, once per run time', async () => {
    const { harness, clock, stage } = scheduled()
    h = harness
    const set = harness.schedules.set(harness.alice, { stageId: stage.id, cron: '0 12 * * *', timezone: 'Europe/Zurich' })
    expect(set).toMatchObject({ stageId: stage.id, stageName: 'nightly', cron: '0 12 * * *', timezone: 'Europe/Zurich', clearWhenExhausted: true, launcher: 'alice', lastRunAt: null, lastOutcome: null })
    // Set at 12:00 Zurich time exactly: the next runs are strictly later.
    expect(iso(set.nextRuns)).toEqual(['2026-01-06T11:00:00.000Z', '2026-01-07T11:00:00.000Z', '2026-01-08T11:00:00.000Z', '2026-01-09T11:00:00.000Z', '2026-01-10T11:00:00.000Z'])
    expect(harness.emitted.filter((e) => e.name === 'schedules:changed')).toEqual([{ name: 'schedules:changed', payload: { experiment: 'demo', ids: [stage.id] } }])

    expect(await harness.schedules.runDue()).toEqual([])
    clock.set(Date.parse('2026-01-06T11:00:30Z'))
    const lines = await harness.schedules.runDue()
    const [sub] = harness.submissionsOf(stage.id)
    expect(lines).toEqual([`schedule of nightly: launched ${sub!.shortId}`])
    expect(harness.history(sub!.id)[0]).toMatchObject({ status: 'New', actor: 'alice', face: 'schedule', reason: 'scheduled launch (cron "0 12 * * *" in Europe/Zurich) set by alice' })
    expect(harness.deps.repos.submissions.idForIdempotencyKey('demo', `schedule:${stage.id}:${Date.parse('2026-01-06T11:00:00Z')}`)).toBe(sub!.id)
    const listed = harness.schedules.list(harness.alice)[0]!
    expect(listed).toMatchObject({ lastRunAt: Date.parse('2026-01-06T11:00:30Z'), lastOutcome: `launched ${sub!.shortId}` })
    expect(new Date(listed.nextRuns[0]!).toISOString()).toBe('2026-01-07T11:00:00.000Z')
    // The same minute again launches nothing more.
    expect(await harness.schedules.runDue()).toEqual([])
    expect(harness.submissionsOf(stage.id)).toHaveLength(1)
  })

  it('a run missed while the app was closed is not made up; the schedule goes on', async () => {
    const { harness, clock, stage } = scheduled()
    h = harness
    harness.schedules.set(harness.alice, { stageId: stage.id, cron: '0 12 * * *', timezone: 'Europe/Zurich' })
    clock.set(Date.parse('2026-01-08T09:00:00Z') + MISSED_AFTER_MS)
    expect(await harness.schedules.runDue()).toEqual(['schedule of nightly: missed the run of 2026-01-06T11:00:00.000Z (the app was not running); missed runs are not made up'])
    expect(harness.submissionsOf(stage.id)).toEqual([])
    const listed = harness.schedules.list(harness.alice)[0]!
    expect(listed.lastRunAt).toBeNull()
    expect(new Date(listed.nextRuns[0]!).toISOString()).toBe('2026-01-08T11:00:00.000Z')
  })

  it('a held stage queues the scheduled launch', async () => {
    const { harness, clock, stage } = scheduled()
    h = harness
    harness.schedules.set(harness.alice, { stageId: stage.id, cron: '*/10 * * * *', timezone: 'UTC' })
    harness.deps.repos.stages.setHold(stage.id, { by: 'alice', role: 'production', at: 1 }, 1)
    clock.set(Date.parse('2026-01-05T11:10:00Z'))
    expect(await harness.schedules.runDue()).toEqual(['schedule of nightly: queued: launches of this stage are held'])
    expect(harness.deps.repos.heldLaunches.list('demo')).toMatchObject([{ stageId: stage.id, launcher: 'alice' }])
    expect(harness.submissionsOf(stage.id)).toEqual([])
  })

  it('an exhausted split clears the schedule when the stage says so (default_clear_cronjob)', async () => {
    const { harness, clock, stage } = scheduled({ files: 2 })
    h = harness
    harness.schedules.set(harness.alice, { stageId: stage.id, cron: '*/10 * * * *', timezone: 'UTC' })
    clock.set(Date.parse('2026-01-05T11:10:00Z'))
    await harness.schedules.runDue()
    clock.set(Date.parse('2026-01-05T11:20:00Z'))
    expect(await harness.schedules.runDue()).toEqual([
      'schedule of nightly: not launched: No more splits in this campaign.; the schedule was removed because the split is exhausted',
    ])
    expect(harness.schedules.list(harness.alice)).toEqual([])
    expect(harness.deps.repos.audit.list('demo', { cursor: null, limit: 10 }).items[0]).toMatchObject({ actor: 'engine', action: 'unschedule' })
  })

  it('…and keeps it, counting the event, when it does not', async () => {
    const { harness, clock, stage } = scheduled({ files: 2, clearCron: false })
    h = harness
    harness.schedules.set(harness.alice, { stageId: stage.id, cron: '*/10 * * * *', timezone: 'UTC' })
    clock.set(Date.parse('2026-01-05T11:10:00Z'))
    await harness.schedules.runDue()
    for (const at of ['11:20', '11:30']) {
      clock.set(Date.parse(`2026-01-05T${at}:00Z`))
      expect(await harness.schedules.runDue()).toEqual(['schedule of nightly: not launched: No more splits in this campaign.'])
    }
    expect(harness.deps.repos.schedules.get(stage.id)).toMatchObject({ exhaustedCount: 2 })
    expect(harness.schedules.list(harness.alice)[0]).toMatchObject({ clearWhenExhausted: false, lastOutcome: 'not launched: No more splits in this campaign.' })
  })

  it('the schedule\'s own setting wins over the stage\'s; only who may act on the stage may schedule it', async () => {
    const { harness, stage } = scheduled({ clearCron: false })
    h = harness
    expect(harness.schedules.set(harness.alice, { stageId: stage.id, cron: '0 * * * *', timezone: 'UTC', clearWhenExhausted: true }).clearWhenExhausted).toBe(true)
    const ana = harness.actor('ana', 'analysis')
    expect(() => harness.schedules.set(ana, { stageId: stage.id, cron: '0 * * * *', timezone: 'UTC' })).toThrow(/ana acting as analysis may not schedule/)
    expect(() => harness.schedules.delete(ana, stage.id)).toThrow(/may not schedule/)
    expect(harness.schedules.delete(harness.alice, stage.id)).toEqual({ stageId: stage.id, deleted: true })
    expect(harness.schedules.delete(harness.alice, stage.id)).toEqual({ stageId: stage.id, deleted: false })
  })
})
