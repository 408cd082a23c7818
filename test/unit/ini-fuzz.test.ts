/**
 * 10,000 mutations of corpus files: parseIni throws nothing but IniSyntaxError, parseIniLenient
 * throws nothing, the two agree, and on a sample of 300 python3 agrees on accept/reject, the
 * error and the content. Fixed seed (FUZZ_SEED overrides) so a failure can be replayed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIni, parseIniLenient } from '../../shared/ini/configparser'
import { IniSyntaxError } from '../../shared/ini/ini-document'
import { analyseFifeConfig } from '../../shared/fife/fife-config'
import { corpusFiles } from '../fixtures/ini/corpus'
import { mutatedCorpus } from '../fixtures/ini/corpus-mutations'
import {
  type OracleMode,
  optionsFor,
  ourLenientContent,
  ourOutcome,
  type ParseOutcome,
  pythonStateWithoutEmptyKeys,
  runOracle,
  withoutState,
} from '../fixtures/ini/python-oracle'

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_129)
const RUNS = 10_000
const PYTHON_SAMPLE = Number(process.env.FUZZ_PYTHON_SAMPLE ?? 300)
const MODES: OracleMode[] = ['poms', 'fife']
const inputs = mutatedCorpus(corpusFiles())

describe(`configparser fuzz (seed ${SEED})`, () => {
  it(`${RUNS} mutated corpus files: only IniSyntaxError, lenient never throws, both agree`, () => {
    console.log(`ini fuzz seed: ${SEED} (set FUZZ_SEED to replay another)`)
    const started = Date.now()
    fc.assert(
      fc.property(inputs, ({ text }) => {
        for (const mode of MODES) {
          const opts = optionsFor(mode)
          let thrown: IniSyntaxError | null = null
          let strictDoc = null
          try {
            strictDoc = parseIni(text, opts)
          } catch (error) {
            if (!(error instanceof IniSyntaxError)) throw error
            thrown = error
          }
          const lenient = parseIniLenient(text, opts)
          if (strictDoc) {
            expect(lenient).toEqual({ document: strictDoc, problems: [] })
          } else {
            // Same line; a second key-less `= x` is DuplicateOptionError in Python but already a
            // ParsingError for that line in the lenient list.
            const atLine = lenient.problems.filter((p) => p.line === thrown!.line).map((p) => p.code)
            expect(atLine.includes(thrown!.code) || (thrown!.code === 'DUPLICATE_OPTION' && atLine.includes('PARSING_ERROR'))).toBe(true)
            expect(thrown!.line).toBeGreaterThan(0)
            expect(thrown!.column).toBeGreaterThan(0)
          }
          try {
            parseIni(text, { ...opts, strict: false })
          } catch (error) {
            if (!(error instanceof IniSyntaxError)) throw error
            // strict=False forgives duplicates only.
            expect(['PARSING_ERROR', 'MISSING_SECTION_HEADER']).toContain(error.code)
          }
        }
      }),
      { seed: SEED, numRuns: RUNS },
    )
    console.log(`ini fuzz: ${RUNS} inputs in ${Date.now() - started} ms`)
  }, 120_000)

  it(`python3 agrees on a sample of ${PYTHON_SAMPLE} mutated files (one batch)`, () => {
    const sample = fc.sample(inputs, { seed: SEED + 1, numRuns: PYTHON_SAMPLE })
    const cases = sample.flatMap(({ text }) => MODES.map((mode) => ({ task: 'parse' as const, mode, strict: true, text })))
    const python = runOracle<ParseOutcome>(cases)
    let rejected = 0
    cases.forEach((c, i) => {
      const py = python[i]!
      const label = `${sample[Math.floor(i / 2)]!.file} ${JSON.stringify(sample[Math.floor(i / 2)]!.mutations)} (${c.mode})`
      expect(ourOutcome(c.text, c.mode), label).toEqual(withoutState(py))
      if (!py.ok) rejected++
      if (!py.ok && py.state) expect(ourLenientContent(c.text, c.mode), label).toEqual(pythonStateWithoutEmptyKeys(py.state))
    })
    // The sample must exercise both sides of accept/reject to mean anything.
    expect(rejected).toBeGreaterThan(PYTHON_SAMPLE / 10)
    expect(rejected).toBeLessThan(cases.length - PYTHON_SAMPLE / 10)
  }, 120_000)

  it('analyseFifeConfig never throws on 1,000 mutated files', () => {
    fc.assert(
      fc.property(inputs, ({ text }) => {
        const analysis = analyseFifeConfig(text)
        for (const trap of analysis.traps) expect(trap.line).toBeGreaterThan(0)
      }),
      { seed: SEED + 2, numRuns: 1_000 },
    )
  }, 120_000)
})
