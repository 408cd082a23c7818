import { fieldCandidates } from './problem-paths'

const FOCUSABLE = 'input, select, textarea, button'

/**
 * Puts the keyboard on the control for `field` inside `root` (controls carry
 * `data-field="<path>"` or `data-testid="field-<path>"`), trying the most specific path first; a group (a rows editor)
 * gets its first control. True when something took focus.
 */
export function focusField(root: HTMLElement | null, field: string | null): boolean {
  if (!root) return false
  for (const candidate of fieldCandidates(field)) {
    const found =
      root.querySelector<HTMLElement>(`[data-field="${CSS.escape(candidate)}"]`) ??
      root.querySelector<HTMLElement>(`[data-testid="field-${CSS.escape(candidate)}"]`)
    if (!found) continue
    const target = found.matches(FOCUSABLE) ? found : found.querySelector<HTMLElement>(FOCUSABLE)
    if (!target) continue
    target.focus()
    target.scrollIntoView?.({ block: 'nearest' })
    return true
  }
  return false
}
