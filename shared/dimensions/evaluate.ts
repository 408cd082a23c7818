import { DimensionSyntaxError, type DimensionExpr } from './ast'
import type { Catalog } from './catalog'
import { parseDimensionDate } from './dates'
import { formatDimensions } from './format'
import { valuesMatcher } from './like'
import { parseDimensions } from './parse'

export type DimensionEvaluationCode =
  | 'unknown-definition'
  | 'bad-definition'
  | 'definition-cycle'
  | 'unknown-snapshot'
  | 'unknown-project'
  | 'consumed-status-without-project'

/** A well-formed query that cannot be answered against this catalog (SAM answers these with a 400/404). */
export class DimensionEvaluationError extends Error {
  constructor(
    message: string,
    readonly code: DimensionEvaluationCode,
  ) {
    super(message)
    this.name = 'DimensionEvaluationError'
  }
}

/** The order every result comes in: file names by UTF-16 code unit (locale-independent). */
export const compareNames = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The files a dimension query selects, in file-name order (see `compareNames`); `with limit /
 * offset / stride` count positions in that order too, so a split's slices are stable while the
 * dataset does not change.
 *
 * Semantics, where SAM leaves room:
 * - string values match exactly, or by LIKE when the operator is `like` or the value holds `%`/`?`
 *   (dimensions/like.ts); matching is case-sensitive;
 * - `consumed_status` is the status in the project(s) named by `project_name` in the same `and`
 *   chain, or in the left side of the `minus` it is on the right of; elsewhere it is an error;
 * - `isparentof:(X)` = files that are a parent of some file in X; `ischildof:(X)` = files that are a
 *   child of some file in X;
 * - `with availability physical` keeps physical files, `virtual` declared-only ones, `anylocation`
 *   every file; without the clause nothing is filtered on availability;
 * - `with stride n offset k` keeps positions k, k+n, k+2n…; `with limit n offset m` positions m…m+n-1;
 *   with both, the stride is taken first and then limited;
 * - `defname:` is expanded where it stands (as SAM says) and a definition that reaches itself is an error.
 *
 * Work stays proportional to what the query touches: the first generator of an `and` chain
 * (definition, snapshot, project, parentage) bounds the candidates the other terms filter; only a
 * query made of filters alone scans the whole catalog. Every intermediate list is kept in name
 * order, so `and`, `or` and `minus` are merges of sorted lists rather than hash sets of names, and
 * a catalog that offers `remember` (catalog.ts) gets every sub-query evaluated over the whole
 * catalog handed to it, to answer again from memory while nothing it read has changed.
 */
export function evaluateDimensions(expr: DimensionExpr, catalog: Catalog): string[] {
  // A copy: the list may be one the catalog keeps (a snapshot, a remembered answer).
  return new Evaluation(catalog).evaluate(expr, null, []).slice()
}

/** Lists of distinct names in strictly ascending `compareNames` order (every list the evaluation passes around). */
type Names = readonly string[]
type Predicate = (name: string) => boolean
type FilterExpr = Extract<DimensionExpr, { kind: 'file_name' | 'version' | 'run_number' | 'create_date' | 'end_time' | 'consumed_status' }>
type WithExpr = Extract<DimensionExpr, { kind: 'with' }>

const FILTER_KINDS: ReadonlySet<DimensionExpr['kind']> = new Set(['file_name', 'version', 'run_number', 'create_date', 'end_time', 'consumed_status'])
const isFilter = (e: DimensionExpr): e is FilterExpr => FILTER_KINDS.has(e.kind)

class Evaluation {
  private universeNames: Names | null = null
  /** What `universeNames` was made from. */
  private universeSource: Iterable<string> | null = null
  /** Definitions parsed so far, by their text. */
  private readonly parsedDefinitions = new Map<string, DimensionExpr>()
  /** `memoKey` texts of the trees met so far (null: not writable as text). */
  private readonly texts = new WeakMap<DimensionExpr, string | null>()
  /** Definitions being expanded, outermost first (cycle detection). */
  private readonly expanding: string[] = []

  constructor(private readonly catalog: Catalog) {}

  /**
   * The files of `expr`, restricted to `candidates` when given (null = the whole catalog), in name
   * order. `scope` holds the projects `consumed_status` refers to.
   */
  evaluate(expr: DimensionExpr, candidates: Names | null, scope: readonly string[]): Names {
    const remember = this.catalog.remember
    if (candidates === null && remember) {
      const key = this.memoKey(expr, scope)
      if (key !== null) return remember.call(this.catalog, key, () => this.evaluateNow(expr, null, scope))
    }
    return this.evaluateNow(expr, candidates, scope)
  }

