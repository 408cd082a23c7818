import { beforeEach, describe, expect, it } from 'vitest'
import { EmuClock } from '../emulators/metacat/auth'
import { Catalog, type CatFile } from '../emulators/metacat/catalog'
import { MqlError } from '../emulators/metacat/mql/ast'
import { evaluateMql } from '../emulators/metacat/mql/evaluate'
import { parseMql, parseTimestamp } from '../emulators/metacat/mql/parse'

// The emulator's MQL (metacat docs/mql.rst): what POMS and the split types write, evaluated faithfully.

const T0 = 1_700_000_000
let cat: Catalog
let raw: CatFile[]

function run(src: string, opts: { includeRetired?: boolean; shuffleSeed?: number | null; defaultNamespace?: string | null } = {}): string[] {
  return evaluateMql(cat, parseMql(src), { defaultNamespace: opts.defaultNamespace ?? null, includeRetired: opts.includeRetired ?? false, shuffleSeed: opts.shuffleSeed ?? null }).map((f) => f.name)
}
const sorted = (xs: string[]) => [...xs].sort()

beforeEach(() => {
  cat = new Catalog(new EmuClock(T0))
  cat.addDataset('mc', 'raw')
  cat.addDataset('mc', 'other')
  // raw_00 … raw_09, created one minute apart, declared newest-first so insertion order ≠ time order.
  raw = cat.declare(
    Array.from({ length: 10 }, (_, i) => 9 - i).map((i) => ({
      namespace: 'mc',
      name: `raw_${String(i).padStart(2, '0')}.root`,
      created_timestamp: T0 + 60 * i,
      size: 100 + i,
      metadata: { 'core.run_number': 1000 + (i % 3), 'core.runs': [1000 + (i % 3), 7], 'core.data_tier': i < 5 ? 'raw' : 'reco', 'dune.tags': { x: i } },
    })),
    'mc:raw',
  )
  cat.declare([{ namespace: 'mc', name: 'stray.txt', created_timestamp: T0 }], 'mc:other')
})

