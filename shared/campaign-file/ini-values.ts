/**
 * Converters from the raw text of a POMS campaign-file value to the document's typed value,
 * following what `save_campaign` does with it (campaign-ini-syntax.md §1.4–1.5). Each returns the
 * value plus notes (warnings) or a failure, with offsets into the text so the caller can point at
 * the exact line and column.
 */
import type { ParamPair } from '../domain/common'
import { RECOVERY_TYPES, type RecoveryStep } from '../domain/job-type'
import { COMPLETION_TYPES, STAGE_TYPES, type CompletionType, type StageType } from '../domain/stage'
import { pyStrip } from '../ini/python-text'
import { parseJsonWithPosition } from './json-with-position'

export interface Note {
  code: string
  message: string
  /** 0-based offset in the value text. */
  offset: number
}

export type Converted<T> = { ok: true; value: T; notes: Note[] } | { ok: false; code: string; message: string; offset: number }

const ok = <T>(value: T, notes: Note[] = []): Converted<T> => ({ ok: true, value, notes })
const fail = <T>(code: string, message: string, offset = 0): Converted<T> => ({ ok: false, code, message, offset })

/** POMS uses json.loads (double quotes only), not Python literals. */
export function decodeJson(text: string): Converted<unknown> {
  const parsed = parseJsonWithPosition(text)
  if (parsed.ok) return ok(parsed.value)
  // A ` #` after a complete value is almost always an inline comment, which INI does not strip.
  const hash = text.search(/\s#/)
  if (hash > 0 && parseJsonWithPosition(text.slice(0, hash)).ok) {
    return fail('bad-json', `inline comments are not stripped: everything from "#" on is part of the value, which makes it invalid JSON`, hash + 1)
  }
  const hint = /^\s*[[{].*'/.test(text) ? ' (JSON needs double quotes; single quotes are Python, not JSON)' : ''
  return fail('bad-json', `invalid JSON: ${parsed.message}${hint}`, parsed.offset)
}

/**
 * A JSON value that POMS would store as a *string* because the file quotes it (`"[]"`): decode the
 * inner text when it is JSON itself, with a note; POMS keeps the string and fails later at launch.
 */
function unwrapQuotedJson(value: unknown, what: string): { value: unknown; notes: Note[] } | { error: string } {
  if (typeof value !== 'string') return { value, notes: [] }
  const inner = parseJsonWithPosition(value)
  if (!inner.ok) return { error: `${what} must be a JSON list, not the string ${JSON.stringify(value)}` }
  return {
    value: inner.value,
    notes: [
      {
        code: 'json-string-decoded',
        message: `${what} is the JSON string ${JSON.stringify(value)}, not a list: POMS would store the string and fail at launch; imported as the list it spells`,
        offset: 0,
      },
    ],
  }
}

function toPairsValue(value: unknown, what: string): Converted<ParamPair[]> {
  if (value === null) {
    return ok([], [{ code: 'null-param-list', message: `${what} is null; imported as an empty list`, offset: 0 }])
  }
  if (!Array.isArray(value)) return fail('bad-param-pairs', `${what} must be a JSON list of ["key", "value"] pairs`)
  const notes: Note[] = []
  const pairs: ParamPair[] = []
  for (const [index, item] of value.entries()) {
    if (!Array.isArray(item) || item.length !== 2) {
      return fail('bad-param-pairs', `${what}: item ${index + 1} must be a ["key", "value"] pair, not ${JSON.stringify(item)}`)
    }
    const [key, val] = item as unknown[]
    const asText = (part: unknown): string | null =>
      typeof part === 'string' ? part : typeof part === 'number' || typeof part === 'boolean' ? String(part) : null
    const k = asText(key)
    const v = asText(val)
    if (k === null || v === null) return fail('bad-param-pairs', `${what}: item ${index + 1} must hold two strings, not ${JSON.stringify(item)}`)
    if (typeof key !== 'string' || typeof val !== 'string') {
      notes.push({
        code: 'param-not-string',
        message: `${what}: item ${index + 1} ${JSON.stringify(item)} holds a non-string; POMS would fail joining it at launch; imported as text`,
        offset: 0,
      })
    }
    pairs.push([k, v])
  }
  return ok(pairs, notes)
}

/** `param_overrides`, `test_param_overrides`, job type `parameters`: empty → []. */
export function toParamPairs(text: string, what: string): Converted<ParamPair[]> {
  if (text.trim() === '') return ok([])
  const decoded = decodeJson(text)
  if (!decoded.ok) return decoded
  const unwrapped = unwrapQuotedJson(decoded.value, what)
  if ('error' in unwrapped) return fail('bad-param-pairs', unwrapped.error)
  const pairs = toPairsValue(unwrapped.value, what)
  return pairs.ok ? ok(pairs.value, [...unwrapped.notes, ...pairs.notes]) : pairs
}

/** Job type `recoveries`: `[[type, [[k, v], …]], …]` with POMS's known types only. */
export function toRecoveryPlan(text: string): Converted<RecoveryStep[]> {
  if (text.trim() === '') return ok([])
  const decoded = decodeJson(text)
  if (!decoded.ok) return decoded
  const unwrapped = unwrapQuotedJson(decoded.value, 'recoveries')
  if ('error' in unwrapped) return fail('bad-recoveries', unwrapped.error)
  const list = unwrapped.value
  if (!Array.isArray(list)) return fail('bad-recoveries', 'recoveries must be a JSON list of [recovery_type, param_overrides] pairs')
  const notes = [...unwrapped.notes]
  const plan: RecoveryStep[] = []
  for (const [index, item] of list.entries()) {
    if (!Array.isArray(item) || item.length < 1 || item.length > 2 || typeof item[0] !== 'string') {
      return fail('bad-recoveries', `recoveries: item ${index + 1} must be ["recovery_type", [["key", "value"], …]], not ${JSON.stringify(item)}`)
    }
    const type = item[0] as string
    if (!(RECOVERY_TYPES as readonly string[]).includes(type)) {
      const at = text.indexOf(JSON.stringify(type))
      return fail('unknown-recovery-type', `unknown recovery type "${type}"; POMS knows ${RECOVERY_TYPES.join(', ')}`, Math.max(at, 0))
    }
    let overrides: unknown = item[1] ?? []
    if (typeof overrides === 'string') {
      const inner = overrides.trim() === '' ? ({ ok: true, value: [] } as const) : parseJsonWithPosition(overrides)
      if (!inner.ok) return fail('bad-recoveries', `recoveries: the overrides of ${type} are the string ${JSON.stringify(overrides)}, not a list`)
      notes.push({ code: 'json-string-decoded', message: `recoveries: the overrides of ${type} are a JSON string; imported as the list it spells`, offset: 0 })
      overrides = inner.value
    }
    const pairs = toPairsValue(overrides, `recoveries: ${type}`)
    if (!pairs.ok) return pairs
    notes.push(...pairs.notes)
    plan.push({ type: type as RecoveryStep['type'], paramOverrides: pairs.value })
  }
  return ok(plan, notes)
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `campaign_keywords`: a JSON object of name → text; empty → {}. */
export function toKeywords(text: string): Converted<Record<string, string>> {
  if (text.trim() === '') return ok({})
  const decoded = decodeJson(text)
  if (!decoded.ok) return decoded
  let value = decoded.value
  const notes: Note[] = []
  if (typeof value === 'string') {
    const inner = parseJsonWithPosition(value)
    if (!inner.ok) return fail('bad-keywords', `campaign_keywords must be a JSON object, not the string ${JSON.stringify(value)}`)
    notes.push({ code: 'json-string-decoded', message: 'campaign_keywords is a JSON string, not an object; imported as the object it spells', offset: 0 })
    value = inner.value
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('bad-keywords', 'campaign_keywords must be a JSON object like {"name": "value"}')
  }
  const keywords: Record<string, string> = {}
  for (const [name, raw] of Object.entries(value)) {
    if (!IDENTIFIER.test(name)) {
      return fail('bad-keyword-name', `keyword name "${name}" is not usable as %(${name})s: use letters, digits and _, not starting with a digit`, Math.max(text.indexOf(JSON.stringify(name)), 0))
    }
    if (typeof raw === 'string') {
      keywords[name] = raw
    } else if (typeof raw === 'number' || typeof raw === 'boolean') {
      keywords[name] = String(raw)
      notes.push({ code: 'keyword-not-string', message: `keyword ${name} is ${JSON.stringify(raw)}, not text; imported as "${String(raw)}" (what %(${name})s prints)`, offset: 0 })
    } else {
      return fail('bad-keywords', `keyword ${name} must be text, not ${JSON.stringify(raw)}`, Math.max(text.indexOf(JSON.stringify(name)), 0))
    }
  }
  return ok(keywords, notes)
}

/** `merge_overrides`: POMS reads true only from `True`/`true`. */
export function toMergeOverrides(text: string): Converted<boolean> {
  if (text === 'True' || text === 'true') return ok(true)
  if (text === '' || text === 'False' || text === 'false') return ok(false)
  const code = text === 'None' ? 'merge-overrides-none' : 'boolean-text'
  return ok(false, [{ code, message: `merge_overrides = ${text} means False: POMS reads only True/true as true`, offset: 0 }])
}

/** `default_clear_cronjob`: POMS reads false only from `False`/`false`. */
export function toClearCronjob(text: string): Converted<boolean> {
  if (text === 'False' || text === 'false') return ok(false)
  if (text === '' || text === 'True' || text === 'true') return ok(true)
  return ok(true, [{ code: 'boolean-text', message: `default_clear_cronjob = ${text} means True: POMS reads only False/false as false`, offset: 0 }])
}

/** `completion_pct`: a number; 100.0 is fine, out of 0..100 is clamped. */
export function toCompletionPct(text: string): Converted<number> {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return fail('bad-number', `completion_pct must be a number from 0 to 100, not "${text}"`)
  const pct = Number(text)
  if (pct > 100 || pct < 0) {
    const clamped = pct > 100 ? 100 : 0
    return ok(clamped, [{ code: 'completion-pct-clamped', message: `completion_pct = ${text} is outside 0..100; imported as ${clamped}`, offset: 0 }])
  }
  return ok(pct)
}

export function toCompletionType(text: string): Converted<CompletionType> {
  if ((COMPLETION_TYPES as readonly string[]).includes(text)) return ok(text as CompletionType)
  if (text === 'completed') {
    return ok('complete', [{ code: 'completion-type-completed', message: 'completion_type = completed is not a POMS completion type; imported as complete', offset: 0 }])
  }
  return fail('bad-completion-type', `completion_type must be ${COMPLETION_TYPES.join(' or ')}, not "${text}"`)
}

/** `stage_type`: empty → regular (POMS's default). */
export function toStageType(text: string): Converted<StageType> {
  if (text === '') return ok('regular')
  if ((STAGE_TYPES as readonly string[]).includes(text)) return ok(text as StageType)
  return fail('bad-stage-type', `stage_type must be one of ${STAGE_TYPES.join(', ')}, not "${text}"`)
}

/** `output_ancestor_depth`: a whole number, empty → 1. */
export function toAncestorDepth(text: string): Converted<number> {
  if (text === '') return ok(1)
  if (!/^\d+$/.test(text)) return fail('bad-integer', `output_ancestor_depth must be a whole number, not "${text}"`)
  const depth = Number(text)
  if (depth < 1 || depth > 20) return fail('bad-integer', `output_ancestor_depth must be from 1 to 20, not ${depth}`)
  return ok(depth)
}

/** `[campaign] state` (and our `active` keys): the words POMS treats as active. */
export function toActive(text: string, key: string): Converted<boolean> {
  if (['True', 'true', '1', 'Active'].includes(text)) return ok(true)
  if (['False', 'false', '0', 'Inactive'].includes(text)) return ok(false)
  return ok(true, [{ code: 'boolean-text', message: `${key} = ${text} is neither Active nor Inactive; imported as active`, offset: 0 }])
}

/** A name reference (job_type, login_setup): empty → null. */
export function toNameRef(text: string): string | null {
  return text === '' ? null : text
}

/** `output_file_patterns`: comma-separated LIKE patterns, kept verbatim (`%%` included). */
export function toPatternList(text: string): string[] {
  return text
    .split(',')
    .map(stripText)
    .filter((p) => p !== '')
}

/**
 * Strip what both Python (configparser) and JavaScript (our schemas' trim) call whitespace, until
 * neither finds any: their sets differ (U+0085, U+FEFF …), and a value must read back the same
 * after it is written out again.
 */
export function stripText(text: string): string {
  let out = text
  for (;;) {
    const next = pyStrip(out).trim()
    if (next === out) return out
    out = next
  }
}
