import { FILE_ATTRIBUTES, MqlError, type CmpOp, type Constant, type DatasetSpec, type Meta, type Query, type Scalar } from './ast'

type Tok = { t: 'word' | 'str' | 'punct'; v: string; at: number }

// Safe strings, file names and patterns share one token (FNAME, UNQUOTED_STRING and PATTERN overlap).
const WORD = /[A-Za-z0-9_.\-/$@%*?^]/
const PUNCT = ['!~*', '~*', '!~', '!=', '==', '<=', '>=', '(', ')', '[', ']', '{', '}', ',', ':', '<', '>', '=', '~', '!', '-']

function lex(src: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  while (i < src.length) {
    const c = src[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '#') {
      // Comments run to the end of the line (the docs' examples use them).
      while (i < src.length && src[i] !== '\n') i++
      continue
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      let v = ''
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\' && j + 1 < src.length) j++
        v += src[j]
        j++
      }
      if (j >= src.length) throw new MqlError('MQLSyntaxError', `unterminated string at position ${i}`)
      out.push({ t: 'str', v, at: i })
      i = j + 1
      continue
    }
    // A "-" that does not start a number is the set-difference operator, even when glued to a word.
    if (WORD.test(c) && !(c === '-' && !/[0-9.]/.test(src[i + 1] ?? ''))) {
      let j = i
      while (j < src.length && WORD.test(src[j]!)) j++
      out.push({ t: 'word', v: src.slice(i, j), at: i })
      i = j
      continue
    }
    const p = PUNCT.find((q) => src.startsWith(q, i))
    if (!p) throw new MqlError('MQLSyntaxError', `unexpected character "${c}" at position ${i}`)
    out.push({ t: 'punct', v: p, at: i })
    i += p.length
  }
  return out
}

const QUERY_STARTS = new Set(['files', 'file', 'fids', 'fid', 'parents', 'children', 'union', 'join', 'filter', 'datasets', 'with'])
const QUERY_FOLLOWS = new Set(['where', 'limit', 'skip', 'ordered'])
const CMP_OPS = new Set(['<', '<=', '=', '==', '!=', '>', '>=', '~', '~*', '!~', '!~*'])
const SAFE = /^[a-z0-9$@_.-]+$/i

class Parser {
  private i = 0
  constructor(
    private readonly toks: Tok[],
    private readonly src: string,
  ) {}

  private peek(o = 0): Tok | undefined {
    return this.toks[this.i + o]
  }
  private isWord(v: string, o = 0): boolean {
    const t = this.peek(o)
    return t?.t === 'word' && t.v === v
  }
  private isPunct(v: string, o = 0): boolean {
    const t = this.peek(o)
    return t?.t === 'punct' && t.v === v
  }
  private fail(what: string): never {
    const t = this.peek()
    throw new MqlError('MQLSyntaxError', t ? `${what}, found "${t.v}" at position ${t.at}` : `${what}, found the end of the query`)
  }
  private next(): Tok {
    const t = this.toks[this.i++]
    if (!t) this.fail('unexpected end of query')
    return t
  }
  private expectPunct(v: string): void {
    if (!this.isPunct(v)) this.fail(`expected "${v}"`)
    this.i++
  }
  private word(what: string): string {
    const t = this.peek()
    if (t?.t !== 'word') this.fail(`expected ${what}`)
    this.i++
    return t.v
  }

  parseTop(): Query {
    const q = this.query()
    if (this.i < this.toks.length) this.fail('unexpected text after the query')
    return q
  }

  /**
   * `-`, `where` and the `limit`/`skip`/`ordered` suffixes, left to right. A `where` right after an
   * operand binds to it (`A - B where x` filters B, as the grammar says); a suffix applies to all
   * that precedes it, so `A - (fids …) limit n` is `(A - fids…) limit n`, which is how POMS reads its
   * drainingn query. Real MetaCat's Earley grammar admits both readings of that last form.
   */
  private query(): Query {
    let q = this.item()
    for (;;) {
      if (this.isPunct('-')) {
        this.i++
        q = { k: 'minus', left: q, right: this.item() }
      } else if (this.isWord('limit') || this.isWord('skip')) {
        const k = this.next().v as 'limit' | 'skip'
        const n = this.word('a number')
        if (!/^\d+$/.test(n)) throw new MqlError('MQLSyntaxError', `${k} needs a whole number, not "${n}"`)
        q = { k, q, n: Number(n) }
      } else if (this.isWord('ordered')) {
        this.i++
        q = { k: 'ordered', q }
      } else if (this.isWord('where')) {
        this.i++
        q = { k: 'where', q, e: this.metaOr() }
      } else return q
    }
  }

  private item(): Query {
    let q = this.primary()
    while (this.isWord('where')) {
      this.i++
      q = { k: 'where', q, e: this.metaOr() }
    }
    return q
  }

