import { DatasetError } from '../data-handler'

/**
 * What a MetaCat-side dataset string is, and the MQL the handler writes. Every query the handler
 * builds goes through here, so quoting and parenthesising live in one place.
 */

export type DatasetKind =
  /** An MQL query, or a plain `ns:name` dataset turned into `files from ns:name` (DMRService.is_query). */
  | { k: 'query'; mql: string }
  /** `project_id: N`: an existing Data Dispatcher project (POMS's list entries and project overrides). */
  | { k: 'project'; id: number }
  /** Anything else: a value the job reads from %(dataset)s (multiparam), with no files behind it. */
  | { k: 'parameter'; value: string }

const DID = /^[A-Za-z0-9_.-]+:[A-Za-z0-9_./-]+$/
const MQL_START = /^(files|file|fids|fid|parents|children|union|join|filter)\b|^[([{]/

export function datasetKind(text: string): DatasetKind {
  const t = text.trim()
  const project = /^project_id\s*:\s*(\d+)$/.exec(t)
  if (project) return { k: 'project', id: Number(project[1]) }
  if (DID.test(t)) return { k: 'query', mql: `files from ${t}` }
  if (MQL_START.test(t)) return { k: 'query', mql: t }
  return { k: 'parameter', value: t }
}

/** The dataset as a query, or DatasetError for a value that names no files. */
export function queryOf(dataset: string): string {
  const kind = datasetKind(dataset)
  if (kind.k === 'query') return kind.mql
  if (kind.k === 'project') throw new DatasetError(`"${dataset}" is a Data Dispatcher project, not a MetaCat query`)
  throw new DatasetError(`"${dataset}" is neither a MetaCat query nor a namespace:name dataset`)
}

/** A string constant. MetaCat refuses constants with quotes in them (mql10.py), so do we. */
export function mqlString(value: string): string {
  if (/['"\\]/.test(value)) throw new DatasetError(`cannot put ${JSON.stringify(value)} in an MQL query: quotes and backslashes are not allowed`)
  return `'${value}'`
}

export function fidList(fids: readonly string[]): string {
  if (fids.length === 0) throw new Error('an MQL fid list needs at least one fid')
  return `fids ${fids.join(',')}`
}

/** `q - (fids …)`, or q itself when nothing is to be taken away. */
export function minusFids(q: string, fids: readonly string[]): string {
  return fids.length === 0 ? q : `(${q}) - (${fidList(fids)})`
}

/** Conditions on a query; the query is parenthesised so they apply to all of it. */
export function where(q: string, conditions: readonly string[]): string {
  return conditions.length === 0 ? q : `(${q}) where ${conditions.join(' and ')}`
}

/** children(children(…)) or parents(…), `depth` times (POMS nests them output_ancestor_depth times). */
export function nest(fn: 'children' | 'parents', q: string, depth: number): string {
  let out = q
  for (let i = 0; i < Math.max(1, depth); i++) out = `${fn}(${out})`
  return out
}

/**
 * A timestamp MetaCat compares with `created_timestamp` (a Postgres timestamptz): ISO 8601 with
 * an explicit offset, so the server's time zone cannot shift it. `local` renders it in this
 * machine's zone (new(localtime=1)); the instant is the same.
 */
export function mqlTimestamp(epochSeconds: number, local = false): string {
  const d = new Date(Math.floor(epochSeconds) * 1000)
  if (!local) return `${d.toISOString().slice(0, 19)}+00:00`
  const offsetMin = -d.getTimezoneOffset()
  const shifted = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 19)
  const sign = offsetMin >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMin)
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/**
 * A dependency's `file_patterns` as a condition (poms-reference.md §6.3): a pattern with a space is
 * a raw MQL fragment; otherwise a `name like '<pattern>'` (LIKE works on MetaCat's file attributes).
 */
export function patternCondition(pattern: string): string | null {
  const p = pattern.trim()
  if (p === '') return null
  return p.includes(' ') ? `(${p})` : `name like ${mqlString(p)}`
}

/** Any of several output patterns. */
export function anyPattern(patterns: readonly string[]): string | null {
  const parts = patterns.map(patternCondition).filter((c): c is string => c !== null)
  if (parts.length === 0) return null
  return parts.length === 1 ? parts[0]! : `(${parts.join(' or ')})`
}
