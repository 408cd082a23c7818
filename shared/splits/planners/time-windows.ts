import { filesText } from '../describe'
import { and, datasetDims, dimsText, endTime } from '../dims'
import { sliceNames, slicePrefix } from '../names'
import { cursorTo, exhausted, planned, SplitSetupError, type SplitContext, type SplitPlanner } from '../types'
import { zoneOffsetMs } from '../../time/zone-offset'

/**
 * `new(window=,round=,fts=,localtime=,firsttime=,lasttime=)` and `new_local(…)` (poms-reference.md
 * §4 table, §4.2): files whose end_time falls in consecutive windows. The cursor is the epoch second
 * where the next window starts; without one the first window starts at firsttime, or at the
 * boundary `lasttime − fts − window` (rounded down to `round`), the start of the newest complete
 * window. The split is exhausted when the next window would start after that boundary.
 */
const NOTES_NEW = [
  'A first window given by firsttime is checked against the boundary too; POMS checks only from the second launch.',
  'With localtime, window times are written in local time with their UTC offset, so they mean the same instant to any reader.',
]

export const newPlanner: SplitPlanner = { type: 'new', notes: NOTES_NEW, plan: (ctx) => planWindow(ctx, false) }

export const newLocalPlanner: SplitPlanner = {
  type: 'new_local',
  notes: [...NOTES_NEW, 'new_local runs as new with localtime=1 and its parameters, as POMS documents; POMS itself ignores the parameters and uses GMT.'],
  plan: (ctx) => planWindow(ctx, true),
}

const UNITS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 }

/** POMS's durations: a number with an optional w/d/h/m/s suffix, in seconds. */
export function parseDuration(text: string, name: string): number {
  const m = /^(\d+(?:\.\d+)?)([wdhms]?)$/.exec(text.trim())
  if (!m) throw new SplitSetupError(`new's ${name} must be a number with an optional w/d/h/m/s suffix, not "${text}"`)
  return Number(m[1]) * (m[2] ? UNITS[m[2]]! : 1)
}

async function planWindow(ctx: SplitContext, localDefault: boolean) {
  const p = ctx.params
  const seconds = (name: string, fallback: number) => Math.floor(p[name] === undefined || p[name] === '' ? fallback : parseDuration(p[name]!, name))
  const round = seconds('round', 1)
  if (round < 1) throw new SplitSetupError('new\'s round must be at least 1 second')
  const rawWindow = seconds('window', UNITS.w!)
  // POMS makes the window a multiple of round.
  const window = rawWindow - (rawWindow % round)
  if (window < 1) throw new SplitSetupError(`new's window (${rawWindow} s) is shorter than round (${round} s)`)
  const fts = seconds('fts', 1800)
  const lasttime = seconds('lasttime', ctx.now / 1000)
  const local = p.localtime === undefined || p.localtime === '' ? localDefault : parseDuration(p.localtime, 'localtime') !== 0
  const boundary = floorTo(lasttime - fts - window, round)

  const start = ctx.state.cursor ?? (p.firsttime === undefined || p.firsttime === '' ? boundary : seconds('firsttime', 0))
  if (start > boundary) {
    return exhausted(`the next window would start at ${render(start, local, ctx.timeZone)}, after the last complete window (${render(boundary, local, ctx.timeZone)} = lasttime − fts − window)`)
  }
  const end = start + window
  const from = render(start, local, ctx.timeZone)
  const to = render(end, local, ctx.timeZone)
  const dims = dimsText(and(datasetDims(ctx.dataset), endTime('>', from), endTime('<=', to)))
  const count = await ctx.catalog.countFiles(dims)
  const name = sliceNames.window(slicePrefix(ctx.dataset, ctx.stageName), ctx.newId(), start, end)
  return planned({
    dataset: name,
    dims,
    fileCount: count,
    definitions: [{ name, dims }],
    snapshot: null,
    next: cursorTo(end),
    description: `files of ${ctx.dataset} with end_time after ${from} up to ${to} (${filesText(count)})`,
  })
}

const floorTo = (value: number, step: number): number => Math.floor(value) - mod(Math.floor(value), step)
const mod = (a: number, b: number): number => ((a % b) + b) % b

/** `YYYY-MM-DDTHH:MM:SS` in GMT (POMS's default), or local wall-clock time with its offset. */
function render(epochSeconds: number, local: boolean, timeZone: string | null): string {
  const ms = epochSeconds * 1000
  if (!local) return new Date(ms).toISOString().slice(0, 19)
  const offsetMs = zoneOffsetMs(ms, timeZone ?? undefined)
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offsetMs).toISOString().slice(0, 19)
  const offsetMinutes = Math.round(offsetMs / 60000)
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`
}
