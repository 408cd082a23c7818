import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DimensionExpr } from '../../shared/dimensions/ast'
import type { Catalog, CatalogFile, ConsumedStatus } from '../../shared/dimensions/catalog'
import { parseDimensionDate } from '../../shared/dimensions/dates'
import { compareNames, DimensionEvaluationError, evaluateDimensions } from '../../shared/dimensions/evaluate'
import { likeMatcher } from '../../shared/dimensions/like'
import { parseDimensions } from '../../shared/dimensions/parse'

interface MemoryCatalogSpec {
  files: (Partial<CatalogFile> & { name: string; parents?: readonly string[] })[]
  definitions?: Record<string, string>
  snapshots?: Record<number, string[]>
  projects?: Record<string, { snapshot: string[]; statuses: Record<string, ConsumedStatus> }>
}

/** A plain in-memory catalog, counting how often each method is asked (to check the work done). */
function memoryCatalog(spec: MemoryCatalogSpec) {
  const files = new Map<string, CatalogFile>()
  const parents = new Map<string, string[]>()
  const children = new Map<string, string[]>()
  const calls = { allFiles: 0, file: 0 }
  for (const f of spec.files) {
    files.set(f.name, { createdAt: 0, endTime: null, version: null, runs: [], availability: 'physical', metadata: {}, ...f })
    for (const p of f.parents ?? []) {
      parents.set(f.name, [...(parents.get(f.name) ?? []), p])
      children.set(p, [...(children.get(p) ?? []), f.name])
    }
  }
  const catalog: Catalog = {
    allFiles: () => {
      calls.allFiles++
      return files.keys()
    },
    file: (name) => {
      calls.file++
      return files.get(name) ?? null
    },
    parents: (name) => parents.get(name) ?? [],
    children: (name) => children.get(name) ?? [],
    definition: (name) => spec.definitions?.[name] ?? null,
    snapshot: (id) => spec.snapshots?.[id] ?? null,
    projectSnapshot: (project) => spec.projects?.[project]?.snapshot ?? null,
    consumedStatus: (project, file) => spec.projects?.[project]?.statuses[file] ?? null,
    projectFiles: (project) => Object.keys(spec.projects?.[project]?.statuses ?? {}),
  }
  return { catalog, calls }
}

const T = (iso: string) => parseDimensionDate(iso)!

/**
 * A small production: raw gen files, reconstruction outputs of two versions, a histogram made
 * from a reco file (depth 2), a declared-only output, and one project over four inputs.
 */
const world = memoryCatalog({
  files: [
    { name: 'gen_001.dat', createdAt: T('2025-06-01'), endTime: T('2025-05-01'), runs: ['100.1'] },
    { name: 'gen_002.dat', createdAt: T('2025-06-02'), endTime: T('2025-05-02'), runs: ['100.2'] },
    { name: 'gen_003.dat', createdAt: T('2025-06-03'), endTime: T('2025-05-03'), runs: ['101.1', '101.2'] },
    { name: 'gen_004.dat', createdAt: T('2025-06-04'), endTime: T('2025-05-08'), runs: ['102'] },
    { name: 'gen_005.dat', createdAt: T('2025-06-05'), endTime: null, runs: [] },
    { name: 'Gen_006.DAT', createdAt: T('2025-06-06'), endTime: T('2025-05-09'), runs: ['103.1'] },
    { name: 'reco_001.root', parents: ['gen_001.dat'], version: 'v1', createdAt: T('2026-02-01') },
    { name: 'reco_002.root', parents: ['gen_002.dat'], version: 'v1', createdAt: T('2026-02-02') },
    { name: 'reco_003.root', parents: ['gen_003.dat'], version: 'v0', createdAt: T('2025-12-01') },
    { name: 'reco_004.root', parents: ['gen_004.dat'], version: 'v1', createdAt: T('2026-02-04'), availability: 'virtual' },
    { name: 'hist_001.root', parents: ['reco_001.root'], version: 'v1', createdAt: T('2026-03-01') },
    { name: 'merged.root', parents: ['reco_001.root', 'reco_002.root'], version: 'v2', createdAt: T('2026-03-02') },
    { name: 'a%b.txt', createdAt: 0 },
    { name: 'axb.txt', createdAt: 0 },
  ],
  definitions: {
    gen: "file_name like 'gen_%.dat'",
    first_two: 'defname:gen with limit 2',
    every_second: 'defname:gen with stride 2 offset 1',
    outputs_v1: "version v1 and file_name like '%.root'",
    loop_a: 'defname:loop_b',
    loop_b: 'defname:loop_c or version v1',
    loop_c: 'defname:loop_a',
    broken: "file_name like 'x' and",
    self: 'defname:self',
  },
  snapshots: { 7: ['gen_003.dat', 'gen_001.dat', 'gen_002.dat'] },
  projects: {
    P1: {
      snapshot: ['gen_001.dat', 'gen_002.dat', 'gen_003.dat', 'gen_004.dat'],
      statuses: { 'gen_001.dat': 'consumed', 'gen_002.dat': 'completed', 'gen_003.dat': 'failed', 'gen_004.dat': 'unknown' },
    },
    P2: { snapshot: ['gen_005.dat'], statuses: { 'gen_005.dat': 'consumed' } },
  },
})