  private primary(): Query {
    const t = this.peek()
    if (!t) this.fail('expected a query')
    if (t.t === 'punct') {
      if (t.v === '(') {
        this.i++
        const q = this.query()
        this.expectPunct(')')
        return q
      }
      if (t.v === '[' || t.v === '{') {
        this.i++
        const qs = this.queryList()
        this.expectPunct(t.v === '[' ? ']' : '}')
        return { k: t.v === '[' ? 'union' : 'join', qs }
      }
      this.fail('expected a query')
    }
    if (t.t !== 'word') this.fail('expected a query')
    switch (t.v) {
      case 'files': {
        this.i++
        if (this.isWord('from')) {
          this.i++
          if (this.isWord('datasets')) this.i++
          return { k: 'datasets', specs: this.datasetList() }
        }
        const n = this.peek()
        if (n?.t === 'word' && !QUERY_FOLLOWS.has(n.v)) return { k: 'dids', dids: this.didList() }
        return { k: 'all' }
      }
      case 'file':
        this.i++
        return { k: 'dids', dids: this.didList() }
      case 'fids':
      case 'fid': {
        this.i++
        const fids = [this.word('a file id')]
        while (this.isPunct(',') && this.peek(1)?.t === 'word' && !QUERY_STARTS.has(this.peek(1)!.v)) {
          this.i++
          fids.push(this.word('a file id'))
        }
        return { k: 'fids', fids }
      }
      case 'parents':
      case 'children': {
        this.i++
        this.expectPunct('(')
        const q = this.query()
        this.expectPunct(')')
        return { k: t.v, q }
      }
      case 'union':
      case 'join': {
        this.i++
        this.expectPunct('(')
        const qs = this.queryList()
        this.expectPunct(')')
        return { k: t.v, qs }
      }
      case 'filter': {
        this.i++
        const name = this.word('a filter name')
        this.expectPunct('(')
        const params: Constant[] = []
        while (!this.isPunct(')')) {
          params.push(this.constant())
          if (!this.isPunct(')')) this.expectPunct(',')
        }
        this.i++
        this.expectPunct('(')
        const qs = this.queryList()
        this.expectPunct(')')
        return { k: 'filter', name, params, qs }
      }
      case 'datasets':
      case 'with':
        throw new MqlError('MQLCompilationError', `"${t.v}" queries are not supported by this emulator`)
      default:
        this.fail('expected a query')
    }
  }

  private queryList(): Query[] {
    const qs = [this.query()]
    while (this.isPunct(',')) {
      this.i++
      qs.push(this.query())
    }
    return qs
  }

  /** Stops at a comma that starts the next query of a union (`files from a:b, files from c:d`). */
  private listGoesOn(): boolean {
    const n = this.peek(1)
    return this.isPunct(',') && n?.t === 'word' && !QUERY_STARTS.has(n.v)
  }

  private qualifiedName(): { namespace: string | null; name: string } {
    const first = this.word('a name')
    if (this.isPunct(':')) {
      this.i++
      const t = this.peek()
      if (t?.t !== 'word' && t?.t !== 'str') this.fail('expected a name after ":"')
      this.i++
      return { namespace: first, name: t.v }
    }
    return { namespace: null, name: first }
  }

  private datasetList(): DatasetSpec[] {
    const specs: DatasetSpec[] = []
    do {
      if (specs.length > 0) this.i++
      if (this.isWord('matching')) {
        this.i++
        const regexp = this.isWord('regexp')
        if (regexp) this.i++
        const { namespace, name } = this.qualifiedName()
        if (namespace === null) throw new MqlError('MQLCompilationError', 'a dataset pattern needs a namespace')
        specs.push({ k: 'pattern', namespace, pattern: name, regexp })
      } else {
        specs.push({ k: 'name', ...this.qualifiedName() })
      }
    } while (this.listGoesOn())
    return specs
  }

  private didList(): { namespace: string | null; name: string }[] {
    const dids = [this.qualifiedName()]
    while (this.listGoesOn()) {
      this.i++
      dids.push(this.qualifiedName())
    }
    return dids
  }

  private metaOr(): Meta {
    const xs = [this.metaAnd()]
    while (this.isWord('or')) {
      this.i++
      xs.push(this.metaAnd())
    }
    return xs.length === 1 ? xs[0]! : { k: 'or', xs }
  }

  private metaAnd(): Meta {
    const xs = [this.metaTerm()]
    while (this.isWord('and')) {
      this.i++
      xs.push(this.metaTerm())
    }
    return xs.length === 1 ? xs[0]! : { k: 'and', xs }
  }

