import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { iniToCampaignDocument } from '../../shared/campaign-file/ini-to-document'
import { formatSplitSpec, parseSplitSpec, SPLIT_TYPES, splitTypeInfo } from '../../shared/domain/split-types'
import { pomsIniCorpus } from '../fixtures/campaign-file/corpus-index'

const parsed = (spec: string | null) => {
  const result = parseSplitSpec(spec)
  if (!result.ok) throw new Error(`${spec}: ${result.message} (column ${result.column})`)
  return result
}

describe('the split type catalogue', () => {
  it('lists every POMS split type once', () => {
    expect(SPLIT_TYPES.map((t) => t.name)).toEqual([
      'none',
      'draining',
      'list',
      'multiparam',
      'mod',
      'nfiles',
      'limitn',
      'drainingn',
      'stagedfiles',
      'byrun',
      'byexistingruns',
      'new',
      'new_local',
    ])
  })

  it.each(SPLIT_TYPES.map((t) => [t.name, t] as const))('%s: documented, and its example parses as itself', (name, info) => {
    expect(info.summary.length).toBeGreaterThan(10)
    expect(info.doc.length).toBeGreaterThan(80)
    expect(info.datasetMeaning.length).toBeGreaterThan(3)
    const result = parsed(info.example)
    expect(result.type).toBe(name === 'none' ? null : name)
    for (const p of info.params) {
      expect(p.doc.length).toBeGreaterThan(5)
      // Each parameter's example is a valid value on its own.
      const spec = formatSplitSpec(name, { [p.name]: p.example })
      expect(parsed(spec).params[p.name], spec).toBe(p.example)
    }
  })

  it('says where POMS contradicts its own documentation', () => {
    expect(splitTypeInfo('byrun')!.doc).toMatch(/high itself was never processed there/)
    expect(splitTypeInfo('new_local')!.doc).toMatch(/did not\s+work as documented/)
  })
})

describe('parseSplitSpec', () => {
  it('reads "no split" the ways POMS does', () => {
    for (const spec of [null, '', 'None', 'none', '  ']) expect(parseSplitSpec(spec)).toEqual({ ok: true, type: null, params: {}, canonical: null, notes: [] })
  })

  it('reads positional counts, ignoring blanks and newlines', () => {
    expect(parsed('nfiles(100)')).toMatchObject({ type: 'nfiles', params: { n: '100' }, canonical: 'nfiles(100)', notes: [] })
    expect(parsed(' drainingn( 250 )\n')).toMatchObject({ type: 'drainingn', params: { n: '250' }, canonical: 'drainingn(250)' })
    expect(parsed('mod(5)')).toMatchObject({ type: 'mod', params: { n: '5' } })
  })

  it('takes nfiles_10 as nfiles(10), noting that POMS itself cannot load that form', () => {
    const result = parsed('nfiles_10')
    expect(result).toMatchObject({ type: 'nfiles', params: { n: '10' }, canonical: 'nfiles(10)' })
    expect(result.notes[0]).toMatch(/write nfiles\(10\)/)
  })

  it('ignores what follows list in parentheses, saying so', () => {
    const result = parsed('list(1,2,3,31,31,50)')
    expect(result).toMatchObject({ type: 'list', params: {}, canonical: 'list' })
    expect(result.notes[0]).toMatch(/values come from the dataset/)
  })

  it('reads named parameters with w/d/h/m/s suffixes', () => {
    expect(parsed('new(window=1d,round=1h,fts=30m)')).toMatchObject({ type: 'new', params: { window: '1d', round: '1h', fts: '30m' } })
    expect(parsed('new(firsttime=1497934800, window=1w)')).toMatchObject({ params: { firsttime: '1497934800', window: '1w' }, canonical: 'new(window=1w,firsttime=1497934800)' })
    expect(parsed('byrun(low=2,high=5)')).toMatchObject({ type: 'byrun', params: { low: '2', high: '5' } })
    expect(parsed('byexistingruns()')).toMatchObject({ type: 'byexistingruns', canonical: 'byexistingruns()' })
    expect(parsed('new_local(window=6h)')).toMatchObject({ type: 'new_local', params: { window: '6h' } })
  })

  it.each([
    ['fred(3)', 1, /unknown split type "fred"/],
    ['nfiles', 7, /nfiles needs n/],
    ['nfiles()', 8, /nfiles needs n/],
    ['nfiles(ten)', 8, /n must be a positive whole number, not "ten"/],
    ['nfiles(0)', 8, /at least 1/],
    ['nfiles(10', 10, /missing "\)"/],
    ['nfiles(10,20)', 11, /takes 1 parameter/],
    ['nfiles(n=10)', 8, /takes its n without a name/],
    ['new(windw=1d)', 5, /new has no parameter "windw"/],
    ['new(window=1x)', 12, /window must be a number with an optional w\/d\/h\/m\/s suffix/],
    ['new(window=1d,window=2d)', 15, /window is given twice/],
    ['byrun(2,4)', 7, /byrun takes named parameters/],
    ['byrun(low=6,high=5)', 7, /processes no run/],
    ['nfiles((10))', 8, /unexpected parenthesis/],
  ])('refuses %s at column %i', (spec, column, message) => {
    const result = parseSplitSpec(spec)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.message).toMatch(message)
      expect(result.column).toBe(column)
    }
  })

  it('counts columns in the text as written, blanks included', () => {
    expect(parseSplitSpec('nfiles( ten )')).toMatchObject({ ok: false, column: 9 })
  })

  it('parses every split spec used in the corpus', () => {
    const specs = new Set<string>()
    for (const file of pomsIniCorpus()) {
      const doc = iniToCampaignDocument(file.text).document
      if (!doc) continue
      for (const s of [doc.defaults, ...doc.stages]) {
        if (s.splitType) specs.add(s.splitType)
        if (s.testSplitType) specs.add(s.testSplitType)
      }
    }
    expect(specs.size).toBeGreaterThanOrEqual(10)
    for (const spec of specs) expect(parseSplitSpec(spec).ok, spec).toBe(true)
  })
})