const run = (dims: string, catalog: Catalog = world.catalog) => evaluateDimensions(parseDimensions(dims), catalog)

function evaluationError(dims: string): DimensionEvaluationError {
  try {
    run(dims)
  } catch (err) {
    expect(err).toBeInstanceOf(DimensionEvaluationError)
    return err as DimensionEvaluationError
  }
  throw new Error(`expected ${dims} to fail`)
}

const GEN = ['gen_001.dat', 'gen_002.dat', 'gen_003.dat', 'gen_004.dat', 'gen_005.dat']

describe('each construct', () => {
  it.each<[string, string[]]>([
    ['defname:gen', GEN],
    ['defname:first_two', ['gen_001.dat', 'gen_002.dat']],
    ['defname:every_second', ['gen_002.dat', 'gen_004.dat']],
    ['snapshot_id 7', ['gen_001.dat', 'gen_002.dat', 'gen_003.dat']],
    ['snapshot_for_project_name P1', ['gen_001.dat', 'gen_002.dat', 'gen_003.dat', 'gen_004.dat']],
    ['project_name P1', ['gen_001.dat', 'gen_002.dat', 'gen_003.dat', 'gen_004.dat']],
    ['project_name nobody', []],
    ['project_name P1 and consumed_status co%', ['gen_001.dat', 'gen_002.dat']],
    ["project_name P1 and consumed_status 'consumed'", ['gen_001.dat']],
    ['project_name P1 and consumed_status failed,unknown', ['gen_003.dat', 'gen_004.dat']],
    ['project_name P1,P2 and consumed_status consumed', ['gen_001.dat', 'gen_005.dat']],
    ['consumed_status co% and project_name P2', ['gen_005.dat']],
    ['project_name P1 minus consumed_status co%', ['gen_003.dat', 'gen_004.dat']],
    ['file_name gen_003.dat', ['gen_003.dat']],
    ['file_name gen_003.dat, reco_001.root, nothing.root', ['gen_003.dat', 'reco_001.root']],
    ["file_name like '%.root'", ['hist_001.root', 'merged.root', 'reco_001.root', 'reco_002.root', 'reco_003.root', 'reco_004.root']],
    ["file_name like 'reco_00_.root'", ['reco_001.root', 'reco_002.root', 'reco_003.root', 'reco_004.root']],
    ["file_name 'gen_00?.dat'", GEN],
    ['version v1', ['hist_001.root', 'reco_001.root', 'reco_002.root', 'reco_004.root']],
    ['version v0,v2', ['merged.root', 'reco_003.root']],
    ["version 'v%'", ['hist_001.root', 'merged.root', 'reco_001.root', 'reco_002.root', 'reco_003.root', 'reco_004.root']],
    ['run_number 100', ['gen_001.dat', 'gen_002.dat']],
    ['run_number 101.2', ['gen_003.dat']],
    ['run_number 102,103.1', ['Gen_006.DAT', 'gen_004.dat']],
    ['run_number 102.1', []],
    ["create_date > '2026-02-01T00:00:00'", ['hist_001.root', 'merged.root', 'reco_002.root', 'reco_004.root']],
    ["create_date >= '2026-02-01T00:00:00+0000'", ['hist_001.root', 'merged.root', 'reco_001.root', 'reco_002.root', 'reco_004.root']],
    ["create_date < '2025-06-02' and file_name like 'gen%'", ['gen_001.dat']],
    ["end_time > '2025-05-02T00:00:00' and end_time <= '2025-05-08T00:00:00'", ['gen_003.dat', 'gen_004.dat']],
    ['isparentof:( version v1 )', ['gen_001.dat', 'gen_002.dat', 'gen_004.dat', 'reco_001.root']],
    ['ischildof:( file_name gen_001.dat )', ['reco_001.root']],
    ['ischildof:( ischildof:( file_name gen_001.dat ) )', ['hist_001.root', 'merged.root']],
    ['isparentof:( isparentof:( file_name merged.root ) )', ['gen_001.dat', 'gen_002.dat']],
    ['defname:gen and run_number 100 or file_name merged.root', ['gen_001.dat', 'gen_002.dat', 'merged.root']],
    ['defname:gen minus snapshot_id 7 minus file_name gen_005.dat', ['gen_004.dat']],
    // byexistingruns' text as POMS writes it: `and` binds first, so this is gen minus (snapshot 7 and run 102).
    ['defname:gen minus snapshot_id 7 and run_number 102', GEN],
    ['(defname:gen minus snapshot_id 7) and run_number 102', ['gen_004.dat']],
    ['defname:gen with limit 2 offset 3', ['gen_004.dat', 'gen_005.dat']],
    ['defname:gen with offset 4', ['gen_005.dat']],
    ['defname:gen with limit 10 offset 9', []],
    ['defname:gen with limit 0', []],
    ['defname:gen with stride 2', ['gen_001.dat', 'gen_003.dat', 'gen_005.dat']],
    ['defname:gen with stride 2 limit 2', ['gen_001.dat', 'gen_003.dat']],
    ['defname:gen minus snapshot_id 7 with limit 1', ['gen_004.dat']],
    ['version v1 with availability physical', ['hist_001.root', 'reco_001.root', 'reco_002.root']],
    ['version v1 with availability virtual', ['reco_004.root']],
    ['version v1 with availability anylocation', ['hist_001.root', 'reco_001.root', 'reco_002.root', 'reco_004.root']],
    ['defname:outputs_v1 and isparentof:( version v1 )', ['reco_001.root']],
  ])('%s', (dims, expected) => {
    expect(run(dims)).toEqual(expected)
  })
})

