/**
 * `bytes.decode("utf-8")` as POMS applies it to an upload before parsing: strict (no replacement
 * characters), and a leading byte-order mark is kept as text (parseIni then reports it).
 */
import { IniSyntaxError } from './ini-document'

export function decodeIniBytes(bytes: Uint8Array): string {
  const bad = firstInvalidUtf8(bytes)
  if (bad) {
    let line = 1
    let lineStart = 0
    for (let i = 0; i < bad.offset; i++) {
      if (bytes[i] === 0x0a) {
        line++
        lineStart = i + 1
      }
    }
    const column = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, bad.offset)).length + 1
    throw new IniSyntaxError(
      'NOT_UTF8',
      `line ${line}: the file is not UTF-8 (byte ${bad.offset}: ${bad.reason}); POMS decodes uploads as UTF-8`,
      line,
      column,
    )
  }
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
}

/** Python's UTF-8 decoder rules: no overlong forms, no surrogates, nothing above U+10FFFF. */
function firstInvalidUtf8(bytes: Uint8Array): { offset: number; reason: string } | null {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    } else return { offset: i, reason: 'invalid start byte' }
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return { offset: i, reason: 'unexpected end of data' }
      const c = bytes[i + k]!
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf]
      if (c < min || c > max) return { offset: i, reason: 'invalid continuation byte' }
    }
    i += need + 1
  }
  return null
}
