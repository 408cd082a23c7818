/**
 * decodeIniBytes is Python's bytes.decode("utf-8") (what POMS does to an upload): the same
 * accept/reject and the same first bad byte, checked on fixed cases and 2,000 random byte strings.
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { decodeIniBytes } from '../../shared/ini/decode-utf8'
import { IniSyntaxError } from '../../shared/ini/ini-document'
import { runOracle } from '../fixtures/ini/python-oracle'

vi.setConfig({ testTimeout: 60_000 })

type Decoded = { ok: true; text: string } | { ok: false; start: number; reason: string }

function ours(bytes: Uint8Array): Decoded {
  try {
    return { ok: true, text: decodeIniBytes(bytes) }
  } catch (error) {
    if (!(error instanceof IniSyntaxError)) throw error
    const m = /byte (\d+): ([^)]+)\)/.exec(error.message)!
    return { ok: false, start: Number(m[1]), reason: m[2]! }
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

describe('decodeIniBytes', () => {
  // [bytes, python3's result]
  const cases: [string, Decoded][] = [
    ['5b735d0a6b203d20ff0a', { ok: false, start: 8, reason: 'invalid start byte' }],
    ['5b735d0a6b203d20c080', { ok: false, start: 8, reason: 'invalid start byte' }],
    ['5b735d0a6b203d20eda080', { ok: false, start: 8, reason: 'invalid continuation byte' }],
    ['5b735d0a6b203d20f4908080', { ok: false, start: 8, reason: 'invalid continuation byte' }],
    ['5b735d0a6b203d20e282', { ok: false, start: 8, reason: 'unexpected end of data' }],
    ['efbbbf5b735d0a', { ok: true, text: '\ufeff[s]\n' }],
    ['f09f988080', { ok: false, start: 4, reason: 'invalid start byte' }],
  ]

  it.each(cases)('%s as python3 decodes it', (bytesHex, python) => {
    expect(ours(Buffer.from(bytesHex, 'hex'))).toEqual(python)
  })

  it('the error points at the line and column (in characters) of the bad byte', () => {
    const bytes = Buffer.concat([Buffer.from('[s]\nk = \u20ac', 'utf8'), Buffer.from([0xff])])
    let error: unknown
    try {
      decodeIniBytes(bytes)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(IniSyntaxError)
    const e = error as IniSyntaxError
    expect([e.code, e.line, e.column]).toEqual(['NOT_UTF8', 2, 6])
    expect(e.message).toBe('line 2: the file is not UTF-8 (byte 11: invalid start byte); POMS decodes uploads as UTF-8')
  })

  it('agrees with python3 on 2,000 random byte strings', () => {
    const samples = fc.sample(
      fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x0a, 0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0x9f)), { maxLength: 12 }),
      { seed: 20_251_129, numRuns: 2_000 },
    ).map((a) => Uint8Array.from(a))
    const python = runOracle<Decoded>(samples.map((b) => ({ task: 'decode', hex: hex(b) })))
    samples.forEach((bytes, i) => expect(ours(bytes), hex(bytes)).toEqual(python[i]))
    expect(python.filter((p) => p.ok).length).toBeGreaterThan(100)
  })
})