describe('MQL file sets', () => {
  it('files from a dataset, ordered by created_timestamp then fid', () => {
    expect(sorted(run('files from mc:raw'))).toEqual(raw.map((f) => f.name).sort())
    expect(run('files from mc:raw ordered')).toEqual(Array.from({ length: 10 }, (_, i) => `raw_0${i}.root`))
  })

  it('skip and limit apply in the order written, and skip implies ordered (mql.rst)', () => {
    expect(run('files from mc:raw skip 2 limit 3')).toEqual(['raw_02.root', 'raw_03.root', 'raw_04.root'])
    expect(run('files from mc:raw ordered skip 0 limit 2')).toEqual(['raw_00.root', 'raw_01.root'])
    expect(run('files from mc:raw limit 5 skip 5')).toEqual([])
    expect(run('files from mc:raw skip 100 limit 1000 skip 10')).toEqual([])
  })

  it('reads the default namespace for names without one, and fails without it', () => {
    expect(run('files from raw ordered limit 1', { defaultNamespace: 'mc' })).toEqual(['raw_00.root'])
    expect(() => run('files from raw')).toThrow(/Namespace not specified/)
  })

  it('fids and file lists', () => {
    const [a, b] = raw
    expect(sorted(run(`fids ${a!.fid},${b!.fid}`))).toEqual(sorted([a!.name, b!.name]))
    expect(sorted(run('files mc:raw_03.root, mc:stray.txt, mc:missing'))).toEqual(['raw_03.root', 'stray.txt'])
  })

  it("POMS's drainingn form takes n files of the query minus the listed fids", () => {
    const ordered = run('files from mc:raw ordered')
    const used = raw.filter((f) => ['raw_00.root', 'raw_01.root'].includes(f.name)).map((f) => f.fid)
    expect(run(`files from mc:raw - (fids ${used.join(',')}) ordered limit 3`)).toEqual(ordered.slice(2, 5))
    expect(run(`((files from mc:raw) - (fids ${used.join(',')})) ordered limit 3`)).toEqual(ordered.slice(2, 5))
  })

  it('a where right after the second operand of "-" filters that operand only', () => {
    // files from mc:raw - (files from mc:raw where tier = reco) → the raw-tier files
    expect(sorted(run("files from mc:raw - files from mc:raw where core.data_tier = 'reco'"))).toEqual(['raw_00.root', 'raw_01.root', 'raw_02.root', 'raw_03.root', 'raw_04.root'])
  })

  it('union, join and their bracket forms', () => {
    expect(run('union(files from mc:raw, files from mc:other)')).toHaveLength(11)
    expect(run('[files from mc:raw, files from mc:other]')).toHaveLength(11)
    expect(run("join(files from mc:raw, files from mc:raw where core.data_tier = raw)")).toHaveLength(5)
    expect(run("{files from mc:raw, files from mc:raw where core.run_number = 1000}")).toHaveLength(4)
  })

  it('parents and children, nested, and the "files without children" idiom', () => {
    const [p1, p2] = raw
    const [c1] = cat.declare([{ namespace: 'mc', name: 'reco_a.root', parents: [p1!.fid] }])
    cat.declare([{ namespace: 'mc', name: 'ana_a.root', parents: [c1!.fid] }])
    expect(run(`children(fids ${p1!.fid},${p2!.fid})`)).toEqual(['reco_a.root'])
    expect(run(`children(children(fids ${p1!.fid}))`)).toEqual(['ana_a.root'])
    expect(run(`parents(files mc:reco_a.root)`)).toEqual([p1!.name])
    expect(run(`(fids ${p1!.fid},${p2!.fid}) - parents(children(fids ${p1!.fid},${p2!.fid}))`)).toEqual([p2!.name])
  })

  it('every_nth, hash and sample filters', () => {
    expect(run('filter every_nth(3,1)((files from mc:raw) ordered)')).toEqual(['raw_01.root', 'raw_04.root', 'raw_07.root'])
    const parts = [0, 1, 2].map((i) => run(`filter hash(3,${i})(files from mc:raw)`))
    expect(sorted(parts.flat())).toEqual(sorted(run('files from mc:raw')))
    expect(run('filter sample(0.5)((files from mc:raw) ordered)')).toHaveLength(5)
    expect(() => run('filter nosuch(1)(files from mc:raw)')).toThrow(/Filter nosuch not found/)
  })

  it('leaves retired files out unless asked', () => {
    cat.retire(raw[0]!.fid)
    expect(run('files from mc:raw')).toHaveLength(9)
    expect(run('files from mc:raw', { includeRetired: true })).toHaveLength(10)
  })

  it('shuffles unordered results when seeded, and keeps ordered ones in order', () => {
    const orders = [1, 2, 3, 4].map((seed) => run('files from mc:raw', { shuffleSeed: seed }).join())
    expect(new Set(orders).size).toBeGreaterThan(1)
    expect(run('files from mc:raw', { shuffleSeed: 5 })).toEqual(run('files from mc:raw', { shuffleSeed: 5 }))
    expect(run('files from mc:raw ordered', { shuffleSeed: 6 })).toEqual(run('files from mc:raw ordered'))
  })
})

