/**
 * The `%` rule of POMS's workflow editor (`json_field_editor.validate_percent_formats`): every `%`
 * in a launch-relevant field must be `%%` or `%(word)s` with a known word. At launch POMS
 * %-formats these fields, so anything else makes the launch fail.
 */

/** The `%(name)s` words POMS always provides (poms-reference.md §3.5.1; shared/domain/launch-env.ts). */
export const BASE_VARIABLES = ['dataset', 'parameter', 'version', 'group', 'experimenter', 'experiment'] as const

export type PercentIssueKind = 'lone-percent' | 'unclosed' | 'bad-conversion' | 'unknown-variable' | 'escaped-variable'

export interface PercentIssue {
  kind: PercentIssueKind
  /** 0-based index of the `%` in the text. */
  index: number
  message: string
}

/**
 * Every `%` problem in `text`. `known` is the set of words `%(word)s` may use (null: do not check
 * words). `%%(word)s` is valid syntax but reported as 'escaped-variable': it was written for the old
 * interpolating parser and now reaches the launch as the literal text `%(word)s`.
 */
export function percentIssues(text: string, known: ReadonlySet<string> | null): PercentIssue[] {
  const issues: PercentIssue[] = []
  let k = text.indexOf('%')
  while (k >= 0) {
    const next = text[k + 1]
    if (next === '%') {
      const after = /^\(([A-Za-z_][A-Za-z0-9_]*)\)s/.exec(text.slice(k + 2))
      if (after) {
        issues.push({
          kind: 'escaped-variable',
          index: k,
          message: `"%%(${after[1]})s" becomes the literal text "%(${after[1]})s" at launch (POMS no longer reads %% as an escape in files); write %(${after[1]})s to substitute ${after[1]}`,
        })
      }
      k = text.indexOf('%', k + 2)
      continue
    }
    if (next !== '(') {
      const shown = next === undefined ? 'at the end' : `before "${next}"`
      issues.push({ kind: 'lone-percent', index: k, message: `a lone % ${shown}; write %% for a literal % or %(name)s for a variable` })
      k = text.indexOf('%', k + 1)
      continue
    }
    const close = text.indexOf(')', k)
    if (close < 0) {
      issues.push({ kind: 'unclosed', index: k, message: 'missing ")" after %(' })
      break
    }
    const word = text.slice(k + 2, close)
    if (text[close + 1] !== 's') {
      issues.push({ kind: 'bad-conversion', index: k, message: `%(${word}) must be followed by s: %(${word})s` })
    } else if (known && !known.has(word)) {
      issues.push({
        kind: 'unknown-variable',
        index: k,
        message: `unknown variable %(${word})s; known: ${[...known].join(', ')}`,
      })
    }
    k = text.indexOf('%', close + 1)
  }
  return issues
}

/** Legacy (POMS ≤ v4.0) `%{name}` placeholders for words we know, with their modern `%(name)s` form. */
export function modernisePlaceholders(text: string, known: ReadonlySet<string>): { text: string; replaced: { index: number; from: string; to: string }[] } {
  const replaced: { index: number; from: string; to: string }[] = []
  const out = text.replace(/%\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match: string, word: string, index: number) => {
    if (!known.has(word)) return match
    replaced.push({ index, from: match, to: `%(${word})s` })
    return `%(${word})s`
  })
  return { text: out, replaced }
}
