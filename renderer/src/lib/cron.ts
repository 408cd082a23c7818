import { Cron } from 'croner'

/**
 * Cron schedules as the engine reads them (shared/api/contract.ts Schedule): five fields, minute
 * hour day-of-month month day-of-week, in an IANA time zone; day-of-month and day-of-week match
 * either (Vixie cron's OR, as POMS's crontab entries did). Checked and previewed with croner, the
 * library the project pinned for schedules; the engine's own next runs are shown once saved.
 */

export type CronCheck = { ok: true; expression: string } | { ok: false; message: string }

const FIELD_NAMES = ['minute', 'hour', 'day of month', 'month', 'day of week'] as const

/** Collapses blanks; refuses anything but five fields (no seconds, no @nicknames). */
export function checkCron(text: string): CronCheck {
  const expression = text.trim().split(/\s+/).join(' ')
  if (expression === '') return { ok: false, message: 'a cron expression is required, e.g. 0 6 * * *' }
  if (expression.startsWith('@')) return { ok: false, message: `write the five fields instead of ${expression} (e.g. 0 0 * * * for @daily)` }
  const fields = expression.split(' ')
  if (fields.length !== 5) {
    return { ok: false, message: `a cron expression has five fields (${FIELD_NAMES.join(', ')}); this has ${fields.length}` }
  }
  try {
    new Cron(expression, { paused: true, mode: '5-part' })
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message.replace(/^CronPattern:\s*/, '') : String(thrown)
    return { ok: false, message }
  }
  return { ok: true, expression }
}

export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/** The IANA zones this browser knows, for the picker (UTC first). */
export function timeZoneNames(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')]
}

/** The next `count` run times (epoch ms) of a valid expression read in `timeZone`, after `from`. */
export function nextRunTimes(expression: string, timeZone: string, count: number, from: number = Date.now()): number[] {
  const job = new Cron(expression, { paused: true, mode: '5-part', timezone: timeZone })
  return job.nextRuns(count, new Date(from)).map((date) => date.getTime())
}

// --- in words ---

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']
const DAY_ABBR = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const MONTH_ABBR = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

type Part = { kind: 'any' } | { kind: 'value'; value: number } | { kind: 'range'; from: number; to: number; step: number } | { kind: 'step'; step: number }

function namesToNumbers(field: string, names: readonly string[], base: number): string {
  return field.toLowerCase().replace(/[a-z]{3}/g, (name) => {
    const index = names.indexOf(name)
    return index < 0 ? name : String(index + base)
  })
}

function parseParts(field: string): Part[] {
  return field.split(',').map((item): Part => {
    const [range = '', stepText] = item.split('/')
    const step = stepText === undefined ? 1 : Number(stepText)
    if (range === '*') return step === 1 ? { kind: 'any' } : { kind: 'step', step }
    const [from, to] = range.split('-').map(Number)
    if (to === undefined) return stepText === undefined ? { kind: 'value', value: from! } : { kind: 'range', from: from!, to: Infinity, step }
    return { kind: 'range', from: from!, to, step }
  })
}

const pad = (n: number): string => String(n).padStart(2, '0')

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('')
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
}

function partWords(parts: Part[], name: (n: number) => string, unit: string): string {
  return joinWords(
    parts.map((part) => {
      switch (part.kind) {
        case 'any':
          return `every ${unit}`
        case 'step':
          return `every ${part.step} ${unit}s`
        case 'value':
          return name(part.value)
        case 'range': {
          const to = part.to === Infinity ? 'the end' : name(part.to)
          return part.step === 1 ? `${name(part.from)} to ${to}` : `every ${part.step} ${unit}s from ${name(part.from)} to ${to}`
        }
      }
    }),
  )
}

const values = (parts: Part[]): number[] | null => (parts.every((p) => p.kind === 'value') ? parts.map((p) => (p as { value: number }).value) : null)

