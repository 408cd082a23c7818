/**
 * Python configparser's BasicInterpolation (`%(name)s`, `%%`), which fife_launch uses for every
 * value it reads. Reproduced from Python 3.11 `BasicInterpolation._interpolate_some` and
 * `before_set`, including the depth limit and the error wording.
 */

export const MAX_INTERPOLATION_DEPTH = 10

/** `_KEYCRE`, anchored as `re.match` is. `[^)]` also matches newlines, as in Python. */
const KEY_AT_START = /^%\(([^)]+)\)s/
const KEY_ANYWHERE = /%\(([^)]+)\)s/g

export type InterpolationErrorKind = 'InterpolationSyntaxError' | 'InterpolationMissingOptionError' | 'InterpolationDepthError'

export interface InterpolationError {
  kind: InterpolationErrorKind
  message: string
  /** For a missing reference: the name that was not found. */
  name?: string
}

export type Interpolated = { ok: true; value: string } | { ok: false; error: InterpolationError }

/** Expands `value` against `lookup` (vars, then section, then DEFAULT, as the caller arranges). */
export function interpolate(value: string, lookup: (name: string) => string | undefined): Interpolated {
  const accum: string[] = []
  const error = interpolateSome(accum, value, lookup, 1)
  return error ? { ok: false, error } : { ok: true, value: accum.join('') }
}

function interpolateSome(accum: string[], rest: string, lookup: (name: string) => string | undefined, depth: number): InterpolationError | null {
  if (depth > MAX_INTERPOLATION_DEPTH) {
    return { kind: 'InterpolationDepthError', message: `references nest more than ${MAX_INTERPOLATION_DEPTH} deep (a reference loop?)` }
  }
  while (rest) {
    const p = rest.indexOf('%')
    if (p < 0) {
      accum.push(rest)
      return null
    }
    if (p > 0) {
      accum.push(rest.slice(0, p))
      rest = rest.slice(p)
    }
    const c = rest.slice(1, 2)
    if (c === '%') {
      accum.push('%')
      rest = rest.slice(2)
    } else if (c === '(') {
      const m = KEY_AT_START.exec(rest)
      if (!m) return { kind: 'InterpolationSyntaxError', message: `bad interpolation variable reference ${pyRepr(rest)}` }
      const name = m[1]!
      rest = rest.slice(m[0].length)
      const v = lookup(name)
      if (v === undefined) return { kind: 'InterpolationMissingOptionError', message: `no value for %(${name})s`, name }
      if (v.includes('%')) {
        const nested = interpolateSome(accum, v, lookup, depth + 1)
        if (nested) return nested
      } else {
        accum.push(v)
      }
    } else {
      return { kind: 'InterpolationSyntaxError', message: `'%' must be followed by '%' or '(', found: ${pyRepr(rest)}` }
    }
  }
  return null
}

/** The first syntax error a get() would raise on this raw value, ignoring what references resolve to. */
export function findSyntaxError(value: string): { index: number; message: string } | null {
  let i = 0
  while (i < value.length) {
    const p = value.indexOf('%', i)
    if (p < 0) return null
    const c = value.slice(p + 1, p + 2)
    if (c === '%') {
      i = p + 2
    } else if (c === '(') {
      const m = KEY_AT_START.exec(value.slice(p))
      if (!m) return { index: p, message: `bad interpolation variable reference ${pyRepr(value.slice(p))}` }
      i = p + m[0].length
    } else {
      return { index: p, message: `'%' must be followed by '%' or '(', found: ${pyRepr(value.slice(p))}` }
    }
  }
  return null
}

/** `before_set`: what `cfg.set()` (stage overlays, -O overrides) refuses with ValueError. */
export function beforeSetError(value: string): string | null {
  if (!value) return null
  const tmp = value.replaceAll('%%', '').replace(KEY_ANYWHERE, '')
  const at = tmp.indexOf('%')
  return at < 0 ? null : `invalid interpolation syntax in ${pyRepr(value)} at position ${at}`
}

/** The `%(name)s` references in a raw value, in order, as a get() would meet them (`%%` skipped). */
export function findReferences(value: string): { name: string; index: number }[] {
  const refs: { name: string; index: number }[] = []
  let i = 0
  while (i < value.length) {
    const p = value.indexOf('%', i)
    if (p < 0) break
    const c = value.slice(p + 1, p + 2)
    if (c === '%') {
      i = p + 2
      continue
    }
    const m = c === '(' ? KEY_AT_START.exec(value.slice(p)) : null
    if (!m) break
    refs.push({ name: m[1]!, index: p })
    i = p + m[0].length
  }
  return refs
}

/** Close enough to Python's repr() of a str for messages. */
function pyRepr(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text
  return `'${shown.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`
}
