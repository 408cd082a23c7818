import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import ScheduleEditor from '../../renderer/src/components/schedules/ScheduleEditor.vue'
import { checkCron, describeCron, nextRunTimes } from '../../renderer/src/lib/cron'
import SchedulesView from '../../renderer/src/views/SchedulesView.vue'
import type { Schedule } from '../../shared/api/contract'
import { AppError } from '../../shared/errors'
import type { Handlers } from './support/fake-bridge'
import { campaign, schedule, uuid } from './support/fixtures'
import { mountAt, mountComponent } from './support/harness'

const STAGE_ID = uuid(2)
/** Wednesday 15 January 2025, 12:00 UTC. */
const NOW = Date.UTC(2025, 0, 15, 12, 0)
const LOCAL = Intl.DateTimeFormat().resolvedOptions().timeZone
const props = { stageId: STAGE_ID, stageName: 'generate', now: NOW }

let stored: Schedule[]

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'schedules:list': () => stored,
    'schedules:set': (input) => schedule(input.stageId, { cron: input.cron, timezone: input.timezone, clearWhenExhausted: input.clearWhenExhausted ?? true }),
    'schedules:delete': (input) => ({ stageId: input.stageId, deleted: true }),
    ...overrides,
  }
}

const find = (wrapper: Pick<VueWrapper, 'find'>, testid: string) => wrapper.find(`[data-testid="${testid}"]`)

beforeEach(() => {
  localStorage.clear()
  stored = []
})

describe('cron expressions', () => {
  it('accepts five fields only, and says why not', () => {
    expect(checkCron('  30   6 * *  1-5 ')).toEqual({ ok: true, expression: '30 6 * * 1-5' })
    expect(checkCron('0 0 6 * * *')).toMatchObject({ ok: false, message: expect.stringContaining('five fields') })
    expect(checkCron('@daily')).toMatchObject({ ok: false, message: expect.stringContaining('0 0 * * *') })
    expect(checkCron('61 * * * *')).toMatchObject({ ok: false, message: expect.stringContaining('minute') })
    expect(checkCron('')).toMatchObject({ ok: false })
  })

  it('reads common expressions in words', () => {
    expect(describeCron('30 6 * * 1-5')).toBe('at 06:30 on Monday to Friday')
    expect(describeCron('0 * * * *')).toBe('every hour on the hour every day')
    expect(describeCron('*/15 * * * *')).toBe('every 15 minutes every day')
    expect(describeCron('5 */6 * * *')).toBe('every 6 hours at 5 minutes past (from 00:05) every day')
    expect(describeCron('0 8,20 1 * *')).toBe('at 08:00 and 20:00 on day 1 of the month')
    expect(describeCron('0 2 * * sat,sun')).toBe('at 02:00 on Saturday and Sunday')
    expect(describeCron('0 3 1 jan,jul *')).toBe('at 03:00 on day 1 of the month, in January and July')
    expect(describeCron('0 3 13 * 5')).toBe('at 03:00 on day 13 of the month or on Friday')
  })

  it('counts the next runs in the schedule’s time zone', () => {
    const runs = nextRunTimes('30 6 * * 1-5', 'America/Chicago', 3, NOW)
    // NOW is 06:00 in Chicago; 06:30 there is 12:30 UTC in winter: Wednesday, Thursday, Friday.
    expect(runs.map((at) => new Date(at).toISOString())).toEqual(['2025-01-15T12:30:00.000Z', '2025-01-16T12:30:00.000Z', '2025-01-17T12:30:00.000Z'])
    // Read in Tokyo instead, the same expression runs 15 hours earlier in UTC.
    expect(new Date(nextRunTimes('30 6 * * 1-5', 'Asia/Tokyo', 1, NOW)[0]!).toISOString()).toBe('2025-01-15T21:30:00.000Z')
  })
})

