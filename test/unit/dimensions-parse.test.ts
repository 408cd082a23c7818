import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DimensionSyntaxError, type DimensionExpr } from '../../shared/dimensions/ast'
import { parseDimensionDate } from '../../shared/dimensions/dates'
import { formatDimensions, parseDimensions } from '../../shared/dimensions/parse'

const d = (name: string): DimensionExpr => ({ kind: 'defname', name })
const and = (left: DimensionExpr, right: DimensionExpr): DimensionExpr => ({ kind: 'and', left, right })
const or = (left: DimensionExpr, right: DimensionExpr): DimensionExpr => ({ kind: 'or', left, right })
const minus = (left: DimensionExpr, right: DimensionExpr): DimensionExpr => ({ kind: 'minus', left, right })

function syntaxError(text: string): DimensionSyntaxError {
  try {
    parseDimensions(text)
  } catch (err) {
    expect(err).toBeInstanceOf(DimensionSyntaxError)
    return err as DimensionSyntaxError
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`)
}

describe('parseDimensions: every construct POMS writes', () => {
  it.each<[string, DimensionExpr]>([
    ['defname:mc_gen', d('mc_gen')],
    ['defname: mc_gen', d('mc_gen')],
    ["defname:'/data/run1/*.dat'", d('/data/run1/*.dat')],
    ['DEFNAME:"a b"', d('a b')],
    ['snapshot_id 42', { kind: 'snapshot_id', id: 42 }],
    ['snapshot_id = 42', { kind: 'snapshot_id', id: 42 }],
    ['snapshot_for_project_name alice-mc-20260101-s1', { kind: 'snapshot_for_project_name', project: 'alice-mc-20260101-s1' }],
    ["project_name 'p 1'", { kind: 'project_name', project: 'p 1' }],
    ['project_name p1,p2', or({ kind: 'project_name', project: 'p1' }, { kind: 'project_name', project: 'p2' })],
    ['consumed_status co%', { kind: 'consumed_status', statuses: ['co%'] }],
    ["consumed_status 'co%'", { kind: 'consumed_status', statuses: ['co%'] }],
    ['consumed_status skipped,unknown,delivered, transferred ,unconsumed,cancelled', { kind: 'consumed_status', statuses: ['skipped', 'unknown', 'delivered', 'transferred', 'unconsumed', 'cancelled'] }],
    ['consumed_status in failed', { kind: 'consumed_status', statuses: ['failed'] }],
    ["file_name like '%.root'", { kind: 'file_name', op: 'like', values: ['%.root'] }],
    ["file_name LIKE '%.root','%.hist'", { kind: 'file_name', op: 'like', values: ['%.root', '%.hist'] }],
    ['file_name gen_001.root', { kind: 'file_name', op: '=', values: ['gen_001.root'] }],
    ['file_name = a.root,b.root', { kind: 'file_name', op: '=', values: ['a.root', 'b.root'] }],
    ['version v09_10_00', { kind: 'version', values: ['v09_10_00'] }],
    ["version 'v1.2'", { kind: 'version', values: ['v1.2'] }],
    ['run_number 12', { kind: 'run_number', values: ['12'] }],
    ['run_number 12.3,14', { kind: 'run_number', values: ['12.3', '14'] }],
    ["create_date > '2026-01-01T00:00:00+0000'", { kind: 'create_date', op: '>', iso: '2026-01-01T00:00:00+0000' }],
    ["create_date>='2026-01-01'", { kind: 'create_date', op: '>=', iso: '2026-01-01' }],
    ["end_time > '2026-01-01T00:00:00'", { kind: 'end_time', op: '>', iso: '2026-01-01T00:00:00' }],
    ["end_time <= '2026-01-08T00:00:00'", { kind: 'end_time', op: '<=', iso: '2026-01-08T00:00:00' }],
    ["end_time < '01-Jan-2026'", { kind: 'end_time', op: '<', iso: '01-Jan-2026' }],
    ['isparentof:( version v1 )', { kind: 'isparentof', of: { kind: 'version', values: ['v1'] } }],
    ['ischildof:(defname:a)', { kind: 'ischildof', of: d('a') }],
    ['isparentof: (defname:a)', { kind: 'isparentof', of: d('a') }],
    ['defname:a with limit 40', { kind: 'with', of: d('a'), limit: 40 }],
    ['defname:a with limit 40 offset 80', { kind: 'with', of: d('a'), limit: 40, offset: 80 }],
    ['defname:a with stride 5 offset 2', { kind: 'with', of: d('a'), stride: 5, offset: 2 }],
    ['defname:a with availability physical', { kind: 'with', of: d('a'), availability: 'physical' }],
    ['defname:a with availability anylocation limit 3', { kind: 'with', of: d('a'), availability: 'anylocation', limit: 3 }],
    ['defname:a WITH AVAILABILITY Virtual', { kind: 'with', of: d('a'), availability: 'virtual' }],
    ['defname:a with limit 1 with availability physical', { kind: 'with', of: { kind: 'with', of: d('a'), limit: 1 }, availability: 'physical' }],
  ])('%s', (text, expected) => {
    expect(parseDimensions(text)).toEqual(expected)
  })

  it('reads the queries of poms-reference.md §4–§7 as POMS means them', () => {
    expect(parseDimensions('snapshot_for_project_name P minus (project_name P and consumed_status co%)')).toEqual(
      minus({ kind: 'snapshot_for_project_name', project: 'P' }, and({ kind: 'project_name', project: 'P' }, { kind: 'consumed_status', statuses: ['co%'] })),
    )
    // drainingn: the limit applies to the difference, not to the snapshot.
    expect(parseDimensions('defname:ds minus snapshot_id 7 with limit 50')).toEqual({ kind: 'with', of: minus(d('ds'), { kind: 'snapshot_id', id: 7 }), limit: 50 })
    // stagedfiles
    expect(parseDimensions("project_name pre and consumed_status 'consumed' minus snapshot_id 3 with limit 10")).toEqual({
      kind: 'with',
      of: minus(and({ kind: 'project_name', project: 'pre' }, { kind: 'consumed_status', statuses: ['consumed'] }), { kind: 'snapshot_id', id: 3 }),
      limit: 10,
    })
    // completion, with output_ancestor_depth 2
    expect(
      parseDimensions("snapshot_for_project_name P and isparentof:( isparentof:( file_name '%.root' and version 'v1' and create_date > '2026-01-01T00:00:00+0000' with availability physical ) )"),
    ).toEqual(
      and(
        { kind: 'snapshot_for_project_name', project: 'P' },
        {
          kind: 'isparentof',
          of: {
            kind: 'isparentof',
            of: {
              kind: 'with',
              of: and(and({ kind: 'file_name', op: '=', values: ['%.root'] }, { kind: 'version', values: ['v1'] }), { kind: 'create_date', op: '>', iso: '2026-01-01T00:00:00+0000' }),
              availability: 'physical',
            },
          },
        },
      ),
    )
  })
})

describe('precedence: and, then or, then minus (SAM), all left-associative', () => {
  it.each<[string, DimensionExpr]>([
    ['defname:a and defname:b or defname:c', or(and(d('a'), d('b')), d('c'))],
    ['defname:a or defname:b and defname:c', or(d('a'), and(d('b'), d('c')))],
    ['defname:a minus defname:b or defname:c', minus(d('a'), or(d('b'), d('c')))],
    ['defname:a or defname:b minus defname:c', minus(or(d('a'), d('b')), d('c'))],
    ['defname:a minus defname:b and defname:c', minus(d('a'), and(d('b'), d('c')))],
    ['defname:a minus defname:b minus defname:c', minus(minus(d('a'), d('b')), d('c'))],
    ['defname:a and defname:b and defname:c', and(and(d('a'), d('b')), d('c'))],
    ['(defname:a minus defname:b) and defname:c', and(minus(d('a'), d('b')), d('c'))],
    ['defname:a minus (defname:b minus defname:c)', minus(d('a'), minus(d('b'), d('c')))],
    ['((defname:a))', d('a')],
    ['defname:a and (defname:b with limit 2)', and(d('a'), { kind: 'with', of: d('b'), limit: 2 })],
  ])('%s', (text, expected) => {
    expect(parseDimensions(text)).toEqual(expected)
  })
})

describe('quoting', () => {
  it('reads single- and double-quoted values with any character but the closing quote', () => {
    expect(parseDimensions(`file_name 'it"s (a), b'`)).toEqual({ kind: 'file_name', op: '=', values: ['it"s (a), b'] })
    expect(parseDimensions(`file_name "it's"`)).toEqual({ kind: 'file_name', op: '=', values: ["it's"] })
    expect(parseDimensions("version 'and'")).toEqual({ kind: 'version', values: ['and'] })
    expect(parseDimensions("defname:'x) or defname:(y'")).toEqual(d('x) or defname:(y'))
    expect(parseDimensions("file_name ''")).toEqual({ kind: 'file_name', op: '=', values: [''] })
  })

  it('writes hostile names so that they read back as one value', () => {
    const hostile = ["x') or defname:(all", 'a b', 'and', 'With', '%.root', 'x,y', 'defname:z', "it's", 'say "hi"', '', 'tab\there', 'new\nline', '-rf', '1-2']
    for (const name of hostile) {
      const expr: DimensionExpr = minus(d(name), { kind: 'file_name', op: 'like', values: [name, 'ok'] })
      expect(parseDimensions(formatDimensions(expr))).toEqual(expr)
    }
  })

  it('writes plain values bare and the rest quoted, like POMS', () => {
    expect(formatDimensions(minus({ kind: 'snapshot_for_project_name', project: 'P' }, and({ kind: 'project_name', project: 'P' }, { kind: 'consumed_status', statuses: ['co%'] })))).toBe(
      'snapshot_for_project_name P minus (project_name P and consumed_status co%)',
    )
    expect(formatDimensions({ kind: 'with', of: d('/data/run1/*.dat'), stride: 5, offset: 2 })).toBe("defname:'/data/run1/*.dat' with stride 5 offset 2")
    expect(formatDimensions({ kind: 'file_name', op: 'like', values: ['%.root'] })).toBe("file_name like '%.root'")
    expect(formatDimensions({ kind: 'version', values: ['v1_2', 'v1-2'] })).toBe("version v1_2,'v1-2'")
    expect(formatDimensions(and({ kind: 'ischildof', of: { kind: 'snapshot_for_project_name', project: 'P' } }, { kind: 'create_date', op: '>', iso: '2026-01-01T00:00:00' }))).toBe(
      "ischildof:( snapshot_for_project_name P ) and create_date > '2026-01-01T00:00:00'",
    )
    expect(formatDimensions(or(and(d('a'), d('b')), d('c')))).toBe('(defname:a and defname:b) or defname:c')
  })

  it('refuses to write what no quote can hold or the parser would not read', () => {
    expect(() => formatDimensions(d(`both ' and "`))).toThrow(RangeError)
    expect(() => formatDimensions({ kind: 'run_number', values: ['12a'] })).toThrow(RangeError)
    expect(() => formatDimensions({ kind: 'create_date', op: '>', iso: "2026') or (x" })).toThrow(RangeError)
    expect(() => formatDimensions({ kind: 'with', of: d('a') })).toThrow(RangeError)
    expect(() => formatDimensions({ kind: 'with', of: d('a'), stride: 0 })).toThrow(RangeError)
    expect(() => formatDimensions({ kind: 'snapshot_id', id: -1 })).toThrow(RangeError)
    expect(() => formatDimensions({ kind: 'version', values: [] })).toThrow(RangeError)
  })
})