describe('the queries POMS builds', () => {
  it('consumed_status recovery: the snapshot minus what was consumed or completed', () => {
    expect(run('snapshot_for_project_name P1 minus (project_name P1 and consumed_status co%)')).toEqual(['gen_003.dat', 'gen_004.dat'])
  })

  it('pending_files: inputs with no output child of this version made after the submission started', () => {
    expect(run("snapshot_for_project_name P1 minus ( isparentof:( version v1 and file_name like '%.root' and create_date > '2026-01-01T00:00:00' ) )")).toEqual(['gen_003.dat'])
  })

  it('pending_files nested two levels deep (output_ancestor_depth 2)', () => {
    expect(run("snapshot_for_project_name P1 minus ( isparentof:( isparentof:( version v1 and file_name like 'hist%' ) ) )")).toEqual(['gen_002.dat', 'gen_003.dat', 'gen_004.dat'])
  })

  it('located: snapshot files with a physical output child; a declared-only output does not count', () => {
    expect(run("snapshot_for_project_name P1 and isparentof:( file_name '%.root' and version 'v1' and create_date > '2026-01-01T00:00:00+0000' with availability physical )")).toEqual([
      'gen_001.dat',
      'gen_002.dat',
    ])
  })

  it('dependency dataset: children of the upstream inputs of this version made after it started', () => {
    expect(run("ischildof:( snapshot_for_project_name P1 ) and version v1 and create_date > '2026-01-01T00:00:00' and file_name like '%.root'")).toEqual([
      'reco_001.root',
      'reco_002.root',
      'reco_004.root',
    ])
  })

  it('mod(3): the stride slices partition the dataset', () => {
    const slices = [0, 1, 2].map((k) => run(`defname:gen with stride 3 offset ${k}`))
    expect(slices).toEqual([['gen_001.dat', 'gen_004.dat'], ['gen_002.dat', 'gen_005.dat'], ['gen_003.dat']])
    expect(slices.flat().sort(compareNames)).toEqual(GEN)
  })

  it('nfiles(2): consecutive limit/offset slices cover the dataset once, then run dry', () => {
    const slices = [0, 1, 2, 3].map((k) => run(`defname:gen with limit 2 offset ${2 * k}`))
    expect(slices).toEqual([['gen_001.dat', 'gen_002.dat'], ['gen_003.dat', 'gen_004.dat'], ['gen_005.dat'], []])
  })
})