describe('formatSplitSpec', () => {
  it('writes POMS syntax', () => {
    expect(formatSplitSpec(null, {})).toBe('None')
    expect(formatSplitSpec('draining', {})).toBe('draining')
    expect(formatSplitSpec('nfiles', { n: '10' })).toBe('nfiles(10)')
    expect(formatSplitSpec('new', {})).toBe('new()')
    expect(formatSplitSpec('new', { round: '1h', window: '1d' })).toBe('new(window=1d,round=1h)')
  })

  it('refuses unknown types and parameters', () => {
    expect(() => formatSplitSpec('fred', {})).toThrow(/unknown split type/)
    expect(() => formatSplitSpec('nfiles', { m: '1' })).toThrow(/no parameter "m"/)
  })

  it('round-trips with parseSplitSpec for every type and valid parameters', () => {
    const value = (kind: string) =>
      kind === 'count'
        ? fc.integer({ min: 1, max: 1_000_000 }).map(String)
        : kind === 'integer'
          ? fc.integer({ min: -5, max: 1_000_000 }).map(String)
          : fc.tuple(fc.nat(100_000), fc.constantFrom('', 'w', 'd', 'h', 'm', 's')).map(([n, s]) => `${n}${s}`)
    const cases = fc.constantFrom(...SPLIT_TYPES.filter((t) => t.name !== 'none')).chain((info) =>
      fc
        .record(Object.fromEntries(info.params.map((p) => [p.name, p.required ? value(p.kind) : fc.option(value(p.kind), { nil: undefined })])))
        .map((params) => ({ info, params: Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<string, string> })),
    )
    fc.assert(
      fc.property(cases, ({ info, params }) => {
        if (info.name === 'byrun' && Number(params.low ?? 1) > Number(params.high ?? 999999)) return
        const spec = formatSplitSpec(info.name, params)
        const result = parsed(spec)
        expect(result.type).toBe(info.name)
        expect(result.params).toEqual(params)
        expect(result.canonical).toBe(spec)
      }),
    )
  })
})
