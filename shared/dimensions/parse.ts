import { DimensionSyntaxError, type DimensionExpr } from './ast'
import { parseDimensionDate } from './dates'
import { describeToken, isRunNumber, RESERVED_WORDS, tokenize, type Token } from './lexer'

export { formatDimensions } from './format'

type WithNode = Extract<DimensionExpr, { kind: 'with' }>
type Availability = NonNullable<WithNode['availability']>
type Comparison = '>' | '>=' | '<' | '<='

const AVAILABILITIES: readonly Availability[] = ['physical', 'anylocation', 'virtual']
const INTEGER = /^\d+$/

/**
 * Parses the SAM dimension subset POMS writes (poms-reference.md §8.2, protocols.md §3.4).
 *
 * Precedence is SAM's documented one ("Updated dimensions syntax": not, and, or, minus, in that
 * order): `and` binds tightest, then `or`, then `minus`; each is left-associative; parentheses
 * group. `with …` ends a clause and applies to everything before it at its level (the whole query,
 * or the inside of the parentheses / `isparentof:( … )` it is in), so
 * `defname:d minus snapshot_id 4 with limit 10` limits the difference, as drainingn needs.
 * Keywords and dimension names are case-insensitive; values keep their case.
 */
export function parseDimensions(text: string): DimensionExpr {
  const tokens = tokenize(text)
  if (tokens[0]!.kind === 'eof') throw new DimensionSyntaxError('the dimension query is empty (column 1)', 1)
  const parser = new Parser(tokens)
  const expr = parser.query()
  parser.expectEnd()
  return expr
}

class Parser {
  private at = 0

  constructor(private readonly tokens: readonly Token[]) {}

  query(): DimensionExpr {
    let expr = this.minusChain()
    while (this.isWord('with')) expr = this.withClause(expr)
    return expr
  }

  expectEnd(): void {
    const t = this.peek()
    if (t.kind === 'rparen') this.fail(`")" at column ${t.col} has no matching "("`, t)
    if (t.kind !== 'eof') this.fail(`expected and, or, minus or with, found ${describeToken(t)}`, t)
  }

  private minusChain(): DimensionExpr {
    let left = this.orChain()
    while (this.acceptWord('minus')) left = { kind: 'minus', left, right: this.orChain() }
    return left
  }

  private orChain(): DimensionExpr {
    let left = this.andChain()
    while (this.acceptWord('or')) left = { kind: 'or', left, right: this.andChain() }
    return left
  }

  private andChain(): DimensionExpr {
    let left = this.primary()
    while (this.acceptWord('and')) left = { kind: 'and', left, right: this.primary() }
    return left
  }

  private withClause(of: DimensionExpr): WithNode {
    const withToken = this.next()
    const node: WithNode = { kind: 'with', of }
    for (;;) {
      const t = this.peek()
      const key = t.kind === 'word' ? t.text.toLowerCase() : ''
      if (key !== 'limit' && key !== 'offset' && key !== 'stride' && key !== 'availability') break
      this.next()
      if (node[key] !== undefined) this.fail(`"${key}" is given twice in one with clause`, t)
      if (key === 'availability') {
        const value = this.next()
        const availability = value.text.toLowerCase() as Availability
        if ((value.kind !== 'word' && value.kind !== 'string') || !AVAILABILITIES.includes(availability)) {
          this.fail(`availability must be physical, anylocation or virtual, found ${describeToken(value)}`, value)
        }
        node.availability = availability
      } else {
        const n = this.integer(key)
        if (key === 'stride' && n === 0) this.fail('stride must be at least 1', this.tokens[this.at - 1]!)
        node[key] = n
      }
    }
    if (Object.keys(node).length === 2) this.fail(`expected limit, offset, stride or availability after the "with" at column ${withToken.col}`, this.peek())
    return node
  }

