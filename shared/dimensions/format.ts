import type { DimensionExpr } from './ast'
import { parseDimensionDate } from './dates'
import { isBareValue, isRunNumber } from './lexer'

type Binary = Extract<DimensionExpr, { kind: 'and' | 'or' | 'minus' }>

/**
 * Writes a query that `parseDimensions` reads back as the same tree, for building queries from
 * names that come from outside (dataset, project and file names). Values are written bare only
 * when they are plainly one word; otherwise they are quoted, and a value no quote can hold (it has
 * both ' and ") is refused, since SAM's quoted strings have no escape. Operands of a different
 * operator are parenthesized even where precedence would not need it, so the text means the same
 * to a reader — and to any SAM — whatever they assume about precedence.
 */
export function formatDimensions(expr: DimensionExpr): string {
  switch (expr.kind) {
    case 'defname':
      return `defname:${quote(expr.name)}`
    case 'snapshot_id':
      return `snapshot_id ${wholeNumber(expr.id, 'snapshot_id')}`
    case 'snapshot_for_project_name':
      return `snapshot_for_project_name ${quote(expr.project)}`
    case 'project_name':
      return `project_name ${quote(expr.project)}`
    case 'consumed_status':
      return `consumed_status ${list(expr.statuses)}`
    case 'file_name':
      return `file_name ${expr.op === 'like' ? 'like ' : ''}${list(expr.values)}`
    case 'version':
      return `version ${list(expr.values)}`
    case 'run_number':
      for (const run of expr.values) if (!isRunNumber(run)) throw new RangeError(`"${run}" is not a run number (run or run.subrun)`)
      return `run_number ${list(expr.values)}`
    case 'create_date':
    case 'end_time':
      if (parseDimensionDate(expr.iso) === null) throw new RangeError(`"${expr.iso}" is not a date a dimension query accepts`)
      return `${expr.kind} ${expr.op} ${quoteAlways(expr.iso)}`
    case 'isparentof':
    case 'ischildof':
      return `${expr.kind}:( ${formatDimensions(expr.of)} )`
    case 'and':
    case 'or':
    case 'minus':
      return `${operand(expr, expr.left, 'left')} ${expr.kind} ${operand(expr, expr.right, 'right')}`
    case 'with':
      return `${formatDimensions(expr.of)} with ${modifiers(expr)}`
  }
}

/** Parenthesized unless it is an atom, or the same left-associative operator on the left. */
function operand(parent: Binary, child: DimensionExpr, side: 'left' | 'right'): string {
  const text = formatDimensions(child)
  const compound = child.kind === 'and' || child.kind === 'or' || child.kind === 'minus' || child.kind === 'with'
  const chained = side === 'left' && child.kind === parent.kind
  return compound && !chained ? `(${text})` : text
}

function modifiers(node: Extract<DimensionExpr, { kind: 'with' }>): string {
  const terms: string[] = []
  if (node.availability !== undefined) terms.push(`availability ${node.availability}`)
  if (node.stride !== undefined) {
    if (node.stride < 1) throw new RangeError('stride must be at least 1')
    terms.push(`stride ${wholeNumber(node.stride, 'stride')}`)
  }
  if (node.limit !== undefined) terms.push(`limit ${wholeNumber(node.limit, 'limit')}`)
  if (node.offset !== undefined) terms.push(`offset ${wholeNumber(node.offset, 'offset')}`)
  if (terms.length === 0) throw new RangeError('a with clause needs limit, offset, stride or availability')
  return terms.join(' ')
}

function list(values: readonly string[]): string {
  if (values.length === 0) throw new RangeError('a dimension needs at least one value')
  return values.map(quote).join(',')
}

const quote = (value: string): string => (isBareValue(value) ? value : quoteAlways(value))

function quoteAlways(value: string): string {
  if (!value.includes("'")) return `'${value}'`
  if (!value.includes('"')) return `"${value}"`
  throw new RangeError(`a value with both ' and " cannot be written in a dimension query: ${value}`)
}

function wholeNumber(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number, not ${n}`)
  return String(n)
}
