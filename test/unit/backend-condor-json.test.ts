import { describe, expect, it } from 'vitest'
import { parseCondorJson } from '../../electron/core/engine/backends/htcondor/condor-ads'

const array = (...ids: number[]) => `[\n${ids.map((id) => `{\n  "ClusterId": 1,\n  "ProcId": ${id}\n}`).join('\n,\n')}\n]\n`

describe('parseCondorJson', () => {
  it('reads one array', () => {
    expect(parseCondorJson(array(0, 1)).map((ad) => ad.ProcId)).toEqual([0, 1])
  })

  it('reads several arrays one after another (one per schedd, as jobsub_q prints them)', () => {
    expect(parseCondorJson(array(0) + array(1, 2) + array(3)).map((ad) => ad.ProcId)).toEqual([0, 1, 2, 3])
  })

  it('treats no output as no jobs (condor prints nothing, not [], for zero matches)', () => {
    expect(parseCondorJson('')).toEqual([])
    expect(parseCondorJson('\n  \n')).toEqual([])
  })

  it('skips text before the first array', () => {
    expect(parseCondorJson(`-- Schedd: jobsub01.fnal.gov\n${array(5)}`).map((ad) => ad.ProcId)).toEqual([5])
  })

  it('refuses an answer cut off in the middle, and one that is not JSON at all', () => {
    expect(() => parseCondorJson(array(0, 1).slice(0, 30))).toThrow(/middle of an array/)
    expect(() => parseCondorJson('Error: could not connect')).toThrow(/no array/)
  })

  it('parses 100,000 ads (a ~10 MB answer) without overflowing the stack', () => {
    const text = array(...Array.from({ length: 100_000 }, (_, i) => i))
    const ads = parseCondorJson(text)
    expect(ads).toHaveLength(100_000)
    expect(ads[99_999]!.ProcId).toBe(99_999)
  })
})
