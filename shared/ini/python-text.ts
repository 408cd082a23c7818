/**
 * The few Python `str` operations configparser relies on, reproduced exactly. JavaScript's own
 * `trim()`, `\s` and `toLowerCase()` differ from Python's at the edges (U+FEFF, U+001C–U+001F,
 * U+0085, characters newer than Python 3.11's Unicode 14), and those differences change what a
 * file means.
 */

/** Every code point for which Python 3.11's `str.isspace()` (and `re`'s `\s`) is true. */
const PY_WHITESPACE = new Set(
  [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
    0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
  ].map((c) => String.fromCharCode(c)),
)

export function isPySpace(ch: string): boolean {
  return PY_WHITESPACE.has(ch)
}

/** Index of the first character that is not Python whitespace, or -1 (the `\S` search). */
export function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) if (!PY_WHITESPACE.has(text[i]!)) return i
  return -1
}

export function pyRstrip(text: string): string {
  let end = text.length
  while (end > 0 && PY_WHITESPACE.has(text[end - 1]!)) end--
  return text.slice(0, end)
}

export function pyStrip(text: string): string {
  const start = firstNonSpace(text)
  return start < 0 ? '' : pyRstrip(text.slice(start))
}

/**
 * Upper-case letters that JavaScript lower-cases but Python 3.11 (Unicode 14) leaves alone,
 * because they were added in later Unicode versions. Checked against python3 for every code
 * point in test/unit/ini-differential.test.ts.
 */
const NEWER_THAN_PY311 = /[\u1c89\ua7cb\ua7cc\ua7ce\ua7d2\ua7d4\ua7da\ua7dc]|\ud803[\udd50-\udd65]|\ud81b[\udea0-\udeb8]/

/** Python 3.11's `str.lower()`: POMS's optionxform. */
export function pyLower(text: string): string {
  if (!NEWER_THAN_PY311.test(text)) return text.toLowerCase()
  // Lower the pieces between such letters; Python sees them as uncased, which is also how a
  // piece boundary behaves for the final-sigma rule.
  const global = new RegExp(NEWER_THAN_PY311.source, 'g')
  let out = ''
  let last = 0
  for (const m of text.matchAll(global)) {
    out += text.slice(last, m.index).toLowerCase() + m[0]
    last = m.index + m[0].length
  }
  return out + text.slice(last).toLowerCase()
}

/**
 * How the text is cut into lines.
 * - `lf`: `read_string()` (POMS): `io.StringIO` ends lines at `\n` only; a CR stays in the line.
 * - `universal`: `read()` of a file (fife_launch): `\r\n`, `\r` and `\n` all end a line.
 * No other character (U+0085, U+2028, form feed...) ends a line in either mode.
 */
export type LineEndings = 'lf' | 'universal'

export function splitLines(text: string, endings: LineEndings): string[] {
  if (text === '') return []
  const lines = endings === 'lf' ? text.split('\n') : text.split(/\r\n|\r|\n/)
  // A final terminator does not start another line.
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}
