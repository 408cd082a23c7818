/**
 * writeIni: Python's ConfigParser.write() format, and nothing written that would not read back
 * unchanged — checked against parseIni and, on samples, against python3 itself.
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { parseIni } from '../../shared/ini/configparser'
import type { IniParseOptions } from '../../shared/ini/ini-document'
import { IniWriteError, type IniWriteSection, validateIniSections, writeIni } from '../../shared/ini/ini-writer'
import { FIFE_OPTIONS, type ParseOutcome, POMS_OPTIONS, runOracle } from '../fixtures/ini/python-oracle'

// python3 runs in these tests; a loaded 2-core machine needs more than the default 5 s.
vi.setConfig({ testTimeout: 60_000 })

const SEED = 20_251_129

function readBack(text: string, opts: IniParseOptions): IniWriteSection[] {
  return parseIni(text, opts).sections.map((s) => ({ name: s.name, entries: s.entries.map((e) => ({ key: e.key, value: e.value })) }))
}

function asOracle(sections: IniWriteSection[]): [string, [string, string][]][] {
  return sections.map((s) => [s.name, s.entries.map((e) => [e.key, e.value] as [string, string])])
}

const sample: IniWriteSection[] = [
  {
    name: 'campaign_stage reco',
    entries: [
      { key: 'param_overrides', value: '[["--stage ", "reco"]]' },
      { key: 'empty', value: '' },
      { key: 'campaign_keywords', value: '{"a": "1",\n\n"b": "2"}' },
      { key: 'starts_blank', value: '\nsecond line' },
      { key: 'pct', value: '%(dataset)s %% 100%' },
      { key: 'inline', value: 'x # not a comment ; either' },
    ],
  },
  { name: 'empty section', entries: [] },
  { name: ' spaced name ', entries: [{ key: 'k', value: '=starts with a delimiter:' }] },
]

describe('writeIni', () => {
  it('writes exactly what Python ConfigParser.write() writes', () => {
    const [python] = runOracle<string>([{ task: 'write', sections: asOracle(sample) }])
    expect(writeIni(sample)).toBe(python)
  })

  it('the text reads back unchanged, by parseIni and by python3', () => {
    const text = writeIni(sample)
    expect(readBack(text, POMS_OPTIONS)).toEqual(sample)
    expect(readBack(text, FIFE_OPTIONS)).toEqual(sample)
    const [python] = runOracle<ParseOutcome>([{ task: 'parse', mode: 'poms', text }])
    expect(python).toEqual({ ok: true, defaults: [], sections: asOracle(sample) })
  })

  it('keeps key case for fife cfgs when asked', () => {
    const cfg = [{ name: 'submit', entries: [{ key: 'G', value: 'dune' }, { key: 'N', value: '5' }] }]
    expect(() => writeIni(cfg)).toThrow(/read back lower-cased \('g'\)/)
    expect(readBack(writeIni(cfg, { lowercaseKeys: false }), FIFE_OPTIONS)).toEqual(cfg)
  })
})

/** Each refusal, with the naive text's fate in python3 (the reason it is refused). */
const REFUSALS: [string, IniWriteSection[], RegExp][] = [
  ['empty key', [{ name: 's', entries: [{ key: '', value: 'v' }] }], /section \[s\], key '': a key cannot be empty/],
  ['= in a key', [{ name: 's', entries: [{ key: 'a=b', value: 'v' }] }], /key 'a=b': .*'=' or ':'/],
  [': in a key', [{ name: 's', entries: [{ key: 'a:b', value: 'v' }] }], /key 'a:b': .*'=' or ':'/],
  ['newline in a key', [{ name: 's', entries: [{ key: 'a\nb', value: 'v' }] }], /line break/],
  ['CR in a key', [{ name: 's', entries: [{ key: 'a\rb', value: 'v' }] }], /line break/],
  ['# key', [{ name: 's', entries: [{ key: '#k', value: 'v' }] }], /comment/],
  ['; key', [{ name: 's', entries: [{ key: ';k', value: 'v' }] }], /comment/],
  ['[ key', [{ name: 's', entries: [{ key: '[k]', value: 'v' }] }], /section header/],
  ['key with surrounding space', [{ name: 's', entries: [{ key: ' k', value: 'v' }] }], /whitespace/],
  ['upper-case key for POMS', [{ name: 's', entries: [{ key: 'Name', value: 'v' }] }], /lower-cased/],
  ['key twice', [{ name: 's', entries: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] }], /appears twice/],
  ['value with leading space', [{ name: 's', entries: [{ key: 'k', value: ' v' }] }], /starts with whitespace/],
  ['value with trailing tab', [{ name: 's', entries: [{ key: 'k', value: 'v\t' }] }], /ends with whitespace/],
  ['value with trailing NEL (Python whitespace)', [{ name: 's', entries: [{ key: 'k', value: 'v\x85' }] }], /ends with whitespace/],
  ['value ending in an empty line', [{ name: 's', entries: [{ key: 'k', value: 'a\n' }] }], /empty line/],
  ['value with a whitespace-only line', [{ name: 's', entries: [{ key: 'k', value: 'a\n \nb' }] }], /only whitespace/],
  ['value with an indented continuation', [{ name: 's', entries: [{ key: 'k', value: 'a\n  b' }] }], /line 2 of the value starts with whitespace/],
  ['value with a # continuation line', [{ name: 's', entries: [{ key: 'k', value: 'a\n# b' }] }], /comment and dropped/],
  ['value with a CR', [{ name: 's', entries: [{ key: 'k', value: 'a\rb' }] }], /carriage return/],
  ['empty section name', [{ name: '', entries: [] }], /needs a name/],
  ['newline in a section name', [{ name: 'a\nb', entries: [] }], /line break/],
  ['section named DEFAULT', [{ name: 'DEFAULT', entries: [{ key: 'k', value: 'v' }] }], /defaults section/],
  ['section twice', [{ name: 's', entries: [] }, { name: 's', entries: [] }], /appears twice/],
]