function timeWords(minuteField: string, hourField: string): string {
  const minutes = parseParts(minuteField)
  const hours = parseParts(hourField)
  const minuteValues = values(minutes)
  const hourValues = values(hours)
  const onlyMinute = minuteValues?.length === 1 ? minuteValues[0]! : null
  if (minuteValues && hourValues) {
    const times = hourValues.flatMap((h) => minuteValues.map((m) => `${pad(h)}:${pad(m)}`))
    return `at ${joinWords(times)}`
  }
  const hour = hours.length === 1 ? hours[0]! : null
  if (onlyMinute !== null && hour) {
    const past = onlyMinute === 0 ? 'on the hour' : `at ${onlyMinute} minute${onlyMinute === 1 ? '' : 's'} past`
    if (hour.kind === 'any') return `every hour ${past}`
    if (hour.kind === 'step') return `every ${hour.step} hours ${past} (from 00:${pad(onlyMinute)})`
    if (hour.kind === 'range' && hour.to !== Infinity) {
      const every = hour.step === 1 ? 'every hour' : `every ${hour.step} hours`
      return `${every} ${past}, from ${pad(hour.from)}:${pad(onlyMinute)} to ${pad(hour.to)}:${pad(onlyMinute)}`
    }
  }
  const minute = minutes.length === 1 ? minutes[0]! : null
  if (minute && hour?.kind === 'any') {
    if (minute.kind === 'any') return 'every minute'
    if (minute.kind === 'step') return `every ${minute.step} minutes`
  }
  const minuteText = partWords(minutes, String, 'minute')
  const hourText = partWords(hours, pad, 'hour')
  return `at minute ${minuteText} of hour ${hourText}`
}

function dayWords(domField: string, monthField: string, dowField: string): string {
  const dom = parseParts(domField)
  const dow = parseParts(namesToNumbers(dowField, DAY_ABBR, 0)).map((part) =>
    part.kind === 'value' && part.value === 7 ? { ...part, value: 0 } : part.kind === 'range' && part.to === 7 ? { ...part, to: 6 } : part,
  )
  const months = parseParts(namesToNumbers(monthField, MONTH_ABBR, 1))
  const anyDom = dom.length === 1 && dom[0]!.kind === 'any'
  const anyDow = dow.length === 1 && dow[0]!.kind === 'any'
  const domText = `on day ${partWords(dom, String, 'day')} of the month`
  const dowText = `on ${partWords(dow, (n) => DAYS[n] ?? String(n), 'day')}`
  const days = anyDom && anyDow ? 'every day' : anyDom ? dowText : anyDow ? domText : `${domText} or ${dowText}`
  const anyMonth = months.length === 1 && months[0]!.kind === 'any'
  return anyMonth ? days : `${days}, in ${partWords(months, (n) => MONTHS[n - 1] ?? String(n), 'month')}`
}

/** "at 06:30 on Monday to Friday", "every 15 minutes every day"; the expression itself if unreadable. */
export function describeCron(expression: string): string {
  const check = checkCron(expression)
  if (!check.ok) return check.message
  const [minute, hour, dom, month, dow] = check.expression.split(' ') as [string, string, string, string, string]
  return `${timeWords(minute, hour)} ${dayWords(dom, month, dow)}`
}

// --- presets ---

export interface CronPreset {
  id: string
  label: string
  /** Whether the preset reads the hour of the chosen time (hourly ones use only its minute). */
  usesHour: boolean
  build(hour: number, minute: number): string
}

export const CRON_PRESETS: readonly CronPreset[] = [
  { id: 'hourly', label: 'Every hour', usesHour: false, build: (_h, m) => `${m} * * * *` },
  { id: 'six-hourly', label: 'Every 6 hours', usesHour: false, build: (_h, m) => `${m} */6 * * *` },
  { id: 'daily', label: 'Daily', usesHour: true, build: (h, m) => `${m} ${h} * * *` },
  { id: 'weekdays', label: 'Weekdays (Monday to Friday)', usesHour: true, build: (h, m) => `${m} ${h} * * 1-5` },
  { id: 'weekly', label: 'Weekly on Monday', usesHour: true, build: (h, m) => `${m} ${h} * * 1` },
  { id: 'monthly', label: 'Monthly on the 1st', usesHour: true, build: (h, m) => `${m} ${h} 1 * *` },
]
