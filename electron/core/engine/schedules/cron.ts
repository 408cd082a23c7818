import { Cron } from 'croner'
import { badInput } from '../../../../shared/errors'

/** True when `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week, as crontab and POMS's
 * schedule page write them) read in an IANA zone. Day of month and day of week combine with OR, as
 * in Vixie cron. Never started: croner only computes the runs; the engine launches them.
 */
export function parseCron(expression: string, timezone: string): Cron {
  if (!isTimeZone(timezone)) throw badInput(`"${timezone}" is not an IANA time zone (e.g. America/Chicago, Europe/Zurich, UTC)`, [{ path: 'timezone', message: 'not an IANA time zone' }])
  try {
    return new Cron(expression.trim(), { timezone, mode: '5-part', paused: true })
  } catch (err) {
    const message = (err as Error).message.replace(/^CronPattern: /, '')
    throw badInput(`"${expression}" is not a five-field cron expression (minute hour day-of-month month day-of-week): ${message}`, [{ path: 'cron', message }])
  }
}

/** The next `count` run times (epoch ms) strictly after `after`. */
export function nextRunTimes(cron: Cron, count: number, after: number): number[] {
  return cron.nextRuns(count, new Date(after)).map((d) => d.getTime())
}
