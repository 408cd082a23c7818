const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? ''
  let f = formatters.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(key, f)
  }
  return f
}

/**
 * How far an IANA zone's wall clock (this process's zone when none is given) is ahead of UTC at
 * the instant `epochMs`, in ms, to the second.
 */
export function zoneOffsetMs(epochMs: number, zone?: string): number {
  const parts: Record<string, number> = {}
  for (const p of formatterFor(zone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value)
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!)
  return wall - Math.floor(epochMs / 1000) * 1000
}
