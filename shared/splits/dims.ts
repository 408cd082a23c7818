import type { DimensionExpr } from '../dimensions/ast'
import { formatDimensions, parseDimensions } from '../dimensions/parse'
import { SplitSetupError } from './types'

/**
 * Building blocks of the dimension queries POMS writes (poms-reference.md §8.2, protocols.md §3.4).
 * Queries are built as trees and written by the dimension formatter, the one place that quotes
 * values and parenthesizes operands: a dataset, project or file name from outside can neither
 * break a query nor change what it means.
 */
export type Dims = DimensionExpr

export const dimsText = (expr: Dims): string => formatDimensions(expr)

/**
 * POMS treats a stage dataset as a SAM definition name (`defname:<name>`). We also accept a
 * dimension query there; a dataset is a query when it has whitespace, a colon, parentheses or quotes,
 * none of which a definition name has.
 */
export const isDimsText = (dataset: string): boolean => /[\s:()'"]/.test(dataset.trim())

export function datasetDims(dataset: string): Dims {
  const text = dataset.trim()
  if (text === '') throw new SplitSetupError('the dataset is empty')
  return isDimsText(text) ? parseDimensions(text) : defname(text)
}

export const defname = (name: string): Dims => ({ kind: 'defname', name })
export const snapshotId = (id: number): Dims => ({ kind: 'snapshot_id', id })
export const projectSnapshot = (project: string): Dims => ({ kind: 'snapshot_for_project_name', project })
export const projectFiles = (project: string): Dims => ({ kind: 'project_name', project })
export const consumedStatus = (...statuses: string[]): Dims => ({ kind: 'consumed_status', statuses })
export const version = (v: string): Dims => ({ kind: 'version', values: [v] })
export const runNumber = (...runs: string[]): Dims => ({ kind: 'run_number', values: runs })
export const fileNameLike = (pattern: string): Dims => ({ kind: 'file_name', op: 'like', values: [pattern] })
export const createdAfter = (epochMs: number): Dims => ({ kind: 'create_date', op: '>', iso: samTimestamp(epochMs) })
export const endTime = (op: '>' | '<=', iso: string): Dims => ({ kind: 'end_time', op, iso })

export const and = (...parts: Dims[]): Dims => chain('and', parts)
export const or = (...parts: Dims[]): Dims => chain('or', parts)
export const minus = (left: Dims, right: Dims): Dims => ({ kind: 'minus', left, right })

/** `left minus right`, or just `left` when there is nothing to take away. */
export const minusAny = (left: Dims, right: Dims | null): Dims => (right === null ? left : minus(left, right))

export const withLimit = (of: Dims, limit: number, offset?: number): Dims => ({ kind: 'with', of, limit, ...(offset === undefined ? {} : { offset }) })
export const withStride = (of: Dims, stride: number, offset: number): Dims => ({ kind: 'with', of, stride, offset })
export const withAvailability = (of: Dims, availability: 'physical' | 'anylocation'): Dims => ({ kind: 'with', of, availability })

/** `isparentof:( … )` / `ischildof:( … )` repeated `depth` times (a stage's output_ancestor_depth). */
export const parentsOf = (of: Dims, depth: number): Dims => nest('isparentof', of, depth)
export const childrenOf = (of: Dims, depth: number): Dims => nest('ischildof', of, depth)

function nest(kind: 'isparentof' | 'ischildof', of: Dims, depth: number): Dims {
  let expr = of
  for (let i = 0; i < depth; i++) expr = { kind, of: expr }
  return expr
}

function chain(kind: 'and' | 'or', parts: Dims[]): Dims {
  const [first, ...rest] = parts
  if (!first) throw new Error(`"${kind}" needs at least one operand`)
  return rest.reduce<Dims>((left, right) => ({ kind, left, right }), first)
}

/**
 * One output file pattern as POMS reads it: with whitespace it is a dimension fragment (parsed, so
 * it stays one operand of the query it goes into), otherwise a `file_name like` pattern.
 */
export function outputPatternDims(pattern: string): Dims {
  const text = pattern.trim()
  return /\s/.test(text) ? parseDimensions(text) : fileNameLike(text)
}

/**
 * Output patterns as POMS keeps them (comma-separated lists), one per entry, with POMS's `%` when
 * there are none and repeated ones dropped. A dimension fragment is kept whole: its commas are
 * value lists (`run_number 1,2`), not pattern separators.
 */
export function outputPatternList(patterns: readonly string[]): string[] {
  const split = patterns.flatMap((p) => (/\s/.test(p.trim()) ? [p] : p.split(',')))
  const kept = [...new Set(split.map((p) => p.trim()).filter((p) => p !== '' && p !== 'None'))]
  return kept.length === 0 ? ['%'] : kept
}

/** `create_date` as POMS writes it (`%Y-%m-%dT%H:%M:%S%z`), in UTC. */
export function samTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}+0000`
}
