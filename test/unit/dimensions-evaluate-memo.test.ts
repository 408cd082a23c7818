import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DimensionExpr } from '../../shared/dimensions/ast'
import type { Catalog, CatalogFile, ConsumedStatus } from '../../shared/dimensions/catalog'
import { compareNames, evaluateDimensions } from '../../shared/dimensions/evaluate'
import { parseDimensions } from '../../shared/dimensions/parse'

/**
 * The evaluator's side of `Catalog.remember` (sub-query answers kept across evaluations) and its
 * sorted-list set operations. The reference-evaluator property test (dimensions-evaluate.test.ts)
 * covers the semantics; this checks that remembering answers never changes one, and that the
 * merge and binary-search paths of `and` / `or` / `minus` agree with plain sets on large lists.
 */

interface Spec {
  files: (Partial<CatalogFile> & { name: string })[]
  definitions?: Record<string, string>
  snapshots?: Record<number, readonly string[]>
  projects?: Record<string, Record<string, ConsumedStatus>>
}

/** An in-memory catalog; with `remembering`, a `remember` that keeps every answer (the catalog never changes). */
function catalogOf(spec: Spec, remembering: boolean) {
  const files = new Map(spec.files.map((f) => [f.name, { createdAt: 0, endTime: null, version: null, runs: [], availability: 'physical' as const, metadata: {}, ...f }]))
  const kept = new Map<string, readonly string[]>()
  const calls = { computed: [] as string[], recalled: [] as string[], snapshot: 0 }
  const catalog: Catalog = {
    allFiles: () => files.keys(),
    file: (name) => files.get(name) ?? null,
    parents: () => [],
    children: () => [],
    definition: (name) => spec.definitions?.[name] ?? null,
    snapshot: (id) => {
      calls.snapshot++
      return spec.snapshots?.[id] ?? null
    },
    projectSnapshot: (project) => (spec.projects?.[project] ? Object.keys(spec.projects[project]) : null),
    consumedStatus: (project, file) => spec.projects?.[project]?.[file] ?? null,
    projectFiles: (project) => Object.keys(spec.projects?.[project] ?? {}),
    ...(remembering
      ? {
          remember(key: string, compute: () => readonly string[]) {
            const known = kept.get(key)
            if (known) {
              calls.recalled.push(key)
              return known
            }
            calls.computed.push(key)
            const names = compute()
            kept.set(key, names)
            return names
          },
        }
      : {}),
  }
  return { catalog, calls }
}

const run = (dims: string, catalog: Catalog) => evaluateDimensions(parseDimensions(dims), catalog)

