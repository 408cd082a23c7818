/**
 * Python's `json.dumps(value)` with its defaults (`", "`/`": "` separators, ensure_ascii), which is
 * how POMS's exporter writes JSON values. Files we export then look like POMS's own, so a text diff
 * between the two shows only real differences.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return pythonJsonString(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN'
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
    return Object.is(value, -0) ? '-0' : String(value)
  }
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`
  }
  throw new TypeError(`cannot write ${typeof value} as JSON`)
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

/** ensure_ascii: anything outside space…tilde is written as \uXXXX (UTF-16 code units, as Python does). */
function pythonJsonString(text: string): string {
  let out = '"'
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    const code = text.charCodeAt(i)
    if (ch in SHORT_ESCAPES) out += SHORT_ESCAPES[ch]
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}"`
}