describe('ScheduleEditor', () => {
  it('starts empty in the browser’s time zone and checks the expression and the zone as they are typed', async () => {
    const { wrapper } = await mountComponent(ScheduleEditor, props, handlers())
    expect(find(wrapper, 'schedule-none').exists()).toBe(true)
    expect(find(wrapper, 'schedule-timezone-input').element).toHaveProperty('value', LOCAL)
    expect(find(wrapper, 'schedule-save-button').attributes('disabled')).toBeDefined()

    await find(wrapper, 'schedule-cron-input').setValue('0 6 * *')
    expect(find(wrapper, 'field-error-cron').text()).toContain('five fields')
    expect(find(wrapper, 'schedule-next-run').exists()).toBe(false)
    expect(find(wrapper, 'schedule-save-button').attributes('disabled')).toBeDefined()

    await find(wrapper, 'schedule-cron-input').setValue('0 6 * * *')
    expect(find(wrapper, 'field-error-cron').exists()).toBe(false)
    expect(find(wrapper, 'schedule-cron-text').text()).toContain('at 06:00 every day')

    await find(wrapper, 'schedule-timezone-input').setValue('Mars/Olympus_Mons')
    expect(find(wrapper, 'field-error-timezone').text()).toContain('not an IANA time zone')
    expect(find(wrapper, 'schedule-save-button').attributes('disabled')).toBeDefined()
  })

  it('fills the expression from a preset and shows the next runs in the chosen zone and in local time', async () => {
    const { wrapper } = await mountComponent(ScheduleEditor, props, handlers())
    await find(wrapper, 'schedule-preset-time').setValue('07:30')
    await find(wrapper, 'schedule-preset-select').setValue('weekdays')
    expect(find(wrapper, 'schedule-cron-input').element).toHaveProperty('value', '30 7 * * 1-5')
    await find(wrapper, 'schedule-timezone-input').setValue(LOCAL === 'Asia/Tokyo' ? 'Europe/Berlin' : 'Asia/Tokyo')
    const zone = LOCAL === 'Asia/Tokyo' ? 'Europe/Berlin' : 'Asia/Tokyo'
    const runs = wrapper.findAll('[data-testid="schedule-next-run"]')
    expect(runs).toHaveLength(5)
    const expected = nextRunTimes('30 7 * * 1-5', zone, 5, NOW)
    expect(runs.map((row) => Number(row.attributes('data-at')))).toEqual(expected)
    // Each run read in the chosen zone is 07:30 on a weekday; a second column shows local time.
    for (const at of expected) {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' }).format(at)
      expect(parts).toMatch(/^(Mon|Tue|Wed|Thu|Fri),? 07:30$/)
    }
    expect(runs[0]!.findAll('td')).toHaveLength(2)
    expect(find(wrapper, 'schedule-next-runs').text()).toContain(`your time (${LOCAL})`)

    // Changing the preset's time rewrites the expression it made.
    await find(wrapper, 'schedule-preset-time').setValue('18:05')
    expect(find(wrapper, 'schedule-cron-input').element).toHaveProperty('value', '5 18 * * 1-5')
  })

  it('saves the schedule with its zone and clear-when-exhausted choice, and shows the saved state', async () => {
    const { wrapper, bridge } = await mountComponent(ScheduleEditor, { ...props, defaultClearWhenExhausted: false }, handlers())
    expect(find(wrapper, 'schedule-clear-checkbox').element).toHaveProperty('checked', false)
    await find(wrapper, 'schedule-cron-input').setValue(' 0  6 * * * ')
    await find(wrapper, 'schedule-timezone-input').setValue('Europe/Berlin')
    await find(wrapper, 'schedule-clear-checkbox').setValue(true)
    await find(wrapper, 'schedule-save-button').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('schedules:set')).toEqual([
      { experiment: 'samdev', role: 'production', stageId: STAGE_ID, cron: '0 6 * * *', timezone: 'Europe/Berlin', clearWhenExhausted: true },
    ])
    expect(find(wrapper, 'schedule-editor').attributes('data-scheduled')).toBe('true')
    expect(find(wrapper, 'schedule-saved').text()).toContain('at 06:00 every day')
    expect(find(wrapper, 'schedule-saved').text()).toContain('as alice')
    // Nothing changed since saving: nothing to save.
    expect(find(wrapper, 'schedule-save-button').attributes('disabled')).toBeDefined()
  })

  it('shows the server’s refusal next to the field it names', async () => {
    const { wrapper } = await mountComponent(
      ScheduleEditor,
      props,
      handlers({
        'schedules:set': () => {
          throw new AppError('BAD_INPUT', 'invalid schedule', { fields: [{ path: 'cron', message: 'this expression never runs' }] })
        },
      }),
    )
    await find(wrapper, 'schedule-cron-input').setValue('0 0 30 * *')
    await find(wrapper, 'schedule-save-button').trigger('submit')
    await flushPromises()
    expect(find(wrapper, 'field-error-cron').text()).toBe('this expression never runs')
  })

  it('edits an existing schedule and deletes it after confirmation', async () => {
    stored = [schedule(STAGE_ID, { lastRunAt: NOW - 3_600_000, lastOutcome: 'launched s-000042' })]
    const { wrapper, bridge } = await mountComponent(ScheduleEditor, props, handlers())
    expect(find(wrapper, 'schedule-cron-input').element).toHaveProperty('value', '30 6 * * 1-5')
    expect(find(wrapper, 'schedule-timezone-input').element).toHaveProperty('value', 'America/Chicago')
    expect(find(wrapper, 'schedule-saved').text()).toContain('launched s-000042')
    expect(find(wrapper, 'schedule-save-button').attributes('disabled')).toBeDefined()

    await find(wrapper, 'schedule-delete-button').trigger('click')
    expect(bridge.callsTo('schedules:delete')).toHaveLength(0)
    await find(wrapper, 'schedule-delete-button-confirm').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('schedules:delete')).toEqual([{ experiment: 'samdev', role: 'production', stageId: STAGE_ID }])
    expect(find(wrapper, 'schedule-none').exists()).toBe(true)
    expect(find(wrapper, 'schedule-cron-input').element).toHaveProperty('value', '')
  })

  it('lets someone who may not launch the stage read it, not change it', async () => {
    stored = [schedule(STAGE_ID)]
    const { wrapper } = await mountComponent(ScheduleEditor, { ...props, mayEdit: false }, handlers())
    expect(find(wrapper, 'schedule-cron-input').attributes('disabled')).toBeDefined()
    expect(find(wrapper, 'schedule-save-button').attributes('disabled')).toBeDefined()
    expect(find(wrapper, 'schedule-delete-button').attributes('disabled')).toBeDefined()
  })
})

