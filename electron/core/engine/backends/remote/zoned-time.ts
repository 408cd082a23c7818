import { zoneOffsetMs } from '../../../../../shared/time/zone-offset'

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/

/**
 * A wall-clock time printed by a remote tool without a zone (`2026-11-29T20:44:24`, Slurm's
 * completion log) read in the host's IANA zone, as epoch ms. Null for text that is no such time
 * (`Unknown`, `None`). In a DST gap the time is read with the offset before the change; in the
 * repeated hour the first occurrence wins.
 */
export function zonedTimeToEpoch(text: string, zone: string): number | null {
  const m = LOCAL_TIME.exec(text.trim())
  if (!m) return null
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[]
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, Number.isNaN(s) ? 0 : s!)
  // The offset at the guess can differ from the offset at the answer near a DST change: settle it.
  const first = wall - zoneOffsetMs(wall, zone)
  const second = wall - zoneOffsetMs(first, zone)
  if (first === second) return first
  const earlier = Math.min(first, second)
  return earlier + zoneOffsetMs(earlier, zone) === wall ? earlier : Math.max(first, second)
}