describe('LIKE: % any run, _ and ? one character, \\ escapes; case-sensitive', () => {
  it.each<[string, string, boolean]>([
    ['%.root', '.root', true],
    ['%.root', 'a.ROOT', false],
    ['gen_%', 'gen_1', true],
    ['gen_%', 'genX1', true],
    ['gen\\_%', 'genX1', false],
    ['gen\\_%', 'gen_1', true],
    ['a\\%b.txt', 'a%b.txt', true],
    ['a\\%b.txt', 'axb.txt', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a_c', 'abbc', false],
    ['(x)[y]*+.^$|', '(x)[y]*+.^$|', true],
    ['%', '', true],
    ['é_', 'éß', true],
    ['trailing\\', 'trailing\\', true],
  ])('%s ~ %s → %s', (pattern, value, matches) => {
    expect(likeMatcher(pattern)(value)).toBe(matches)
  })

  it('is case-sensitive in queries too', () => {
    expect(run("file_name like 'gen%'")).toEqual(GEN)
    expect(run("file_name like 'Gen%'")).toEqual(['Gen_006.DAT'])
  })

  it('a value without % or ? is compared exactly, even with _', () => {
    expect(run('file_name a_b.txt')).toEqual([])
    expect(run("file_name like 'a_b.txt'")).toEqual(['a%b.txt', 'axb.txt'])
    expect(run("file_name 'a\\%b.txt'")).toEqual(['a%b.txt'])
  })
})

describe('errors', () => {
  it.each<[string, DimensionEvaluationError['code'], RegExp]>([
    ['defname:missing', 'unknown-definition', /no definition named missing/],
    ['defname:self', 'definition-cycle', /self → self/],
    ['defname:loop_a', 'definition-cycle', /loop_a → loop_b → loop_c → loop_a/],
    ['defname:broken', 'bad-definition', /definition broken is not a valid query/],
    ['snapshot_id 99', 'unknown-snapshot', /no snapshot 99/],
    ['snapshot_for_project_name nope', 'unknown-project', /no project named nope/],
    ['consumed_status consumed', 'consumed-status-without-project', /needs a project/],
    ['project_name P1 or consumed_status consumed', 'consumed-status-without-project', /needs a project/],
    ['isparentof:( consumed_status consumed ) and project_name P1', 'consumed-status-without-project', /needs a project/],
  ])('%s', (dims, code, message) => {
    const err = evaluationError(dims)
    expect(err.code).toBe(code)
    expect(err.message).toMatch(message)
  })

  it('a definition used twice side by side is not a cycle', () => {
    expect(run('defname:first_two or defname:first_two and defname:gen')).toEqual(['gen_001.dat', 'gen_002.dat'])
  })
})

describe('work stays bounded by what the query touches', () => {
  it('a query over a project never lists the whole catalog', () => {
    const { catalog, calls } = memoryCatalog({
      files: Array.from({ length: 5000 }, (_, i) => ({ name: `f${i}`, version: i % 2 ? 'v1' : null, parents: i >= 2500 ? [`f${i - 2500}`] : [] })),
      projects: { P: { snapshot: ['f1', 'f2', 'f3'], statuses: { f1: 'consumed', f2: 'failed', f3: 'unknown' } } },
    })
    expect(run("snapshot_for_project_name P minus ( isparentof:( version v1 and file_name like 'f%' ) )", catalog)).toEqual(['f2'])
    expect(run('snapshot_for_project_name P minus (project_name P and consumed_status co%)', catalog)).toEqual(['f2', 'f3'])
    expect(run('ischildof:( snapshot_for_project_name P ) and version v1', catalog)).toEqual(['f2501', 'f2503'])
    expect(calls.allFiles).toBe(0)
    expect(calls.file).toBeLessThan(20)
  })
})

// ---- A reference evaluator, written straight from the semantics with no shortcuts ----

function reference(expr: DimensionExpr, c: Catalog, scope: string[] = []): Set<string> {
  const universe = [...c.allFiles()]
  const sorted = (s: Set<string>) => [...s].sort(compareNames)
  const filter = (test: (name: string) => boolean) => new Set(universe.filter(test))
  const matches = (values: string[], v: string | null | undefined, like = false) =>
    v !== null && v !== undefined && values.some((p) => (like || p.includes('%') || p.includes('?') ? likeMatcher(p)(v) : p === v))
  const chainProjects = (e: DimensionExpr): string[] =>
    e.kind === 'project_name' ? [e.project] : e.kind === 'and' ? [...chainProjects(e.left), ...chainProjects(e.right)] : []
  switch (expr.kind) {
    case 'and': {
      const inner = [...scope, ...chainProjects(expr)]
      const right = reference(expr.right, c, inner)
      return new Set([...reference(expr.left, c, inner)].filter((n) => right.has(n)))
    }
    case 'or':
      return new Set([...reference(expr.left, c, scope), ...reference(expr.right, c, scope)])
    case 'minus': {
      const right = reference(expr.right, c, [...scope, ...chainProjects(expr.left)])
      return new Set([...reference(expr.left, c, scope)].filter((n) => !right.has(n)))
    }
    case 'defname':
      return reference(parseDimensions(c.definition(expr.name)!), c)
    case 'snapshot_id':
      return new Set(c.snapshot(expr.id)!)
    case 'snapshot_for_project_name':
      return new Set(c.projectSnapshot(expr.project)!)
    case 'project_name':
      return new Set(c.projectFiles(expr.project))
    case 'consumed_status':
      return filter((n) => scope.some((p) => matches(expr.statuses, c.consumedStatus(p, n))))
    case 'file_name':
      return filter((n) => matches(expr.values, n, expr.op === 'like'))
    case 'version':
      return filter((n) => matches(expr.values, c.file(n)!.version))
    case 'run_number':
      return filter((n) => c.file(n)!.runs.some((r) => expr.values.some((w) => r === w || (!w.includes('.') && r.split('.')[0] === w))))
    case 'create_date':
    case 'end_time': {
      const limit = parseDimensionDate(expr.iso)!
      const cmp = { '>': (a: number) => a > limit, '>=': (a: number) => a >= limit, '<': (a: number) => a < limit, '<=': (a: number) => a <= limit }[expr.op]
      return filter((n) => {
        const at = expr.kind === 'create_date' ? c.file(n)!.createdAt : c.file(n)!.endTime
        return at !== null && cmp(at)
      })
    }
    case 'isparentof':
      return new Set([...reference(expr.of, c)].flatMap((n) => c.parents(n)))
    case 'ischildof':
      return new Set([...reference(expr.of, c)].flatMap((n) => c.children(n)))
    case 'with': {
      const names = sorted(reference(expr.of, c, scope)).filter((n) => !expr.availability || expr.availability === 'anylocation' || c.file(n)!.availability === expr.availability)
      const out: string[] = []
      names.forEach((n, i) => {
        const at = i - (expr.offset ?? 0)
        if (at >= 0 && at % (expr.stride ?? 1) === 0) out.push(n)
      })
      return new Set(out.slice(0, expr.limit ?? out.length))
    }
  }
}

describe('agrees with a plain reference evaluator on random catalogs and queries', () => {
  const NAMES = Array.from({ length: 24 }, (_, i) => `${['raw', 'reco', 'ana'][i % 3]}_${String(i).padStart(2, '0')}.${i % 4 ? 'root' : 'dat'}`)
  const VERSIONS = ['v1', 'v2', 'v10']
  const STATUSES: ConsumedStatus[] = ['unknown', 'delivered', 'consumed', 'completed', 'failed', 'skipped']

  const catalogSpec = fc.record({
    files: fc.tuple(
      ...NAMES.map((name, i) =>
        fc.record({
          name: fc.constant(name),
          version: fc.option(fc.constantFrom(...VERSIONS), { nil: null }),
          createdAt: fc.integer({ min: 0, max: 10 }).map((d) => T(`2026-01-${String(d + 1).padStart(2, '0')}`)),
          endTime: fc.option(fc.integer({ min: 0, max: 10 }).map((d) => T(`2025-01-${String(d + 1).padStart(2, '0')}`)), { nil: null }),
          runs: fc.array(fc.constantFrom('1', '1.1', '1.2', '2.1', '3'), { maxLength: 2 }),
          availability: fc.constantFrom('physical' as const, 'virtual' as const),
          // Parents only among earlier files: lineage has no cycles.
          parents: i === 0 ? fc.constant<string[]>([]) : fc.uniqueArray(fc.constantFrom(...NAMES.slice(0, i)), { maxLength: 2 }),
        }),
      ),
    ),
    snapshot: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 10 }),
    projectFiles: fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 10 }),
    statuses: fc.array(fc.constantFrom(...STATUSES), { minLength: 10, maxLength: 10 }),
  })

  const pattern = fc.constantFrom('%.root', 'reco%', '%_1%', 'raw_0?.dat', '%', 'ana\\_%')
  const { query } = fc.letrec<{ query: DimensionExpr; leaf: DimensionExpr }>((tie) => ({
    leaf: fc.oneof(
      fc.constant<DimensionExpr>({ kind: 'defname', name: 'base' }),
      fc.constant<DimensionExpr>({ kind: 'snapshot_id', id: 1 }),
      fc.constant<DimensionExpr>({ kind: 'snapshot_for_project_name', project: 'P' }),
      fc.constant<DimensionExpr>({ kind: 'project_name', project: 'P' }),
      fc.uniqueArray(fc.constantFrom('co%', 'failed', 'unknown', 'delivered'), { minLength: 1, maxLength: 2 }).map(
        (statuses): DimensionExpr => ({ kind: 'and', left: { kind: 'project_name', project: 'P' }, right: { kind: 'consumed_status', statuses } }),
      ),
      fc.tuple(fc.constantFrom('=' as const, 'like' as const), fc.array(fc.oneof(pattern, fc.constantFrom(...NAMES)), { minLength: 1, maxLength: 2 })).map(
        ([op, values]): DimensionExpr => ({ kind: 'file_name', op, values }),
      ),
      fc.array(fc.constantFrom('v1', 'v2', 'v1%', 'v?'), { minLength: 1, maxLength: 2 }).map((values): DimensionExpr => ({ kind: 'version', values })),
      fc.array(fc.constantFrom('1', '1.1', '2', '3.1'), { minLength: 1, maxLength: 2 }).map((values): DimensionExpr => ({ kind: 'run_number', values })),
      fc
        .tuple(fc.constantFrom('create_date' as const, 'end_time' as const), fc.constantFrom('>' as const, '>=' as const, '<' as const, '<=' as const), fc.integer({ min: 1, max: 11 }))
        .map(([kind, op, day]): DimensionExpr => ({ kind, op, iso: `${kind === 'create_date' ? '2026' : '2025'}-01-${String(day).padStart(2, '0')}` })),
    ),
    query: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.tuple(fc.constantFrom('and' as const, 'or' as const, 'minus' as const), tie('query'), tie('query')).map(([kind, left, right]): DimensionExpr => ({ kind, left, right })),
      fc.tuple(fc.constantFrom('isparentof' as const, 'ischildof' as const), tie('query')).map(([kind, of]): DimensionExpr => ({ kind, of })),
      fc
        .tuple(
          tie('query'),
          fc.record(
            { limit: fc.nat(8), offset: fc.nat(8), stride: fc.integer({ min: 1, max: 4 }), availability: fc.constantFrom('physical' as const, 'anylocation' as const, 'virtual' as const) },
            { requiredKeys: [] },
          ),
        )
        .filter(([, mods]) => Object.keys(mods).length > 0)
        .map(([of, mods]): DimensionExpr => ({ kind: 'with', of, ...mods })),
    ),
  }))

  it('same files, in name order', () => {
    fc.assert(
      fc.property(catalogSpec, query, (spec, q) => {
        const { catalog } = memoryCatalog({
          files: spec.files,
          definitions: { base: "file_name like 'r%' or version v2" },
          snapshots: { 1: spec.snapshot },
          projects: { P: { snapshot: spec.snapshot, statuses: Object.fromEntries(spec.projectFiles.map((f, i) => [f, spec.statuses[i]!])) } },
        })
        expect(evaluateDimensions(q, catalog)).toEqual([...reference(q, catalog)].sort(compareNames))
      }),
      { numRuns: 1500 },
    )
  })
})