describe('syntax errors say where', () => {
  it.each<[string, number, RegExp]>([
    ['', 1, /empty/],
    ['   ', 1, /empty/],
    ['defname:a and', 14, /expected a dimension/],
    ['defname:a and and defname:b', 15, /expected a dimension/],
    ['defname:a defname:b', 11, /expected and, or, minus or with/],
    ['(defname:a', 11, /close the "\(" at column 1/],
    ['defname:a)', 10, /no matching/],
    ['()', 2, /empty parentheses/],
    ["file_name like 'abc", 16, /never closed/],
    ['colour red', 1, /unknown dimension "colour"/],
    ['defname:a with', 15, /after the "with" at column 11/],
    ['defname:a with limit', 21, /limit needs a whole number/],
    ['defname:a with limit -3', 22, /limit needs a whole number/],
    ['defname:a with stride 0', 23, /stride must be at least 1/],
    ['defname:a with limit 1 limit 2', 24, /given twice/],
    ['defname:a with availability somewhere', 29, /availability must be/],
    ['snapshot_id x', 13, /whole number/],
    ["create_date = '2026-01-01'", 13, /expected >, >=, < or <=/],
    ["create_date > 'last tuesday'", 15, /is not a date/],
    ["end_time > '2026-02-30'", 12, /is not a date/],
    ['run_number 12,1x', 15, /run numbers/],
    ['version and', 9, /expected a version/],
    ['file_name a,', 13, /expected a file name/],
    ['not defname:a', 1, /not supported/],
    ['isparentof: version v1', 13, /expected "\(" after isparentof:/],
    ['defname:a ! defname:b', 11, /unexpected "!"/],
    ['defname:a and\n  version', 24, /expected a version/],
  ])('%j → column %i', (text, column, message) => {
    const err = syntaxError(text)
    expect(err.column).toBe(column)
    expect(err.message).toMatch(message)
    expect(err.message).toContain(`column ${column}`)
  })
})