  private evaluateNow(expr: DimensionExpr, candidates: Names | null, scope: readonly string[]): Names {
    switch (expr.kind) {
      case 'and':
        return this.conjunction(andTerms(expr), candidates, scope)
      case 'or':
        return union(this.evaluate(expr.left, candidates, scope), this.evaluate(expr.right, candidates, scope))
      case 'minus': {
        const left = this.evaluate(expr.left, candidates, scope)
        // Only what is in the left side can be taken away: evaluate the right side within it.
        const right = this.evaluate(expr.right, left, [...scope, ...projectsNamedBy(expr.left)])
        return difference(left, right)
      }
      case 'with':
        return restrict(this.modified(expr, scope), candidates)
      case 'defname':
        return this.definition(expr.name, candidates)
      case 'snapshot_id': {
        const files = this.catalog.snapshot(expr.id)
        if (files === null) throw new DimensionEvaluationError(`there is no snapshot ${expr.id}`, 'unknown-snapshot')
        return restrict(inNameOrder(files), candidates)
      }
      case 'snapshot_for_project_name': {
        const files = this.catalog.projectSnapshot(expr.project)
        if (files === null) throw new DimensionEvaluationError(`there is no project named ${expr.project}`, 'unknown-project')
        return restrict(inNameOrder(files), candidates)
      }
      case 'project_name':
        // Membership is a lookup per candidate: no set of the project's files is built.
        if (candidates) return candidates.filter((name) => this.catalog.consumedStatus(expr.project, name) !== null)
        return inNameOrder(this.catalog.projectFiles(expr.project))
      case 'isparentof':
        return this.related(expr.of, candidates, (name) => this.catalog.parents(name), (name) => this.catalog.children(name))
      case 'ischildof':
        return this.related(expr.of, candidates, (name) => this.catalog.children(name), (name) => this.catalog.parents(name))
      default:
        return (candidates ?? this.universe()).filter(this.filter(expr, scope))
    }
  }

  /** An `and` chain: generators first (they bound the work), then filters over what they found. */
  private conjunction(terms: DimensionExpr[], candidates: Names | null, scope: readonly string[]): Names {
    const chainScope = [...scope, ...terms.flatMap(projectsNamedBy)]
    const ordered = [...terms.filter((t) => !isFilter(t)), ...terms.filter(isFilter)]
    let current = candidates
    for (const term of ordered) current = this.evaluate(term, current, chainScope)
    return current ?? []
  }

  /**
   * The key `remember` files a sub-query under: its text (the formatter writes distinct trees as
   * distinct texts) and, when it has a `consumed_status`, the projects in scope. Null when the
   * tree cannot be written as text (then it is not remembered).
   */
  private memoKey(expr: DimensionExpr, scope: readonly string[]): string | null {
    let text = this.texts.get(expr)
    if (text === undefined) {
      try {
        text = formatDimensions(expr)
      } catch {
        text = null
      }
      this.texts.set(expr, text)
    }
    if (text === null) return null
    return scope.length === 0 ? text : `${JSON.stringify(scope)} ${text}`
  }

  private modified(node: WithExpr, scope: readonly string[]): Names {
    let names: Names = this.evaluate(node.of, null, scope)
    if (node.availability !== undefined) names = names.filter(this.availability(node.availability))
    const offset = node.offset ?? 0
    const stride = node.stride ?? 1
    const limit = node.limit ?? Number.POSITIVE_INFINITY
    const picked: string[] = []
    for (let i = offset; i < names.length && picked.length < limit; i += stride) picked.push(names[i]!)
    return picked
  }

  private definition(name: string, candidates: Names | null): Names {
    if (this.expanding.includes(name)) {
      const loop = [...this.expanding.slice(this.expanding.indexOf(name)), name].join(' → ')
      throw new DimensionEvaluationError(`definition ${name} refers to itself: ${loop}`, 'definition-cycle')
    }
    const expr = this.parsedDefinition(name)
    this.expanding.push(name)
    try {
      // A definition is a parenthesized group: a fresh project scope.
      return this.evaluate(expr, candidates, [])
    } finally {
      this.expanding.pop()
    }
  }