describe('remembered sub-query answers', () => {
  const spec: Spec = {
    files: ['a1', 'a2', 'a3', 'b1', 'b2', 'c1'].map((name) => ({ name, version: name.startsWith('a') ? 'v1' : 'v2' })),
    definitions: { all: 'snapshot_id 1', firsts: "file_name like '%1'" },
    snapshots: { 1: ['c1', 'b2', 'a1', 'b1', 'a3', 'a2'] },
    projects: {
      P: { a1: 'consumed', a2: 'failed', b1: 'consumed' },
      Q: { a2: 'consumed', b2: 'completed', c1: 'failed' },
    },
  }

  it('answer a repeated query, and the slices of one dataset, from memory', () => {
    const { catalog, calls } = catalogOf(spec, true)
    expect(run('defname:all with limit 2 offset 1', catalog)).toEqual(['a2', 'a3'])
    expect(calls.snapshot).toBe(1)
    expect(run('defname:all with limit 2 offset 3', catalog)).toEqual(['b1', 'b2'])
    expect(run('defname:all with limit 2 offset 5', catalog)).toEqual(['c1'])
    expect(run('defname:all with limit 2 offset 1', catalog)).toEqual(['a2', 'a3'])
    // The dataset was evaluated once; each slice only picked from it.
    expect(calls.snapshot).toBe(1)
    expect(calls.computed.filter((key) => key === 'defname:all')).toHaveLength(1)
    expect(calls.recalled).toEqual(['defname:all', 'defname:all', 'defname:all with limit 2 offset 1'])
  })

  it('are told apart by the projects a consumed_status refers to', () => {
    const { catalog, calls } = catalogOf(spec, true)
    // The `or` comes first in its chain, so it is evaluated over the whole catalog, with P (then Q) in scope.
    expect(run('(consumed_status consumed or consumed_status failed) and project_name P', catalog)).toEqual(['a1', 'a2', 'b1'])
    expect(run('(consumed_status consumed or consumed_status failed) and project_name Q', catalog)).toEqual(['a2', 'c1'])
    expect(calls.computed).toContain('["P"] consumed_status consumed or consumed_status failed')
    expect(calls.computed).toContain('["Q"] consumed_status consumed or consumed_status failed')
  })

  it('hand out copies: changing an answer does not change what is remembered', () => {
    const { catalog } = catalogOf(spec, true)
    const first = run('defname:all', catalog)
    first.push('zz')
    first.reverse()
    expect(run('defname:all', catalog)).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1'])
    // The catalog's own snapshot list is left as it was too.
    expect(spec.snapshots![1]).toEqual(['c1', 'b2', 'a1', 'b1', 'a3', 'a2'])
  })

  const NAMES = Array.from({ length: 16 }, (_, i) => `${['raw', 'reco'][i % 2]}_${String(i).padStart(2, '0')}.${i % 3 ? 'root' : 'dat'}`)
  const STATUSES: ConsumedStatus[] = ['unknown', 'consumed', 'completed', 'failed']
  const world = fc.record({
    versions: fc.array(fc.constantFrom('v1', 'v2'), { minLength: NAMES.length, maxLength: NAMES.length }),
    snapshot: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 10 }),
    p: fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...STATUSES)),
    q: fc.dictionary(fc.constantFrom(...NAMES), fc.constantFrom(...STATUSES)),
  })
  const { query } = fc.letrec<{ query: DimensionExpr; leaf: DimensionExpr }>((tie) => ({
    leaf: fc.oneof(
      fc.constant<DimensionExpr>({ kind: 'defname', name: 'base' }),
      fc.constant<DimensionExpr>({ kind: 'snapshot_id', id: 1 }),
      fc.constantFrom('P', 'Q').map((project): DimensionExpr => ({ kind: 'project_name', project })),
      fc.constantFrom('P', 'Q').map((project): DimensionExpr => ({ kind: 'snapshot_for_project_name', project })),
      fc.constantFrom('co%', 'failed').map((status): DimensionExpr => ({ kind: 'consumed_status', statuses: [status] })),
      fc.constantFrom('%.root', 'raw%', '%0%').map((p): DimensionExpr => ({ kind: 'file_name', op: 'like', values: [p] })),
      fc.constantFrom('v1', 'v2').map((v): DimensionExpr => ({ kind: 'version', values: [v] })),
    ),
    query: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.tuple(fc.constantFrom('and' as const, 'or' as const, 'minus' as const), tie('query'), tie('query')).map(([kind, left, right]): DimensionExpr => ({ kind, left, right })),
      fc
        .tuple(tie('query'), fc.nat(6), fc.nat(6), fc.integer({ min: 1, max: 3 }))
        .map(([of, limit, offset, stride]): DimensionExpr => ({ kind: 'with', of, limit, offset, stride })),
    ),
  }))

  it('never change an answer: a run of random queries against one memory agrees with evaluation from scratch', () => {
    fc.assert(
      fc.property(world, fc.array(query, { minLength: 1, maxLength: 6 }), (w, queries) => {
        const s: Spec = {
          files: NAMES.map((name, i) => ({ name, version: w.versions[i]! })),
          definitions: { base: "file_name like 'reco%' or version v2" },
          snapshots: { 1: w.snapshot },
          projects: { P: w.p, Q: w.q },
        }
        const remembering = catalogOf(s, true).catalog
        const plain = catalogOf(s, false).catalog
        // Twice over, so the second round answers from memory.
        for (const q of [...queries, ...queries]) {
          const expected = (() => {
            try {
              return evaluateDimensions(q, plain)
            } catch (err) {
              return (err as Error).message
            }
          })()
          const got = (() => {
            try {
              return evaluateDimensions(q, remembering)
            } catch (err) {
              return (err as Error).message
            }
          })()
          expect(got).toEqual(expected)
        }
      }),
      { numRuns: 400 },
    )
  })
})

