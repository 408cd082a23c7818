import type { CatFile, Catalog } from '../catalog'
import { MqlError, type CmpOp, type Constant, type Meta, type Query, type Scalar } from './ast'
import { parseTimestamp } from './parse'

export interface EvalOptions {
  /** The `namespace` request parameter: the namespace of names written without one. */
  defaultNamespace: string | null
  includeRetired: boolean
  /**
   * Real MetaCat promises no order unless the query says `ordered` (or `skip`, which implies it).
   * With a seed, unordered results come back shuffled, so a client that relies on an order it did
   * not ask for fails in tests as it would against the real service.
   */
  shuffleSeed: number | null
}

const TIMESTAMP_ATTRS = new Set(['created_timestamp', 'updated_timestamp', 'retired_timestamp'])

/** mulberry32: a small seeded generator, enough for a reproducible shuffle. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const out = items.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

function dedupe(fids: Iterable<string>): string[] {
  return [...new Set(fids)]
}

/** SQL LIKE (`%`, `_`, backslash escapes), as Postgres runs it on file attributes. */
function likeToRegExp(pattern: string): RegExp {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    else if (c === '%') re += '.*'
    else if (c === '_') re += '.'
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 's')
}

/** Dataset name patterns: SQL (`%`, `_`) or shell (`*`, `?`) wildcards (mql.rst). */
function wildcardToRegExp(pattern: string): RegExp {
  return likeToRegExp(pattern.replace(/\*/g, '%').replace(/\?/g, '_'))
}

function compare(a: unknown, op: CmpOp, c: Constant): boolean {
  if (op === '~' || op === '~*' || op === '!~' || op === '!~*') {
    if (typeof a !== 'string' || typeof c !== 'string') return false
    const hit = new RegExp(c, op.endsWith('*') ? 'i' : '').test(a)
    return op.startsWith('!') ? !hit : hit
  }
  if (op === 'like') {
    if (typeof a !== 'string' || typeof c !== 'string') return false
    return likeToRegExp(c).test(a)
  }
  // JSON path comparisons: values of different types never compare (not even with !=).
  if (typeof a !== typeof c) return false
  if (typeof a === 'boolean' && op !== '=' && op !== '==' && op !== '!=') return false
  const x = a as number | string
  const y = c as number | string
  switch (op) {
    case '=':
    case '==':
      return x === y
    case '!=':
      return x !== y
    case '<':
      return x < y
    case '<=':
      return x <= y
    case '>':
      return x > y
    case '>=':
      return x >= y
  }
}

class Evaluator {
  private shuffles = 0
  constructor(
    private readonly cat: Catalog,
    private readonly opts: EvalOptions,
  ) {}

  private live(fids: Iterable<string>): string[] {
    const out: string[] = []
    for (const fid of fids) {
      const f = this.cat.file(fid)
      if (f && (this.opts.includeRetired || !f.retired)) out.push(fid)
    }
    return out
  }

  /** A result the database produced in no particular order. */
  private unordered(fids: string[]): string[] {
    return this.opts.shuffleSeed === null ? fids : shuffled(fids, this.opts.shuffleSeed + 7919 * this.shuffles++)
  }

  private ns(namespace: string | null): string {
    const ns = namespace ?? this.opts.defaultNamespace
    if (!ns) throw new MqlError('MQLCompilationError', 'Namespace not specified')
    return ns
  }

  run(q: Query): string[] {
    switch (q.k) {
      case 'all':
        return this.unordered(this.live(this.cat.files.keys()))
      case 'datasets': {
        const fids: string[] = []
        for (const spec of q.specs) {
          if (spec.k === 'name') {
            fids.push(...(this.cat.dataset(`${this.ns(spec.namespace)}:${spec.name}`)?.files ?? []))
          } else {
            const re = spec.regexp ? new RegExp(spec.pattern) : wildcardToRegExp(spec.pattern)
            for (const ds of this.cat.datasets.values()) if (ds.namespace === spec.namespace && re.test(ds.name)) fids.push(...ds.files)
          }
        }
        return this.unordered(this.live(dedupe(fids)))
      }
      case 'dids': {
        const fids = q.dids.map((d) => this.cat.fileByDid(this.ns(d.namespace), d.name)?.fid).filter((f): f is string => f !== undefined)
        return this.unordered(this.live(dedupe(fids)))
      }
      case 'fids':
        return this.unordered(this.live(dedupe(q.fids)))
      case 'parents':
      case 'children': {
        const rel = q.k
        const fids = this.run(q.q).flatMap((fid) => this.cat.file(fid)![rel])
        return this.unordered(this.live(dedupe(fids)))
      }
      case 'union':
        return dedupe(q.qs.flatMap((x) => this.run(x)))
      case 'join': {
        const [first, ...rest] = q.qs.map((x) => this.run(x))
        const sets = rest.map((r) => new Set(r))
        return (first ?? []).filter((fid) => sets.every((s) => s.has(fid)))
      }
      case 'minus': {
        const left = this.run(q.left)
        const right = new Set(this.run(q.right))
        return left.filter((fid) => !right.has(fid))
      }
      case 'where':
        return this.run(q.q).filter((fid) => this.test(this.cat.file(fid)!, q.e))
      case 'limit':
        return this.run(q.q).slice(0, q.n)
      case 'skip':
        // mql.rst: skip makes the query under it ordered.
        return this.ordered(this.run(q.q)).slice(q.n)
      case 'ordered':
        return this.ordered(this.run(q.q))
      case 'filter':
        return this.filter(q.name, q.params, q.qs.map((x) => this.run(x)))
    }
  }