  /**
   * The catalog is asked for the text on every expansion, not once per evaluation: with
   * `remember`, each sub-query must itself read all it depends on (catalog.ts).
   */
  private parsedDefinition(name: string): DimensionExpr {
    const text = this.catalog.definition(name)
    if (text === null) throw new DimensionEvaluationError(`there is no definition named ${name}`, 'unknown-definition')
    const cached = this.parsedDefinitions.get(text)
    if (cached) return cached
    let expr: DimensionExpr
    try {
      expr = parseDimensions(text)
    } catch (err) {
      if (err instanceof DimensionSyntaxError) throw new DimensionEvaluationError(`definition ${name} is not a valid query: ${err.message}`, 'bad-definition')
      throw err
    }
    this.parsedDefinitions.set(text, expr)
    return expr
  }

  /**
   * `isparentof:(X)` with `step` = parents (or `ischildof:` with children). When X is a plain
   * filter and there are candidates, each candidate is checked through `back` instead, which
   * avoids evaluating X over the whole catalog (POMS's completion and pending-files queries).
   */
  private related(of: DimensionExpr, candidates: Names | null, step: (name: string) => readonly string[], back: (name: string) => readonly string[]): Names {
    const predicate = candidates === null ? null : this.asPredicate(of, [])
    if (predicate && candidates) return candidates.filter((name) => back(name).some(predicate))
    const found = new Set<string>()
    for (const name of this.evaluate(of, null, [])) for (const other of step(name)) found.add(other)
    return restrict(inNameOrder([...found]), candidates)
  }

  /** A per-file test equivalent to `expr`, when `expr` is made of filters only; else null. */
  private asPredicate(expr: DimensionExpr, scope: readonly string[]): Predicate | null {
    if (isFilter(expr)) return this.filter(expr, scope)
    if (expr.kind === 'and') {
      const terms = andTerms(expr)
      if (!terms.every(isFilter)) return null
      const tests = terms.map((t) => this.filter(t, scope))
      return (name) => tests.every((test) => test(name))
    }
    if (expr.kind === 'or') {
      const left = this.asPredicate(expr.left, scope)
      const right = left && this.asPredicate(expr.right, scope)
      return left && right ? (name) => left(name) || right(name) : null
    }
    if (expr.kind === 'with' && expr.limit === undefined && expr.offset === undefined && expr.stride === undefined && expr.availability !== undefined) {
      const inner = this.asPredicate(expr.of, scope)
      const available = this.availability(expr.availability)
      return inner ? (name) => inner(name) && available(name) : null
    }
    return null
  }

  private filter(expr: FilterExpr, scope: readonly string[]): Predicate {
    const catalog = this.catalog
    switch (expr.kind) {
      case 'file_name': {
        const matches = valuesMatcher(expr.values, expr.op === 'like')
        return (name) => matches(name)
      }
      case 'version': {
        const matches = valuesMatcher(expr.values, false)
        return (name) => {
          const version = catalog.file(name)?.version
          return version !== null && version !== undefined && matches(version)
        }
      }
      case 'run_number': {
        const wanted = expr.values.map(parseRun)
        return (name) =>
          (catalog.file(name)?.runs ?? []).some((text) => {
            const run = parseRun(text)
            return run !== null && wanted.some((w) => w !== null && w.run === run.run && (w.subrun === null || w.subrun === run.subrun))
          })
      }
      case 'create_date':
      case 'end_time': {
        const limit = parseDimensionDate(expr.iso)
        if (limit === null) throw new RangeError(`"${expr.iso}" is not a date`)
        const compare = COMPARE[expr.op]
        return (name) => {
          const file = catalog.file(name)
          const at = expr.kind === 'create_date' ? file?.createdAt : file?.endTime
          return at !== null && at !== undefined && compare(at, limit)
        }
      }
      case 'consumed_status': {
        if (scope.length === 0) {
          throw new DimensionEvaluationError(
            'consumed_status needs a project: write it in an "and" with project_name (project_name P and consumed_status co%)',
            'consumed-status-without-project',
          )
        }
        const matches = valuesMatcher(expr.statuses, false)
        return (name) =>
          scope.some((project) => {
            const status = catalog.consumedStatus(project, name)
            return status !== null && matches(status)
          })
      }
    }
  }

  private availability(kind: NonNullable<WithExpr['availability']>): Predicate {
    if (kind === 'anylocation') return () => true
    return (name) => this.catalog.file(name)?.availability === kind
  }