  private metaTerm(): Meta {
    if (this.isPunct('!')) {
      this.i++
      return { k: 'not', x: this.metaTerm() }
    }
    if (this.isPunct('(')) {
      this.i++
      const e = this.metaOr()
      this.expectPunct(')')
      return e
    }
    if (this.isWord('exists')) throw new MqlError('MQLCompilationError', 'exists is not supported by this emulator')
    const t = this.peek()
    if (!t) this.fail('expected a condition')
    // `constant [not] in META` (a constant first: a string, a number, or a bare word that is no attribute).
    const negIn = this.isWord('not', 1) && this.isWord('in', 2)
    const constantFirst = t.t === 'str' || (t.t === 'word' && (/^-?[\d.]+([eE][+-]?\d+)?$/.test(t.v) || (!t.v.includes('.') && !(FILE_ATTRIBUTES as readonly string[]).includes(t.v))))
    if ((this.isWord('in', 1) || negIn) && constantFirst) {
      const v = this.constant()
      this.i += negIn ? 2 : 1
      const name = this.word('a metadata name')
      return { k: 'contains', v, name, neg: negIn }
    }
    const s = this.scalar()
    if (this.isWord('present') || (this.isWord('not') && this.isWord('present', 1))) {
      if (s.k !== 'meta') this.fail('present applies to a metadata name')
      const neg = this.isWord('not')
      this.i += neg ? 2 : 1
      return { k: 'present', name: s.name, neg }
    }
    const neg = this.isWord('not') && this.isWord('in', 1)
    if (neg || this.isWord('in')) {
      this.i += neg ? 2 : 1
      if (this.isPunct('(')) {
        this.i++
        const vs = [this.constant()]
        while (this.isPunct(',')) {
          this.i++
          vs.push(this.constant())
        }
        this.expectPunct(')')
        return { k: 'set', s, vs, neg }
      }
      const lo = this.constant()
      this.expectPunct(':')
      return { k: 'range', s, lo, hi: this.constant(), neg }
    }
    const op = this.peek()
    if (op?.t === 'punct' && CMP_OPS.has(op.v)) {
      this.i++
      return { k: 'cmp', s, op: op.v as CmpOp, v: this.constant() }
    }
    if (op?.t === 'word' && op.v === 'like') {
      this.i++
      return { k: 'cmp', s, op: 'like', v: this.constant() }
    }
    this.fail('expected a comparison')
  }

  private scalar(): Scalar {
    if (this.isWord('len') && this.isPunct('(', 1)) {
      this.i += 2
      const name = this.word('a metadata name')
      this.expectPunct(')')
      return { k: 'len', name }
    }
    const name = this.word('a metadata name or a file attribute')
    if (!name.includes('.')) {
      if (!(FILE_ATTRIBUTES as readonly string[]).includes(name)) throw new MqlError('MQLCompilationError', `Unrecognized attribute name ${name}`)
      return { k: 'attr', name }
    }
    if (this.isPunct('[')) {
      this.i++
      const t = this.next()
      this.expectPunct(']')
      if (t.t === 'word' && (t.v === 'any' || t.v === 'all')) return { k: t.v, name }
      if (t.t === 'str') return { k: 'sub', name, index: t.v }
      if (t.t === 'word' && /^-?\d+$/.test(t.v)) return { k: 'sub', name, index: Number(t.v) }
      throw new MqlError('MQLSyntaxError', `bad subscript "${t.v}" at position ${t.at}`)
    }
    return { k: 'meta', name }
  }

  private constant(): Constant {
    const t = this.next()
    if (t.t === 'str') return t.v
    if (t.t !== 'word') throw new MqlError('MQLSyntaxError', `expected a value, found "${t.v}" at position ${t.at}`)
    if (/^-?\d+$/.test(t.v)) return Number(t.v)
    if (/^-?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(t.v)) return Number(t.v)
    if (/^(true|false)$/i.test(t.v)) return t.v.toLowerCase() === 'true'
    if (t.v === 'datetime' && this.isPunct('(')) {
      // Collect the raw text up to ")": the docs allow an unquoted datetime with colons in it.
      this.i++
      const start = this.peek()?.at ?? this.src.length
      while (this.peek() && !this.isPunct(')')) this.i++
      const end = this.peek()?.at ?? this.src.length
      this.expectPunct(')')
      const raw = this.src.slice(start, end).trim().replace(/^["']|["']$/g, '')
      const at = parseTimestamp(raw)
      if (at === null) throw new MqlError('MQLSyntaxError', `invalid datetime "${raw}"`)
      return at
    }
    if (t.v === 'date' && this.isPunct('(')) throw new MqlError('MQLCompilationError', 'date() is not supported by this emulator; use datetime()')
    if (!SAFE.test(t.v)) throw new MqlError('MQLSyntaxError', `"${t.v}" must be quoted (position ${t.at})`)
    return t.v
  }
}

/** `YYYY-MM-DD[(T| )hh:mm:ss[.fff][Z|(+|-)hh[:]mm]]`, UTC unless a zone is given (mql.rst datetime). */
export function parseTimestamp(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim())
  if (!m) return null
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000 + (frac ? Number(frac) : 0)
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1
    const digits = zone.slice(1).replace(':', '')
    t -= sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2)) * 60)
  }
  return t
}

export function parseMql(src: string): Query {
  return new Parser(lex(src), src).parseTop()
}