  /** `order by created_timestamp, id` (sql_converter.py ordered). */
  private ordered(fids: string[]): string[] {
    return fids
      .map((fid) => this.cat.file(fid)!)
      .sort((a, b) => a.created_timestamp - b.created_timestamp || (a.fid < b.fid ? -1 : a.fid > b.fid ? 1 : 0))
      .map((f) => f.fid)
  }

  /** MetaCat's standard filters (mql.rst "Standard MetaCat Filters"). */
  private filter(name: string, params: Constant[], inputs: string[][]): string[] {
    const input = inputs[0] ?? []
    const ints = params.map((p) => (typeof p === 'number' ? p : NaN))
    switch (name) {
      case 'every_nth': {
        const [n, i] = ints
        if (!n || n < 1 || i === undefined || Number.isNaN(i)) throw new MqlError('MQLExecutionError', 'every_nth needs n and i')
        return input.filter((_, k) => k % n === i)
      }
      case 'hash': {
        const [n, i] = ints
        if (!n || n < 1 || i === undefined || Number.isNaN(i)) throw new MqlError('MQLExecutionError', 'hash needs n and i')
        return input.filter((fid) => [...fid].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % n === i)
      }
      case 'sample': {
        const [f] = ints
        if (!f || f <= 0 || f > 1) throw new MqlError('MQLExecutionError', 'sample needs a fraction in (0, 1]')
        const n = Math.round(1 / f)
        return input.filter((_, k) => k % n === 0)
      }
      default:
        throw new MqlError('MQLExecutionError', `Filter ${name} not found`)
    }
  }

  private attr(f: CatFile, name: string): unknown {
    return (f as unknown as Record<string, unknown>)[name]
  }

  /** The values a scalar stands for; a condition holds if it holds for one of them (JSON path lax mode). */
  private values(f: CatFile, s: Scalar): unknown[] {
    if (s.k === 'attr') return [this.attr(f, s.name)]
    const v = f.metadata[s.name]
    if (v === undefined) return []
    switch (s.k) {
      case 'meta':
      case 'any':
        return Array.isArray(v) ? v : [v]
      case 'sub':
        if (typeof s.index === 'number') return Array.isArray(v) && v[s.index] !== undefined ? [v[s.index]] : []
        return v !== null && typeof v === 'object' && !Array.isArray(v) && s.index in v ? [(v as Record<string, unknown>)[s.index]] : []
      case 'len':
        return Array.isArray(v) ? [v.length] : []
      case 'all':
        return [v]
    }
  }

  /** Timestamps are compared as instants, whether the constant is epoch seconds or a date string. */
  private constantFor(s: Scalar, c: Constant): Constant {
    if (s.k === 'attr' && TIMESTAMP_ATTRS.has(s.name) && typeof c === 'string') {
      const t = parseTimestamp(c)
      if (t === null) throw new MqlError('MQLExecutionError', `invalid input syntax for type timestamp: "${c}"`)
      return t
    }
    return c
  }

  private holds(f: CatFile, s: Scalar, pred: (v: unknown) => boolean): boolean {
    if (s.k === 'all') {
      const v = f.metadata[s.name]
      if (v === undefined) return false
      return (Array.isArray(v) ? v : [v]).every(pred)
    }
    return this.values(f, s).some(pred)
  }

  test(f: CatFile, e: Meta): boolean {
    switch (e.k) {
      case 'or':
        return e.xs.some((x) => this.test(f, x))
      case 'and':
        return e.xs.every((x) => this.test(f, x))
      case 'not':
        return !this.test(f, e.x)
      case 'cmp': {
        if (e.op === 'like' && e.s.k !== 'attr') throw new MqlError('MQLExecutionError', 'like is only supported on file attributes (name, namespace, creator…)')
        const c = this.constantFor(e.s, e.v)
        return this.holds(f, e.s, (v) => compare(v, e.op, c))
      }
      case 'range': {
        const lo = this.constantFor(e.s, e.lo)
        const hi = this.constantFor(e.s, e.hi)
        const inside = (v: unknown) => compare(v, '>=', lo) && compare(v, '<=', hi)
        const outside = (v: unknown) => compare(v, '<', lo) || compare(v, '>', hi)
        return this.holds(f, e.s, e.neg ? outside : inside)
      }
      case 'set': {
        const vs = e.vs.map((v) => this.constantFor(e.s, v))
        return this.holds(f, e.s, (v) => (e.neg ? vs.every((c) => compare(v, '!=', c)) : vs.some((c) => compare(v, '=', c))))
      }
      case 'present':
        return e.neg !== (e.name in f.metadata)
      case 'contains': {
        const v = f.metadata[e.name]
        const hit = (Array.isArray(v) ? v : v === undefined ? [] : [v]).some((x) => compare(x, '=', e.v))
        return e.neg ? v !== undefined && !hit : hit
      }
    }
  }
}

export function evaluateMql(cat: Catalog, q: Query, opts: EvalOptions): CatFile[] {
  return new Evaluator(cat, opts).run(q).map((fid) => cat.file(fid)!)
}
