import type { Submission } from '../../../shared/domain/submission'

/** How a submission came from its parent: a recovery of it (same stage) or a dependent launch on its outputs. */
export type Relation = 'recovery' | 'dependent'

/** What a row needs to know of a parent that may not be in the list shown. */
export interface ParentSummary {
  id: string
  shortId: string
  stageId: string
}

/**
 * A submission's parent is recorded as `parentSubmissionId`; a recovery relaunches the parent's
 * own stage (poms-reference.md §5.3), a dependent launch runs another stage on its outputs (§6).
 */
export function relationTo(child: Pick<Submission, 'stageId'>, parent: Pick<ParentSummary, 'stageId'>): Relation {
  return child.stageId === parent.stageId ? 'recovery' : 'dependent'
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
/** `poms_depends_<sid>_<i>` and the analysis variant `poms_<user>_depends_<sid>_<i>` (§6.3). */
const DEPENDS = new RegExp(`^poms_(?:.+_)?depends_(${UUID})_\\d+$`, 'i')
/** `poms_recover_<uuid>_<sid>_<position>` (§5.1). */
const RECOVER = new RegExp(`^poms_recover_${UUID}_(${UUID})_\\d+$`, 'i')

/**
 * Where a submission came from. Recoveries record their parent; dependent launches record it only
 * in the name of the dataset they were given, which POMS's stage page parses too (§5.6) — so do we.
 */
export function parentLink(item: Pick<Submission, 'parentSubmissionId' | 'dataset' | 'id'>): { id: string; relation: Relation | null } | null {
  if (item.parentSubmissionId !== null) return { id: item.parentSubmissionId, relation: null }
  const dataset = item.dataset.trim()
  const depends = DEPENDS.exec(dataset)
  if (depends && depends[1]!.toLowerCase() !== item.id) return { id: depends[1]!.toLowerCase(), relation: 'dependent' }
  const recover = RECOVER.exec(dataset)
  if (recover && recover[1]!.toLowerCase() !== item.id) return { id: recover[1]!.toLowerCase(), relation: 'recovery' }
  return null
}

/** The parent's id, from `parentSubmissionId` or the dataset name. */
export const parentIdOf = (item: Pick<Submission, 'parentSubmissionId' | 'dataset' | 'id'>): string | null => parentLink(item)?.id ?? null

/** How `child` relates to `parent`: what its dataset name says, else same stage (recovery) or not (dependent). */
export function relationOf(child: Pick<Submission, 'parentSubmissionId' | 'dataset' | 'id' | 'stageId'>, parent: Pick<ParentSummary, 'stageId'>): Relation {
  return parentLink(child)?.relation ?? relationTo(child, parent)
}

export interface LineageRow {
  submission: Submission
  depth: number
  relation: Relation | null
  parent: ParentSummary | null
}

/**
 * Rows in list order, except that a child whose parent is in the list is moved under it (oldest
 * child first), indented one level per generation — as POMS's Campaign Stage Submissions page
 * indents ↺ recoveries and ↳ dependents under their parents. Children whose parent is not shown
 * keep their place and say which parent they came from.
 */
export function arrangeLineage(items: readonly Submission[], knownParents: ReadonlyMap<string, ParentSummary> = new Map()): LineageRow[] {
  const byId = new Map(items.map((item) => [item.id, item]))
  const children = new Map<string, Submission[]>()
  for (const item of items) {
    const parentId = parentIdOf(item)
    if (parentId !== null && parentId !== item.id && byId.has(parentId)) {
      const siblings = children.get(parentId) ?? []
      siblings.push(item)
      children.set(parentId, siblings)
    }
  }
  const rows: LineageRow[] = []
  const placed = new Set<string>()
  const summaryOf = (id: string | null): ParentSummary | null => {
    if (id === null) return null
    const shown = byId.get(id)
    return shown ? { id: shown.id, shortId: shown.shortId, stageId: shown.stageId } : (knownParents.get(id) ?? null)
  }
  const place = (item: Submission, depth: number) => {
    if (placed.has(item.id)) return
    placed.add(item.id)
    const parent = summaryOf(parentIdOf(item))
    rows.push({ submission: item, depth, relation: parent ? relationOf(item, parent) : null, parent })
    const own = [...(children.get(item.id) ?? [])].sort((a, b) => a.createdAt - b.createdAt)
    for (const child of own) place(child, depth + 1)
  }
  for (const item of items) {
    const parentId = parentIdOf(item)
    // Placed under its parent when the parent is shown (and not part of a cycle).
    if (parentId !== null && byId.has(parentId) && !inCycle(item, byId)) continue
    place(item, 0)
  }
  // Anything left belongs to a cycle of parents, which real data never has; show it flat.
  for (const item of items) place(item, 0)
  return rows
}

function inCycle(item: Submission, byId: ReadonlyMap<string, Submission>): boolean {
  const seen = new Set<string>([item.id])
  let parentId = parentIdOf(item)
  while (parentId !== null) {
    if (seen.has(parentId)) return true
    seen.add(parentId)
    const parent = byId.get(parentId)
    parentId = parent ? parentIdOf(parent) : null
  }
  return false
}