describe('a catalog that changes between queries', () => {
  /**
   * A catalog whose `remember` keeps, with each answer, every call `compute` made and what it
   * returned, and gives the answer again only if the same calls return the same now. That is
   * exact as long as the evaluator keeps its side of the contract (catalog.ts): a sub-query reads
   * everything it depends on while it is computed.
   */
  function trackingCatalog(spec: Spec) {
    const files = () => new Map(spec.files.map((f) => [f.name, { createdAt: 0, endTime: null, version: null, runs: [], availability: 'physical' as const, metadata: {}, ...f }]))
    const plain: Catalog = {
      allFiles: () => files().keys(),
      file: (name) => files().get(name) ?? null,
      parents: () => [],
      children: () => [],
      definition: (name) => spec.definitions?.[name] ?? null,
      snapshot: (id) => spec.snapshots?.[id] ?? null,
      projectSnapshot: (project) => (spec.projects?.[project] ? Object.keys(spec.projects[project]) : null),
      consumedStatus: (project, file) => spec.projects?.[project]?.[file] ?? null,
      projectFiles: (project) => Object.keys(spec.projects?.[project] ?? {}),
    }
    type Method = keyof typeof plain
    type Call = { method: Method; args: unknown[]; result: string }
    const call = (method: Method, args: unknown[]): unknown => (plain[method] as (...a: unknown[]) => unknown)(...args)
    /** A call's answer as text; lists (iterables) by their items. */
    const answer = (method: Method, args: unknown[]): string => {
      const result = call(method, args)
      return JSON.stringify(method === 'file' || result === null || typeof result !== 'object' ? result : [...(result as Iterable<unknown>)])
    }
    const frames: Call[][] = []
    const kept = new Map<string, { names: readonly string[]; calls: Call[] }>()
    const tracked = Object.fromEntries(
      (Object.keys(plain) as Method[]).map((method) => [
        method,
        (...args: unknown[]) => {
          frames.at(-1)?.push({ method, args, result: answer(method, args) })
          return call(method, args)
        },
      ]),
    ) as unknown as Catalog
    const stillSo = (c: Call) => answer(c.method, c.args) === c.result
    tracked.remember = (key, compute) => {
      const known = kept.get(key)
      if (known && known.calls.every(stillSo)) {
        frames.at(-1)?.push(...known.calls)
        return known.names
      }
      frames.push([])
      let calls: Call[] = []
      try {
        const names = compute()
        calls = frames.at(-1)!
        kept.set(key, { names, calls })
        return names
      } finally {
        frames.pop()
        frames.at(-1)?.push(...calls)
      }
    }
    return { tracked, plain }
  }

  const NAMES = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2']
  const step = fc.oneof(
    fc.constantFrom(
      'defname:base',
      'defname:outer with limit 2 offset 1',
      "file_name like 'a%' or defname:base",
      'snapshot_id 1 minus defname:base',
      '(snapshot_id 1 and defname:outer) or (defname:outer with limit 3)',
      "(file_name like 'zz%' or version v2) or (version v2 with limit 4)",
      '(consumed_status co% or consumed_status failed) and project_name P',
      'snapshot_for_project_name P minus (project_name P and consumed_status co%)',
      "version v1 and (file_name like '%1' or defname:base)",
    ).map((query) => ({ query })),
    fc.record({ file: fc.constantFrom(...NAMES, 'd1', 'd2'), version: fc.constantFrom('v1', 'v2') }),
    fc.record({ base: fc.constantFrom("file_name like 'b%'", 'version v1', 'snapshot_id 1', "file_name like 'c%' or version v2") }),
    fc.record({ snapshot: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 5 }) }),
    fc.record({ status: fc.constantFrom(...NAMES), value: fc.constantFrom<ConsumedStatus>('unknown', 'consumed', 'failed') }),
  )

  it('a remembered answer is given again only while what it read is unchanged (random queries and writes)', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 25 }), (steps) => {
        const spec: Spec = {
          files: NAMES.map((name, i) => ({ name, version: i % 2 ? 'v1' : 'v2' })),
          definitions: { base: "file_name like 'b%'", outer: 'defname:base or file_name like "c%"' },
          snapshots: { 1: ['c2', 'a1', 'b2'] },
          projects: { P: { a1: 'consumed', b1: 'unknown' } },
        }
        const { tracked, plain } = trackingCatalog(spec)
        for (const s of [...steps, ...steps]) {
          if ('query' in s) {
            const expected = evaluateDimensions(parseDimensions(s.query), plain)
            expect(evaluateDimensions(parseDimensions(s.query), tracked)).toEqual(expected)
          } else if ('file' in s) {
            const at = spec.files.findIndex((f) => f.name === s.file)
            spec.files = at < 0 ? [...spec.files, { name: s.file, version: s.version }] : spec.files.map((f, i) => (i === at ? { ...f, version: s.version } : f))
          } else if ('base' in s) {
            spec.definitions = { ...spec.definitions, base: s.base }
          } else if ('snapshot' in s) {
            spec.snapshots = { 1: s.snapshot }
          } else {
            spec.projects = { P: { ...spec.projects!.P, [s.status]: s.value } }
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})

describe('set operations on large name lists', () => {
  const UNIVERSE = Array.from({ length: 3000 }, (_, i) => `n${String((i * 7919) % 3000).padStart(4, '0')}`)

  /** A deterministic subset of `UNIVERSE` of about `size` names, in a scrambled order. */
  function subset(seed: number, size: number): string[] {
    let x = seed * 2654435761 + 1
    const next = () => {
      x = (x * 1103515245 + 12345) % 2147483648
      return x / 2147483648
    }
    const keep = UNIVERSE.filter(() => next() < size / UNIVERSE.length)
    for (let i = keep.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1))
      ;[keep[i], keep[j]] = [keep[j]!, keep[i]!]
    }
    return keep
  }

  const sizes = fc.constantFrom(0, 1, 5, 40, 90, 400, 1500, 2900, 3000)
  const sorted = (names: Iterable<string>) => [...names].sort(compareNames)

  it('and, or, minus and with agree with plain sets, for lists of any relative size and order', () => {
    fc.assert(
      fc.property(fc.nat(1_000_000), sizes, fc.nat(1_000_000), sizes, fc.nat(50), (seedA, sizeA, seedB, sizeB, offset) => {
        const a = subset(seedA, sizeA)
        const b = subset(seedB, sizeB)
        const inA = new Set(a)
        const inB = new Set(b)
        for (const remembering of [false, true]) {
          const { catalog } = catalogOf({ files: UNIVERSE.map((name) => ({ name })), snapshots: { 1: a, 2: b } }, remembering)
          expect(run('snapshot_id 1 and snapshot_id 2', catalog)).toEqual(sorted(a.filter((n) => inB.has(n))))
          expect(run('snapshot_id 2 and snapshot_id 1', catalog)).toEqual(sorted(a.filter((n) => inB.has(n))))
          expect(run('snapshot_id 1 or snapshot_id 2', catalog)).toEqual(sorted(new Set([...a, ...b])))
          expect(run('snapshot_id 1 minus snapshot_id 2', catalog)).toEqual(sorted(a.filter((n) => !inB.has(n))))
          expect(run('snapshot_id 2 minus snapshot_id 1', catalog)).toEqual(sorted(b.filter((n) => !inA.has(n))))
          expect(run(`(snapshot_id 1 or snapshot_id 2) minus snapshot_id 2 with limit 7 offset ${offset}`, catalog)).toEqual(
            sorted(a.filter((n) => !inB.has(n))).slice(offset, offset + 7),
          )
        }
      }),
      { numRuns: 60 },
    )
  })

  it('a catalog list given out of order or with a name twice is read as the set it holds', () => {
    const { catalog } = catalogOf({ files: [{ name: 'x' }, { name: 'y' }, { name: 'z' }], snapshots: { 1: ['z', 'x', 'z', 'y', 'x'], 2: ['y'] } }, false)
    expect(run('snapshot_id 1', catalog)).toEqual(['x', 'y', 'z'])
    expect(run('snapshot_id 1 minus snapshot_id 2', catalog)).toEqual(['x', 'z'])
  })
})