  /**
   * Every file, in name order. Listed once per evaluation, except that with `remember` the
   * catalog is asked again each time (each sub-query must read what it depends on itself); a
   * catalog that hands out the same list again is not sorted again.
   */
  private universe(): Names {
    if (this.universeNames && !this.catalog.remember) return this.universeNames
    const all = this.catalog.allFiles()
    if (this.universeNames === null || all !== this.universeSource) {
      this.universeSource = all
      this.universeNames = inNameOrder(Array.from(all))
    }
    return this.universeNames
  }
}

const COMPARE: Record<'>' | '>=' | '<' | '<=', (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
}

function andTerms(expr: DimensionExpr): DimensionExpr[] {
  return expr.kind === 'and' ? [...andTerms(expr.left), ...andTerms(expr.right)] : [expr]
}

/** Projects a `consumed_status` beside this term refers to: `project_name P`, `project_name a,b`, or an and chain holding them. */
function projectsNamedBy(expr: DimensionExpr): string[] {
  if (expr.kind === 'project_name') return [expr.project]
  if (expr.kind === 'and') return andTerms(expr).flatMap(projectsNamedBy)
  if (expr.kind === 'or') {
    const left = projectsNamedBy(expr.left)
    const right = projectsNamedBy(expr.right)
    const onlyProjects = (e: DimensionExpr): boolean => e.kind === 'project_name' || (e.kind === 'or' && onlyProjects(e.left) && onlyProjects(e.right))
    return onlyProjects(expr) ? [...left, ...right] : []
  }
  return []
}

function parseRun(text: string): { run: number; subrun: number | null } | null {
  const m = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text)
  return m ? { run: Number(m[1]), subrun: m[2] === undefined ? null : Number(m[2]) } : null
}

/**
 * A list from the catalog in name order: as it is when it already is (a linear check; snapshots
 * and SQLite's name index hand names out sorted), else a sorted copy without repeats.
 */
function inNameOrder(names: readonly string[]): Names {
  if (isStrictlyAscending(names)) return names
  const sorted = [...names].sort(compareNames)
  let kept = 0
  for (let i = 0; i < sorted.length; i++) if (kept === 0 || sorted[i] !== sorted[kept - 1]) sorted[kept++] = sorted[i]!
  sorted.length = kept
  return sorted
}

/** Whether `names` is in strictly ascending `compareNames` order (sorted, no repeats). */
export function isStrictlyAscending(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) if (!(names[i - 1]! < names[i]!)) return false
  return true
}

function restrict(names: Names, candidates: Names | null): Names {
  if (candidates === null) return names
  return intersect(names, candidates)
}

/**
 * Sorted lists far apart in size are intersected by binary search of each name of the small one
 * in the large one; others by a merge.
 */
const SEARCH_RATIO = 32

function intersect(a: Names, b: Names): Names {
  const [small, large] = a.length <= b.length ? [a, b] : [b, a]
  if (small.length === 0) return []
  const out: string[] = []
  if (small.length * SEARCH_RATIO < large.length) {
    let from = 0
    for (const name of small) {
      from = lowerBound(large, name, from)
      if (from === large.length) break
      if (large[from] === name) out.push(name)
    }
    return out
  }
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    if (x === y) {
      out.push(x)
      i++
      j++
    } else if (x < y) i++
    else j++
  }
  return out
}

function union(a: Names, b: Names): Names {
  if (a.length === 0) return b
  if (b.length === 0) return a
  const out: string[] = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const x = a[i]!
    const y = b[j]!
    if (x === y) {
      out.push(x)
      i++
      j++
    } else if (x < y) {
      out.push(x)
      i++
    } else {
      out.push(y)
      j++
    }
  }
  while (i < a.length) out.push(a[i++]!)
  while (j < b.length) out.push(b[j++]!)
  return out
}

function difference(a: Names, b: Names): Names {
  if (b.length === 0 || a.length === 0) return a
  const out: string[] = []
  if (b.length * SEARCH_RATIO < a.length) {
    // Few to take away: copy the runs between them.
    let from = 0
    for (const name of b) {
      const at = lowerBound(a, name, from)
      for (let k = from; k < at; k++) out.push(a[k]!)
      from = at < a.length && a[at] === name ? at + 1 : at
      if (from === a.length) break
    }
    for (let k = from; k < a.length; k++) out.push(a[k]!)
    return out
  }
  let j = 0
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++
    if (j === b.length || b[j] !== x) out.push(x)
  }
  return out
}

/** The first index ≥ `from` whose name is not below `name` (names.length if none). */
function lowerBound(names: Names, name: string, from: number): number {
  let lo = from
  let hi = names.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (names[mid]! < name) lo = mid + 1
    else hi = mid
  }
  return lo
}