describe('dates', () => {
  it.each<[string, string | null]>([
    ['2026-01-01', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T12:30:00', '2026-01-01T12:30:00.000Z'],
    ['2026-01-01 12:30', '2026-01-01T12:30:00.000Z'],
    ['2026-01-01T12:30:00+0100', '2026-01-01T11:30:00.000Z'],
    ['2026-01-01T12:30:00-05:00', '2026-01-01T17:30:00.000Z'],
    ['2026-01-01T12:30:00.250Z', '2026-01-01T12:30:00.250Z'],
    ['2010/10/20T13:30:00', '2010-10-20T13:30:00.000Z'],
    ['20-Oct-2010', '2010-10-20T00:00:00.000Z'],
    ['2026-02-29', null],
    ['2026-13-01', null],
    ['2026-01-01T24:00:00', null],
    ['2026-01-01T10:00:00+2500', null],
    ['yesterday', null],
  ])('%s', (text, iso) => {
    const ms = parseDimensionDate(text)
    expect(ms === null ? null : new Date(ms).toISOString()).toBe(iso)
  })
})

/** Values of every shape, including the ones that must be quoted; none holds both quotes. */
const value = fc
  .string({ unit: fc.constantFrom('a', 'Z', '0', '_', '.', '%', '?', '-', ' ', ',', '(', ')', "'", '"', ':', '\\', '\n', 'é', '/'), maxLength: 10 })
  .filter((v) => !(v.includes("'") && v.includes('"')))
const wordish = fc.oneof(value, fc.constantFrom('and', 'OR', 'minus', 'with', 'like', 'in', 'not', 'limit', 'defname:x', 'isparentof:', 'co%'))
const values = fc.array(wordish, { minLength: 1, maxLength: 3 })
const run = fc.tuple(fc.nat(999_999), fc.option(fc.nat(999), { nil: null })).map(([r, s]) => (s === null ? String(r) : `${r}.${s}`))
const iso = fc
  .tuple(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T23:59:59Z'), noInvalidDate: true }), fc.constantFrom('iso', 'offset', 'day'))
  .map(([date, form]) => (form === 'iso' ? date.toISOString() : form === 'offset' ? date.toISOString().slice(0, 19) + '+0530' : date.toISOString().slice(0, 10)))
const comparison = fc.constantFrom('>' as const, '>=' as const, '<' as const, '<=' as const)

const { expr } = fc.letrec<{ expr: DimensionExpr; leaf: DimensionExpr }>((tie) => ({
  leaf: fc.oneof(
    wordish.map((name): DimensionExpr => ({ kind: 'defname', name })),
    fc.nat().map((id): DimensionExpr => ({ kind: 'snapshot_id', id })),
    wordish.map((project): DimensionExpr => ({ kind: 'snapshot_for_project_name', project })),
    wordish.map((project): DimensionExpr => ({ kind: 'project_name', project })),
    values.map((statuses): DimensionExpr => ({ kind: 'consumed_status', statuses })),
    fc.tuple(fc.constantFrom('=' as const, 'like' as const), values).map(([op, vs]): DimensionExpr => ({ kind: 'file_name', op, values: vs })),
    values.map((vs): DimensionExpr => ({ kind: 'version', values: vs })),
    fc.array(run, { minLength: 1, maxLength: 3 }).map((vs): DimensionExpr => ({ kind: 'run_number', values: vs })),
    fc.tuple(fc.constantFrom('create_date' as const, 'end_time' as const), comparison, iso).map(([kind, op, text]): DimensionExpr => ({ kind, op, iso: text })),
  ),
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.tuple(fc.constantFrom('and' as const, 'or' as const, 'minus' as const), tie('expr'), tie('expr')).map(([kind, left, right]): DimensionExpr => ({ kind, left, right })),
    fc.tuple(fc.constantFrom('isparentof' as const, 'ischildof' as const), tie('expr')).map(([kind, of]): DimensionExpr => ({ kind, of })),
    fc
      .tuple(
        tie('expr'),
        fc.record(
          { limit: fc.nat(500), offset: fc.nat(500), stride: fc.integer({ min: 1, max: 20 }), availability: fc.constantFrom('physical' as const, 'anylocation' as const, 'virtual' as const) },
          { requiredKeys: [] },
        ),
      )
      .filter(([, mods]) => Object.keys(mods).length > 0)
      .map(([of, mods]): DimensionExpr => ({ kind: 'with', of, ...mods })),
  ),
}))

describe('formatDimensions round trip', () => {
  it('parse(format(x)) is x for any query tree', () => {
    fc.assert(
      fc.property(expr, (x) => {
        expect(parseDimensions(formatDimensions(x))).toEqual(x)
      }),
      { numRuns: 2000 },
    )
  })

  it('format(parse(text)) is a fixed point for the text it writes', () => {
    fc.assert(
      fc.property(expr, (x) => {
        const text = formatDimensions(x)
        expect(formatDimensions(parseDimensions(text))).toBe(text)
      }),
      { numRuns: 500 },
    )
  })
})
