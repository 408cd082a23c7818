import { parseSplitSpec } from '../../../shared/domain/split-types'

/** The split type a spec names (`nfiles(5)` → `nfiles`), or null for no splitting or an unreadable spec. */
export function splitTypeName(spec: string | null): string | null {
  const parsed = parseSplitSpec(spec)
  return parsed.ok ? parsed.type : null
}

/** Types whose cursor is a SAM snapshot id of everything delivered so far (poms-reference.md §4.2). */
const SNAPSHOT_TYPES = new Set(['drainingn', 'stagedfiles', 'byexistingruns'])
/** Types that never use the cursor. */
const CURSORLESS_TYPES = new Set(['draining', 'limitn'])

/**
 * What a stored split cursor means for a split type, in words: the cursor is an index, a run
 * number, an epoch second or a snapshot id depending on the type (shared/domain/stage.ts).
 */
export function describeCursor(spec: string | null, cursor: number | null): string {
  const type = splitTypeName(spec)
  if (type === null) return spec === null ? 'no split: every launch gets the dataset as written' : 'unreadable split spec'
  if (CURSORLESS_TYPES.has(type)) return `${type} does not use a cursor`
  if (cursor === null) {
    if (type === 'new' || type === 'new_local') return 'at the start: the first window begins at firsttime (or now − fts − window)'
    if (type === 'byrun') return 'at the start: the next launch takes run low'
    if (SNAPSHOT_TYPES.has(type)) return 'at the start: no file delivered yet'
    return 'at the start: the next launch takes the first slice'
  }
  switch (type) {
    case 'list':
    case 'multiparam':
      return `${cursor}: the next launch takes item ${cursor + 1} (0-based index ${cursor})`
    case 'mod':
    case 'nfiles':
      return `${cursor}: ${cursor} slice${cursor === 1 ? '' : 's'} taken, the next launch takes slice ${cursor}`
    case 'byrun':
      return `${cursor}: the next launch takes run ${cursor}`
    case 'new':
    case 'new_local':
      return `${cursor}: the next window starts at ${new Date(cursor * 1000).toISOString()}`
    default:
      return SNAPSHOT_TYPES.has(type) ? `${cursor}: the SAM snapshot of every file delivered so far` : String(cursor)
  }
}
