/**
 * Dates in dimension queries (`create_date > '2026-01-01T00:00:00+0000'`, `end_time <= '…'`), as
 * POMS writes them and as SAM's syntax page shows them: `YYYY-MM-DD` or `YYYY/MM/DD`, optionally
 * followed by `T` or a space and `HH:MM[:SS[.fff]]`, optionally followed by `Z`, `±HH`, `±HHMM` or
 * `±HH:MM`; or SAM's `DD-Mon-YYYY`. A time without a zone is UTC (SAM would use the client's
 * `Timezone:` header; POMS always writes an offset).
 */
const ISO = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i
const SAM_DAY = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']

/** Epoch milliseconds, or null when the text is not a date of the forms above. */
export function parseDimensionDate(text: string): number | null {
  const trimmed = text.trim()
  const day = SAM_DAY.exec(trimmed)
  if (day) {
    const month = MONTHS.indexOf(day[2]!.toLowerCase())
    return month < 0 ? null : utc(Number(day[3]), month + 1, Number(day[1]), 0, 0, 0, 0, 0)
  }
  const m = ISO.exec(trimmed)
  if (!m) return null
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m
  const ms = Number(frac.padEnd(3, '0').slice(0, 3))
  const offset = zoneOffsetMinutes(zone)
  return offset === null ? null : utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms, offset)
}

function zoneOffsetMinutes(zone: string): number | null {
  if (zone.toUpperCase() === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2) || '0')
  if (hours > 23 || minutes > 59) return null
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes)
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMinutes: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate()
  if (d > daysInMonth) return null
  return Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000
}
