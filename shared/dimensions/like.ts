/**
 * How string values of a dimension match (file_name, version, consumed_status, project names):
 * SAM compares with SQL LIKE when the operator is `like`, or when the value holds a `%` or `?`
 * (its "Updated dimensions syntax" page); otherwise the comparison is exact. In a pattern `%` is any
 * run of characters (also none), `_` and SAM's `?` are exactly one character, and `\` makes the next
 * character literal. Matching is case-sensitive, as PostgreSQL's LIKE that SAM runs on.
 */
export type StringMatcher = (value: string) => boolean

export const isWildcardValue = (value: string): boolean => value.includes('%') || value.includes('?')

export function likeMatcher(pattern: string): StringMatcher {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (ch === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]!)
    else if (ch === '%') source += '[\\s\\S]*'
    else if (ch === '_' || ch === '?') source += '[\\s\\S]'
    else source += escapeRegExp(ch)
  }
  const re = new RegExp(`^${source}$`, 'u')
  return (value) => re.test(value)
}

/** One matcher for a value list: exact values through a Set, patterns through LIKE. */
export function valuesMatcher(values: readonly string[], forceLike: boolean): StringMatcher {
  const exact = new Set<string>()
  const patterns: StringMatcher[] = []
  for (const v of values) {
    if (forceLike || isWildcardValue(v)) patterns.push(likeMatcher(v))
    else exact.add(v)
  }
  if (patterns.length === 0) return (value) => exact.has(value)
  return (value) => exact.has(value) || patterns.some((p) => p(value))
}

// Only syntax characters may be escaped in a 'u' regular expression.
const escapeRegExp = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