describe('MQL meta-filters', () => {
  const names = (src: string) => sorted(run(src)).map((n) => n.replace(/^raw_0|\.root$/g, ''))

  it('comparisons on metadata, typed as JSON path compares them', () => {
    expect(names('files from mc:raw where core.run_number = 1000')).toEqual(['0', '3', '6', '9'])
    expect(names('files from mc:raw where core.run_number == 1001')).toEqual(['1', '4', '7'])
    expect(names('files from mc:raw where core.run_number != 1000')).toEqual(['1', '2', '4', '5', '7', '8'])
    expect(names('files from mc:raw where core.run_number >= 1002')).toEqual(['2', '5', '8'])
    expect(names("files from mc:raw where core.run_number = '1000'")).toEqual([])
    expect(names('files from mc:raw where core.data_tier = raw and core.run_number < 1001')).toEqual(['0', '3'])
    expect(names('files from mc:raw where core.data_tier = raw or core.run_number = 1002')).toEqual(['0', '1', '2', '3', '4', '5', '8'])
  })

  it('ranges, sets, negation and presence', () => {
    expect(names('files from mc:raw where core.run_number in 1001:1002')).toEqual(['1', '2', '4', '5', '7', '8'])
    expect(names('files from mc:raw where core.run_number not in 1001:1002')).toEqual(['0', '3', '6', '9'])
    expect(names('files from mc:raw where core.run_number in (1000, 1002)')).toEqual(['0', '2', '3', '5', '6', '8', '9'])
    expect(names('files from mc:raw where core.run_number not in (1000, 1002)')).toEqual(['1', '4', '7'])
    expect(names('files from mc:raw where !(core.data_tier = raw)')).toEqual(['5', '6', '7', '8', '9'])
    expect(names('files from mc:raw where core.data_tier present')).toHaveLength(10)
    expect(names('files from mc:raw where core.nothing not present')).toHaveLength(10)
    expect(names('files from mc:raw where core.nothing present')).toEqual([])
  })

  it('arrays: [any], [all], subscripts, len() and "constant in name"', () => {
    expect(names('files from mc:raw where core.runs[any] = 1001')).toEqual(['1', '4', '7'])
    expect(names('files from mc:raw where core.runs[all] < 1001')).toEqual(['0', '3', '6', '9'])
    expect(names('files from mc:raw where core.runs[1] = 7')).toHaveLength(10)
    expect(names("files from mc:raw where dune.tags['x'] > 7")).toEqual(['8', '9'])
    expect(names('files from mc:raw where len(core.runs) = 2')).toHaveLength(10)
    expect(names('files from mc:raw where 1002 in core.runs')).toEqual(['2', '5', '8'])
    expect(names('files from mc:raw where 1002 not in core.runs')).toEqual(['0', '1', '3', '4', '6', '7', '9'])
  })

  it('file attributes: name like, regular expressions, size, created_timestamp against dates', () => {
    expect(names("files from mc:raw where name like 'raw_0_.root' and size > 107")).toEqual(['8', '9'])
    expect(names("files from mc:raw where name like '%7%'")).toEqual(['7'])
    expect(names("files from mc:raw where name ~ 'raw_0[12]'")).toEqual(['1', '2'])
    expect(names("files from mc:raw where name !~* 'RAW_0[0-7]'")).toEqual(['8', '9'])
    const iso = new Date((T0 + 60 * 7) * 1000).toISOString().slice(0, 19)
    expect(names(`files from mc:raw where created_timestamp > '${iso}+00:00'`)).toEqual(['8', '9'])
    expect(names(`files from mc:raw where created_timestamp >= '${iso}Z' and created_timestamp <= ${T0 + 60 * 8}`)).toEqual(['7', '8'])
    expect(names(`files from mc:raw where created_timestamp > datetime('${iso}')`)).toEqual(['8', '9'])
  })

  it('parses ISO timestamps with zones as instants', () => {
    expect(parseTimestamp('2024-01-02T03:04:05+00:00')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000)
    expect(parseTimestamp('2024-01-02T03:04:05-0600')).toBe(Date.UTC(2024, 0, 2, 9, 4, 5) / 1000)
    expect(parseTimestamp('2024-01-02')).toBe(Date.UTC(2024, 0, 2) / 1000)
    expect(parseTimestamp('yesterday')).toBeNull()
  })
})

describe('MQL errors', () => {
  const errorOf = (src: string) => {
    try {
      run(src)
    } catch (err) {
      return err instanceof MqlError ? `${err.errorClass}: ${err.message}` : `other: ${(err as Error).message}`
    }
    return 'no error'
  }

  it('names the error class MetaCat would send in its 400', () => {
    expect(errorOf('files from mc:raw ordred')).toBe('MQLSyntaxError: unexpected text after the query, found "ordred" at position 18')
    expect(errorOf('files from mc:raw where')).toMatch(/^MQLSyntaxError: /)
    expect(errorOf("files from mc:raw where name = 'open")).toMatch(/^MQLSyntaxError: unterminated string/)
    expect(errorOf('files from mc:raw where colour = red')).toBe('MQLCompilationError: Unrecognized attribute name colour')
    expect(errorOf("files from mc:raw where core.data_tier like 'r%'")).toMatch(/^MQLExecutionError: like is only supported on file attributes/)
    expect(errorOf("files from mc:raw where created_timestamp > 'soon'")).toMatch(/^MQLExecutionError: invalid input syntax for type timestamp/)
    expect(errorOf('files from mc:raw limit many')).toMatch(/^MQLSyntaxError: limit needs a whole number/)
    expect(errorOf('datasets matching mc:*')).toMatch(/^MQLCompilationError: /)
  })
})