  private primary(): DimensionExpr {
    const t = this.next()
    if (t.kind === 'lparen') return this.group(t)
    if (t.kind === 'special') {
      if (t.text === 'defname:') return { kind: 'defname', name: this.value('a definition name after defname:') }
      const open = this.next()
      if (open.kind !== 'lparen') this.fail(`expected "(" after ${t.text}`, open)
      return { kind: t.text === 'isparentof:' ? 'isparentof' : 'ischildof', of: this.group(open) }
    }
    const dimension = t.text.toLowerCase()
    if (t.kind !== 'word' || (RESERVED_WORDS.has(dimension) && dimension !== 'not')) this.fail(`expected a dimension, "(" or defname:, found ${describeToken(t)}`, t)
    switch (dimension) {
      case 'snapshot_id':
        this.acceptOp('=')
        return { kind: 'snapshot_id', id: this.integer('snapshot_id') }
      case 'snapshot_for_project_name':
        this.acceptOp('=')
        return { kind: 'snapshot_for_project_name', project: this.value('a project name') }
      case 'project_name': {
        this.acceptOp('=')
        // `project_name a,b` is either project: the same as `project_name a or project_name b`.
        const [first, ...rest] = this.valueList('a project name')
        return rest.reduce<DimensionExpr>((left, project) => ({ kind: 'or', left, right: { kind: 'project_name', project } }), { kind: 'project_name', project: first! })
      }
      case 'consumed_status':
        if (!this.acceptOp('=')) this.acceptWord('in')
        return { kind: 'consumed_status', statuses: this.valueList('a consumed status') }
      case 'file_name': {
        const like = this.acceptWord('like')
        if (!like) this.acceptOp('=')
        return { kind: 'file_name', op: like ? 'like' : '=', values: this.valueList('a file name or pattern') }
      }
      case 'version':
        this.acceptOp('=')
        return { kind: 'version', values: this.valueList('a version') }
      case 'run_number': {
        this.acceptOp('=')
        const values = this.valueTokens('a run number')
        for (const { text, token } of values) {
          if (!isRunNumber(text)) this.fail(`run numbers are "run" or "run.subrun", found "${text}"`, token)
        }
        return { kind: 'run_number', values: values.map((v) => v.text) }
      }
      case 'create_date':
      case 'end_time': {
        const op = this.next()
        if (op.kind !== 'op' || op.text === '=' || op.text === '!=') this.fail(`expected >, >=, < or <= after ${dimension}, found ${describeToken(op)}`, op)
        const dateToken = this.peek()
        const iso = this.value('a date')
        if (parseDimensionDate(iso) === null) this.fail(`"${iso}" is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, optionally with a zone)`, dateToken)
        return { kind: dimension, op: op.text as Comparison, iso }
      }
      case 'not':
        return this.fail('"not" is not supported; use minus', t)
      default:
        return this.fail(`unknown dimension "${t.text}"`, t)
    }
  }

  /** The inside of parentheses whose "(" was just read. */
  private group(open: Token): DimensionExpr {
    if (this.peek().kind === 'rparen') this.fail('empty parentheses', this.peek())
    const inner = this.query()
    const close = this.next()
    if (close.kind !== 'rparen') this.fail(`expected ")" to close the "(" at column ${open.col}, found ${describeToken(close)}`, close)
    return inner
  }

  private valueList(what: string): string[] {
    return this.valueTokens(what).map((v) => v.text)
  }

  /** `v1,v2,…`, keeping each value's token for error columns. */
  private valueTokens(what: string): { text: string; token: Token }[] {
    const values = [{ token: this.peek(), text: this.value(what) }]
    while (this.peek().kind === 'comma') {
      this.next()
      values.push({ token: this.peek(), text: this.value(what) })
    }
    return values
  }

  /** A quoted string, or a word that is not an operator. */
  private value(what: string): string {
    const t = this.next()
    if (t.kind === 'string') return t.text
    if (t.kind === 'word' && !RESERVED_WORDS.has(t.text.toLowerCase())) return t.text
    return this.fail(`expected ${what}, found ${describeToken(t)}`, t)
  }

  private integer(what: string): number {
    const t = this.next()
    if ((t.kind !== 'word' && t.kind !== 'string') || !INTEGER.test(t.text) || !Number.isSafeInteger(Number(t.text))) {
      this.fail(`${what} needs a whole number, found ${describeToken(t)}`, t)
    }
    return Number(t.text)
  }

  private peek(): Token {
    return this.tokens[this.at]!
  }

  private next(): Token {
    const t = this.tokens[this.at]!
    if (t.kind !== 'eof') this.at++
    return t
  }

  private isWord(word: string): boolean {
    const t = this.peek()
    return t.kind === 'word' && t.text.toLowerCase() === word
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false
    this.at++
    return true
  }

  private acceptOp(op: string): boolean {
    const t = this.peek()
    if (t.kind !== 'op' || t.text !== op) return false
    this.at++
    return true
  }

  private fail(message: string, at: Token): never {
    throw new DimensionSyntaxError(`${message} (column ${at.col})`, at.col)
  }
}