describe('writeIni refuses what would not read back', () => {
  it.each(REFUSALS)('%s', (_what, sections, message) => {
    expect(() => writeIni(sections)).toThrow(message)
    expect(() => writeIni(sections)).toThrow(IniWriteError)
  })

  it('every refusal really would not round-trip through python3 (POMS read_string or fife_launch file read)', () => {
    const naive = (sections: IniWriteSection[]): string =>
      sections.map((s) => `[${s.name}]\n${s.entries.map((e) => `${e.key} = ${e.value.replace(/\n/g, '\n\t')}\n`).join('')}\n`).join('')
    const results = runOracle<ParseOutcome>(
      REFUSALS.flatMap(([, sections]) => (['poms', 'fife'] as const).map((mode) => ({ task: 'parse' as const, mode, text: naive(sections) }))),
    )
    const readsBack = (py: ParseOutcome, sections: IniWriteSection[]): boolean =>
      py.ok && py.defaults.length === 0 && JSON.stringify(py.sections) === JSON.stringify(asOracle(sections))
    const survived = REFUSALS.filter(([, sections], i) => readsBack(results[2 * i]!, sections) && readsBack(results[2 * i + 1]!, sections))
    expect(survived.map(([what]) => what)).toEqual([])
    // A CR survives read_string (POMS) but not fife_launch's file read: one writer, safe for both.
    expect(readsBack(results[2 * REFUSALS.findIndex(([w]) => w === 'value with a CR')]!, REFUSALS.find(([w]) => w === 'value with a CR')![1])).toBe(true)
  })

  it("names every problem, with its section and key, and ']' in a section name is refused (Python would cope; other readers would not)", () => {
    const problems = validateIniSections([
      { name: 'a]b', entries: [{ key: 'ok', value: 'v' }] },
      { name: 't', entries: [{ key: 'x=y', value: ' v' }, { key: 'fine', value: 'v' }] },
    ])
    expect(problems.map((p) => [p.section, p.key])).toEqual([
      ['a]b', null],
      ['t', 'x=y'],
    ])
    expect(problems[0]!.message).toMatch(/section \[a\]b\]: a section name cannot contain '\]'/)
  })
})

// Arbitrary INI content, valid or not; built from the characters that matter.
const pieces = ['a', 'b', 'Z', '_', '-', '.', ' ', '\t', '=', ':', '#', ';', '[', ']', '%', '%(x)s', '"', "'", '\n', '\r', '\x85', '\xa0', 'Σ', 'ß', 'İ']
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((p) => p.join(''))
const anySections: fc.Arbitrary<IniWriteSection[]> = fc.array(
  fc.record({ name: text, entries: fc.array(fc.record({ key: text, value: text }), { maxLength: 5 }) }),
  { maxLength: 4 },
)

describe('round trip (property)', () => {
  it('whatever validateIniSections accepts reads back identically (POMS and fife)', () => {
    let accepted = 0
    fc.assert(
      fc.property(anySections, fc.boolean(), (sections, lowercaseKeys) => {
        if (validateIniSections(sections, { lowercaseKeys }).length > 0) {
          expect(() => writeIni(sections, { lowercaseKeys })).toThrow(IniWriteError)
          return
        }
        accepted++
        const written = writeIni(sections, { lowercaseKeys })
        expect(readBack(written, lowercaseKeys ? POMS_OPTIONS : FIFE_OPTIONS)).toEqual(sections)
        expect(readBack(written, { ...POMS_OPTIONS, lowercaseKeys })).toEqual(sections)
      }),
      { seed: SEED, numRuns: 3_000 },
    )
    expect(accepted).toBeGreaterThan(300)
  })

  it('python3 reads 200 accepted samples back identically', () => {
    const valid = fc
      .sample(anySections, { seed: SEED + 1, numRuns: 4_000 })
      .filter((s) => validateIniSections(s).length === 0)
      .slice(0, 200)
    expect(valid.length).toBe(200)
    const texts = valid.map((s) => writeIni(s))
    const results = runOracle<ParseOutcome>(texts.flatMap((t) => [{ task: 'parse' as const, mode: 'poms' as const, text: t }, { task: 'parse' as const, mode: 'fife' as const, text: t }]))
    valid.forEach((sections, i) => {
      const expected = { ok: true, defaults: [], sections: asOracle(sections) }
      expect(results[2 * i]).toEqual(expected)
      expect(results[2 * i + 1]).toEqual(expected)
    })
    const written = runOracle<string>(valid.map((s) => ({ task: 'write' as const, sections: asOracle(s) })))
    expect(texts).toEqual(written)
  })
})
