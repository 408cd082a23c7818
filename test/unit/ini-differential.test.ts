/**
 * Our configparser against the real one: every corpus file in both modes (POMS: read_string,
 * lower-cased keys; fife: file read, keys as written), strict and not, plus items() order and
 * Python's str.lower() for every code point. python3 runs once per batch.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { sectionItems, parseIniLenient } from '../../shared/ini/configparser'
import { pyLower } from '../../shared/ini/python-text'
import { type CorpusFile, corpusFiles } from '../fixtures/ini/corpus'
import {
  type OracleCase,
  type OracleMode,
  optionsFor,
  ourLenientContent,
  ourOutcome,
  type ParseOutcome,
  pythonStateWithoutEmptyKeys,
  pythonVersion,
  runOracle,
  withoutState,
} from '../fixtures/ini/python-oracle'

// python3 runs in these tests; a loaded 2-core machine needs more than the default 5 s.
vi.setConfig({ testTimeout: 60_000 })

const MODES: OracleMode[] = ['poms', 'fife']
const files: CorpusFile[] = corpusFiles()
const parseCases = files.flatMap((file) =>
  MODES.flatMap((mode) => [true, false].map((strict) => ({ file, mode, strict, task: 'parse' as const, text: file.text }))),
)
let python: ParseOutcome[] = []

beforeAll(() => {
  console.log(`configparser oracle: ${pythonVersion()}`)
  python = runOracle<ParseOutcome>(parseCases.map(({ task, mode, strict, text }) => ({ task, mode, strict, text })))
})

describe('every corpus file reads as Python reads it', () => {
  it('has the corpus (78 files of both kinds)', () => {
    expect(files.length).toBeGreaterThanOrEqual(78)
    expect(new Set(files.map((f) => f.kind))).toEqual(new Set(['poms-ini', 'fife-cfg']))
  })

  it.each(parseCases.map((c, i) => [`${c.file.name} (${c.mode}, strict=${c.strict})`, i] as const))('%s', (_name, i) => {
    const c = parseCases[i]!
    const py = python[i]!
    expect(ourOutcome(c.text, c.mode, c.strict)).toEqual(withoutState(py))
    if (!py.ok && py.state) expect(ourLenientContent(c.text, c.mode, c.strict)).toEqual(pythonStateWithoutEmptyKeys(py.state))
  })

  it('the corpus exercises the error paths too (as INDEX.md says: Mu2e-style duplicates, merge markers)', () => {
    const errors = python.filter((p) => !p.ok).map((p) => (p.ok ? '' : p.error))
    expect(errors).toContain('DuplicateOptionError')
    expect(errors).toContain('ParsingError')
  })
})

describe("sectionItems is Python's items(section)", () => {
  it('for every section of every corpus file, [DEFAULT] included', () => {
    const cases: OracleCase[] = []
    const ours: ([string, string][] | null)[] = []
    for (const file of files) {
      for (const mode of MODES) {
        const doc = parseIniLenient(file.text, optionsFor(mode, false)).document
        for (const name of [...doc.sections.map((s) => s.name), 'DEFAULT', 'no such section']) {
          cases.push({ task: 'items', mode, text: file.text, section: name })
          ours.push(sectionItems(doc, name)?.map((i) => [i.key, i.value] as [string, string]) ?? null)
        }
      }
    }
    // Only files Python can read (strict) are comparable; the others raise before items().
    const results = runOracle<{ ok: boolean; items?: [string, string][]; error?: string }>(cases)
    let compared = 0
    results.forEach((py, i) => {
      if (py.ok) {
        compared++
        expect(ours[i], `${(cases[i] as { section: string }).section}`).toEqual(py.items)
      } else if (py.error === 'NoSectionError') {
        expect(ours[i]).toBeNull()
      }
    })
    expect(compared).toBeGreaterThan(500)
  })
})

describe("pyLower is Python 3.11's str.lower()", () => {
  it('for every code point', () => {
    const [python] = runOracle<Record<string, string>>([{ task: 'lower' }])
    const differences: string[] = []
    for (let c = 0; c < 0x110000; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue
      const ch = String.fromCodePoint(c)
      const expected = python![String(c)] ?? ch
      if (pyLower(ch) !== expected) differences.push(c.toString(16))
    }
    expect(differences).toEqual([])
  })

  it('final sigma and dotted I as Python (python3: "ΣΑΣ".lower() == "σας", "AΣ.".lower() == "aς.", "İ".lower() == "i̇")', () => {
    expect(pyLower('ΣΑΣ')).toBe('σας')
    expect(pyLower('AΣ.')).toBe('aς.')
    expect(pyLower('İ')).toBe('i\u0307')
    // U+1C89 is uncased for Python 3.11, so the sigma before it is final: python3 gives 'ας\u1c89'.
    expect(pyLower('ΑΣ\u1c89')).toBe('ας\u1c89')
  })
})