describe('SchedulesView', () => {
  it('lists every schedule, soonest first, with its next run, launcher and last outcome', async () => {
    stored = [
      schedule(uuid(3), { stageName: 'process', cron: '0 * * * *', timezone: 'UTC', nextRuns: [NOW + 7_200_000], launcher: 'bob', lastOutcome: 'No more splits in this campaign.', lastRunAt: NOW - 1000 }),
      schedule(uuid(2), { stageName: 'generate', nextRuns: [NOW + 3_600_000] }),
    ]
    const { wrapper } = await mountAt('/schedules', SchedulesView, {
      ...handlers(),
      'campaigns:list': () => ({ items: [campaign(1)], nextCursor: null }),
    })
    const rows = wrapper.findAll('[data-testid="schedules-row"]')
    expect(rows.map((row) => row.attributes('data-stage-id'))).toEqual([uuid(2), uuid(3)])
    expect(rows[0]!.text()).toContain('generate')
    expect(rows[0]!.text()).toContain('campaign-1')
    expect(rows[0]!.text()).toContain('at 06:30 on Monday to Friday (America/Chicago)')
    expect(rows[0]!.find('[data-testid="schedules-next-run"]').attributes('data-at')).toBe(String(NOW + 3_600_000))
    expect(rows[1]!.text()).toContain('bob')
    expect(rows[1]!.find('[data-testid="schedules-last-outcome"]').text()).toBe('No more splits in this campaign.')
    expect(rows[0]!.find('[data-testid="schedule-stage-link"]').attributes('href')).toBe(`/campaigns/${uuid(1)}/stages/${uuid(2)}/edit`)
  })

  it('says when nothing is scheduled', async () => {
    const { wrapper } = await mountAt('/schedules', SchedulesView, { ...handlers(), 'campaigns:list': () => ({ items: [], nextCursor: null }) })
    expect(wrapper.find('[data-testid="schedules-empty"]').exists()).toBe(true)
  })
})
