import type { Stage } from '../../../shared/domain/stage'

/**
 * Where a stage's split stands after an edit: a change of the split type or the dataset starts the
 * split over; anything else keeps its position. Every path that edits stages asks here.
 */
export function splitCursorAfterEdit(existing: Pick<Stage, 'splitType' | 'dataset' | 'splitCursor'> | null, next: Pick<Stage, 'splitType' | 'dataset'>): number | null {
  if (!existing || existing.splitType !== next.splitType || existing.dataset !== next.dataset) return null
  return existing.splitCursor
}
