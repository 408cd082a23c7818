import type { JobCounts } from '../../../shared/domain'

/** The user's own locale and time zone (architecture.md §4: stored UTC, shown local). */
const localDateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })

export const localTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone

export function formatDateTime(epochMs: number | null | undefined): string {
  return epochMs == null ? '—' : localDateTime.format(epochMs)
}

/** ISO-8601 UTC, for `<time datetime>` and tooltips. */
export function formatIsoUtc(epochMs: number): string {
  return new Date(epochMs).toISOString()
}

const DURATION_UNITS: ReadonlyArray<[label: string, seconds: number]> = [
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
]

/** `3h 5m`, `42s`: the two largest non-zero units are enough to read a job's wall time. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null) return '—'
  let rest = Math.round(seconds)
  if (rest === 0) return '0s'
  const parts: string[] = []
  for (const [label, size] of DURATION_UNITS) {
    const count = Math.floor(rest / size)
    if (count > 0) parts.push(`${count}${label}`)
    rest -= count * size
  }
  return parts.slice(0, 2).join(' ')
}

export function formatMegabytes(mb: number | null | undefined): string {
  if (mb == null) return '—'
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** "4/5 done, 1 failed": finished jobs over all jobs, then whatever needs attention. */
export function summarizeJobs(counts: JobCounts): string {
  if (counts.total === 0) return 'no jobs'
  const done = counts.completed + counts.failed + counts.removed
  const notes = [
    counts.failed > 0 ? `${counts.failed} failed` : null,
    counts.held > 0 ? `${counts.held} held` : null,
    counts.removed > 0 ? `${counts.removed} removed` : null,
    counts.running > 0 ? `${counts.running} running` : null,
  ].filter((note): note is string => note !== null)
  return [`${done}/${counts.total} done`, ...notes].join(', ')
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>()

/** An instant as a clock in `timeZone` shows it, with the weekday and the zone's abbreviation. */
export function formatInZone(epochMs: number, timeZone: string): string {
  let format = zoneFormats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, {
      timeZone,
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    })
    zoneFormats.set(timeZone, format)
  }
  return format.format(epochMs)
}
