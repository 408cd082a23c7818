/** A stretch of a side-by-side diff: lines shown, or a run of unchanged lines folded away. */
export type DiffSegment = { kind: 'shown'; start: number; end: number } | { kind: 'folded'; start: number; end: number }

/**
 * Folds long runs of unchanged lines, keeping `context` lines next to each change (as `diff -U`
 * does). A run is folded only when that hides at least `minFolded` lines; `expanded` names runs
 * (by their first line) the person opened. `end` is exclusive.
 */
export function foldUnchanged(
  kinds: readonly string[],
  options: { context?: number; minFolded?: number; expanded?: ReadonlySet<number> } = {},
): DiffSegment[] {
  const context = options.context ?? 3
  const minFolded = options.minFolded ?? 4
  const expanded = options.expanded ?? new Set<number>()
  const segments: DiffSegment[] = []
  const show = (start: number, end: number) => {
    if (end <= start) return
    const last = segments[segments.length - 1]
    if (last?.kind === 'shown' && last.end === start) last.end = end
    else segments.push({ kind: 'shown', start, end })
  }
  let i = 0
  while (i < kinds.length) {
    if (kinds[i] !== 'same') {
      show(i, i + 1)
      i++
      continue
    }
    let j = i
    while (j < kinds.length && kinds[j] === 'same') j++
    // Unchanged run [i, j): keep context after the previous change and before the next one.
    const keepBefore = i === 0 ? 0 : context
    const keepAfter = j === kinds.length ? 0 : context
    const foldStart = i + keepBefore
    const foldEnd = j - keepAfter
    const foldedRun = foldEnd - foldStart >= minFolded && !expanded.has(foldStart)
    if (foldedRun) {
      show(i, foldStart)
      segments.push({ kind: 'folded', start: foldStart, end: foldEnd })
      show(foldEnd, j)
    } else {
      show(i, j)
    }
    i = j
  }
  return segments
}
