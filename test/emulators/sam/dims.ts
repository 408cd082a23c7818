import { DimensionSyntaxError, type DimensionExpr } from '../../../shared/dimensions/ast'
import type { Catalog } from '../../../shared/dimensions/catalog'
import { DimensionEvaluationError, evaluateDimensions } from '../../../shared/dimensions/evaluate'
import { formatDimensions } from '../../../shared/dimensions/format'
import { parseDimensions } from '../../../shared/dimensions/parse'
import { dimensionError } from './errors'

/** Parses a dimension string the way SAM checks it before storing a definition. */
export function checkDimensions(text: string): DimensionExpr {
  try {
    return parseDimensions(text)
  } catch (err) {
    if (err instanceof DimensionSyntaxError) throw dimensionError(`Invalid dimensions "${text}": ${err.message} (column ${err.column})`)
    throw err
  }
}

/**
 * The files a dimension string selects, with the shared evaluator, so SAM and the local handler
 * agree. A query SAM cannot answer is a 400 DimensionError — an unknown `defname:` too, not a
 * 404 (POMS's samweb_lite says so) — and a result over `queryLimit` is refused with text
 * containing "query limit" (protocols.md §3.7).
 */
export function evaluate(catalog: Catalog, text: string, queryLimit: number | null): string[] {
  const expr = checkDimensions(text)
  let files: string[]
  try {
    files = evaluateDimensions(expr, catalog)
  } catch (err) {
    if (err instanceof DimensionEvaluationError || err instanceof RangeError) throw dimensionError(`Cannot evaluate "${text}": ${err.message}`)
    throw err
  }
  if (queryLimit !== null && files.length > queryLimit) {
    throw dimensionError(`The dimension query selects ${files.length} files, more than the query limit of ${queryLimit}; narrow it down`)
  }
  return files
}

/** `defname:<name>`, quoted when the name needs it. */
export const defnameDims = (name: string): string => formatDimensions({ kind: 'defname', name })
