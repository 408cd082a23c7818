import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ParamPair } from '../../shared/domain/common'
import {
  CommandSyntaxError,
  joinCommand,
  mergeParams,
  referencedVariables,
  shellQuote,
  splitCommandWords,
  substitute,
  SubstitutionError,
  type ParamSources,
} from '../../shared/domain/launch-params'

const sources = (over: Partial<ParamSources>): ParamSources => ({
  definitionParameters: [],
  campaignDefaultOverrides: [],
  mergeOverrides: false,
  stageOverrides: [],
  testOverrides: [],
  launchOverrides: [],
  test: false,
  ...over,
})

describe('mergeParams (poms-reference §3.3)', () => {
  it('keeps the job type parameters in order when nothing overrides them', () => {
    const defs: ParamPair[] = [
      ['-N ', '1'],
      ['--events=', '10'],
    ]
    expect(mergeParams(sources({ definitionParameters: defs }))).toEqual(defs)
  })

  it('a later value wins but the key keeps its first position', () => {
    const merged = mergeParams(
      sources({
        definitionParameters: [
          ['-a=', '1'],
          ['-b=', '2'],
          ['-c=', '3'],
        ],
        stageOverrides: [
          ['-d=', 'new'],
          ['-b=', 'stage'],
        ],
      }),
    )
    expect(merged).toEqual([
      ['-a=', '1'],
      ['-b=', 'stage'],
      ['-c=', '3'],
      ['-d=', 'new'],
    ])
  })

  it('collapses a repeated key: a flag cannot appear twice', () => {
    const merged = mergeParams(
      sources({
        definitionParameters: [
          ['-e ', 'A'],
          ['-e ', 'B'],
        ],
      }),
    )
    expect(merged).toEqual([['-e ', 'B']])
  })

  it('uses the campaign default overrides only when merge_overrides is on', () => {
    const base = {
      definitionParameters: [['-a=', 'def']] as ParamPair[],
      campaignDefaultOverrides: [
        ['-a=', 'campaign'],
        ['-x=', 'campaign'],
      ] as ParamPair[],
    }
    expect(mergeParams(sources({ ...base, mergeOverrides: false }))).toEqual([['-a=', 'def']])
    expect(mergeParams(sources({ ...base, mergeOverrides: true }))).toEqual([
      ['-a=', 'campaign'],
      ['-x=', 'campaign'],
    ])
  })

  it('the stage overrides beat the campaign default overrides they are merged with', () => {
    const merged = mergeParams(
      sources({
        campaignDefaultOverrides: [
          ['-x=', 'campaign'],
          ['-y=', 'campaign'],
        ],
        mergeOverrides: true,
        stageOverrides: [['-x=', 'stage']],
      }),
    )
    expect(merged).toEqual([
      ['-x=', 'stage'],
      ['-y=', 'campaign'],
    ])
  })

  it('applies test overrides only to test launches', () => {
    const base = { stageOverrides: [['-s=', 'stage']] as ParamPair[], testOverrides: [['-s=', 'test'], ['-t=', 'only-test']] as ParamPair[] }
    expect(mergeParams(sources({ ...base, test: false }))).toEqual([['-s=', 'stage']])
    expect(mergeParams(sources({ ...base, test: true }))).toEqual([
      ['-s=', 'test'],
      ['-t=', 'only-test'],
    ])
  })

  it('applies launch overrides last, so they beat even test overrides', () => {
    const merged = mergeParams(
      sources({
        definitionParameters: [['-k=', 'def']],
        stageOverrides: [['-k=', 'stage']],
        testOverrides: [['-k=', 'test']],
        launchOverrides: [['-k=', 'launch']],
        test: true,
      }),
    )
    expect(merged).toEqual([['-k=', 'launch']])
  })

  it('places a new launch key with the stage overrides, before test-only keys, as POMS does', () => {
    const merged = mergeParams(
      sources({
        definitionParameters: [['-a=', '1']],
        stageOverrides: [['-b=', '2']],
        testOverrides: [['-t=', 'test']],
        launchOverrides: [['-l=', 'launch']],
        test: true,
      }),
    )
    expect(merged.map(([k]) => k)).toEqual(['-a=', '-b=', '-l=', '-t='])
  })

  it('the full order: definition → campaign defaults → stage → launch → test → launch', () => {
    const merged = mergeParams({
      definitionParameters: [
        ['--d=', 'def'],
        ['--all=', 'def'],
      ],
      campaignDefaultOverrides: [
        ['--c=', 'campaign'],
        ['--all=', 'campaign'],
      ],
      mergeOverrides: true,
      stageOverrides: [
        ['--s=', 'stage'],
        ['--all=', 'stage'],
        ['--st=', 'stage'],
      ],
      testOverrides: [
        ['--st=', 'test'],
        ['--all=', 'test'],
      ],
      launchOverrides: [['--all=', 'launch']],
      test: true,
    })
    expect(merged).toEqual([
      ['--d=', 'def'],
      ['--all=', 'launch'],
      ['--c=', 'campaign'],
      ['--s=', 'stage'],
      ['--st=', 'test'],
    ])
  })
})

describe('joinCommand', () => {
  it('concatenates key and value with no separator and joins pairs with single spaces', () => {
    expect(
      joinCommand('fife_launch -c cfg', [
        ['-N ', '5'],
        ['-Oglobal.dataset=', '%(dataset)s'],
        ['--flag', ''],
      ]),
    ).toBe('fife_launch -c cfg -N 5 -Oglobal.dataset=%(dataset)s --flag')
  })

  it('is the launch script alone without parameters', () => {
    expect(joinCommand('run.sh', [])).toBe('run.sh')
  })
})

describe('substitute', () => {
  const vars = { dataset: 'ds1', version: 'v1_0', empty: '' }

  it('replaces %(name)s with the value', () => {
    expect(substitute('--ds=%(dataset)s --v=%(version)s%(empty)s.', vars)).toBe('--ds=ds1 --v=v1_0.')
  })

  it('writes %% as a literal %', () => {
    expect(substitute('100%% of %(dataset)s', vars)).toBe('100% of ds1')
    expect(substitute('%%(dataset)s', vars)).toBe('%(dataset)s')
  })

  it('leaves text without % untouched', () => {
    expect(substitute('a b (c) $d', vars)).toBe('a b (c) $d')
  })

  it('does not substitute inside a substituted value', () => {
    expect(substitute('%(a)s', { a: '%(b)s %%', b: 'no' })).toBe('%(b)s %%')
  })

  it('quotes only the inserted values', () => {
    expect(substitute("x '%(a)s' %(b)s", { a: 'A', b: 'B' }, (v) => `<${v}>`)).toBe("x '<A>' <B>")
  })

  it.each([
    ['%(nope)s', 1, /unknown variable %\(nope\)s at column 1/],
    ['ab %(dataset)s %(missing)s', 16, /unknown variable %\(missing\)s at column 16/],
    ['50% off', 3, /lone % at column 3/],
    ['trailing %', 10, /lone % at column 10/],
    ['x %(dataset)d', 3, /unsupported format %\(dataset\)d at column 3/],
    ['x %(dataset)', 3, /unsupported format %\(dataset\) at column 3/],
    ['abc %(dataset', 5, /unclosed %\( at column 5/],
  ])('%j is an error at column %i', (template, column, message) => {
    let caught: unknown
    try {
      substitute(template, vars)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(SubstitutionError)
    expect((caught as SubstitutionError).column).toBe(column)
    expect((caught as SubstitutionError).message).toMatch(message)
  })

  it('does not take names from the object prototype', () => {
    expect(() => substitute('%(toString)s', {})).toThrow(SubstitutionError)
  })

  it('lists referenced variables in order of first use, skipping %%', () => {
    expect(referencedVariables('%(b)s %% %(a)s %(b)s %%(c)s')).toEqual(['b', 'a'])
  })
})

describe('shellQuote through a real /bin/sh', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'poms-quote-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const echoBack = (value: string): string =>
    execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(value)}`], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } })

  it('leaves plain words as they are', () => {
    expect(shellQuote('abc-1.2_x/y:z=w@h%p+q,r')).toBe('abc-1.2_x/y:z=w@h%p+q,r')
  })

  it('quotes the empty string so it stays one word', () => {
    expect(shellQuote('')).toBe("''")
    expect(echoBack('')).toBe('')
  })

  it.each([
    ['command substitution', (f: string) => `$(touch ${f})`],
    ['backticks', (f: string) => `\`touch ${f}\``],
    ['a closing single quote', (f: string) => `'; touch ${f}; '`],
    ['double quotes', (f: string) => `"; touch ${f}; "`],
    ['a newline', (f: string) => `a\ntouch ${f}`],
    ['a pipe and redirection', (f: string) => `x | touch ${f} > ${f}`],
    ['a background job', (f: string) => `x & touch ${f} &`],
    ['a variable and glob', (f: string) => `$HOME * ${f}? ~ {a,b} \\ #`],
  ])('prints back %s literally and runs nothing', (_what, make) => {
    const victim = join(dir, `owned-${Math.random().toString(36).slice(2)}`)
    const value = make(victim)
    expect(echoBack(value)).toBe(value)
    expect(existsSync(victim)).toBe(false)
  })

  it('prints back any string exactly (property)', () => {
    const special = fc.constantFrom("'", '"', '$', '`', '\\', '\n', '\t', ' ', ';', '|', '&', '(', ')', '<', '>', '*', '?', '~', '#', '!', '{', '}', '[', ']', '%', '=')
    const anyChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0')
    fc.assert(
      fc.property(fc.string({ unit: fc.oneof(special, anyChar), maxLength: 24 }), (value) => {
        expect(echoBack(value)).toBe(value)
      }),
      { numRuns: 200 },
    )
    expect(existsSync(join(dir, 'x'))).toBe(false)
  })
})

describe('splitCommandWords', () => {
  it.each<[string, string[]]>([
    ['a b  c', ['a', 'b', 'c']],
    ['  lead\tand\ntrail  ', ['lead', 'and', 'trail']],
    ['', []],
    ["'a b $x ; | `y`'", ['a b $x ; | `y`']],
    ['"a b"', ['a b']],
    ['"a\\"b"', ['a"b']],
    ['"a\\\\b"', ['a\\b']],
    ['"a\\nb"', ['a\\nb']],
    ['"a\\$b"', ['a$b']],
    ["\"it's\"", ["it's"]],
    ["'say \"hi\"'", ['say "hi"']],
    ['a\\ b', ['a b']],
    ['\\;', [';']],
    ['\\$HOME', ['$HOME']],
    ["--x='a b'\"c\"d", ['--x=a bcd']],
    ["''", ['']],
    ['a "" b', ['a', '', 'b']],
    ['100%', ['100%']],
    ['--ds=%(dataset)s', ['--ds=%(dataset)s']],
    ['-Oa=%(x)s%(y)s.root -N 5', ['-Oa=%(x)s%(y)s.root', '-N', '5']],
    ['x=a,b:c/d@e', ['x=a,b:c/d@e']],
  ])('%j → %j', (line, words) => {
    expect(splitCommandWords(line)).toEqual(words)
  })

  it.each([
    ['a ; b', ';', 3],
    ['a|b', '|', 2],
    ['a && b', '&', 3],
    ['echo $HOME', '$', 6],
    ['echo `id`', '`', 6],
    ['cat < f', '<', 5],
    ['echo > f', '>', 6],
    ['(sub)', '(', 1],
    ['a)', ')', 2],
    ['x=$(id)', '$', 3],
  ])('%j is refused: shell syntax %s at column %i', (line, op, column) => {
    let caught: unknown
    try {
      splitCommandWords(line)
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(CommandSyntaxError)
    expect((caught as CommandSyntaxError).column).toBe(column)
    expect((caught as CommandSyntaxError).message).toContain(`'${op}'`)
  })

  it.each([
    ['"a $HOME"', /\$ inside "…" at column 4/],
    ['"run `id`"', /` inside "…" at column 6/],
    ["a 'open", /unclosed ' at column 3/],
    ['a "open', /unclosed " at column 3/],
  ])('%j is refused with its column', (line, message) => {
    expect(() => splitCommandWords(line)).toThrow(CommandSyntaxError)
    expect(() => splitCommandWords(line)).toThrow(message)
  })

  describe('with hostile values substituted after splitting', () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'poms-split-'))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    it('each value stays one literal argument and nothing runs', () => {
      const owned = join(dir, 'owned.txt')
      const owned2 = join(dir, 'owned2.txt')
      const vars = { dataset: `$(touch ${owned})`, tag: `'; touch ${owned2}; '`, version: 'a b  c' }
      const words = splitCommandWords('prog --ds=%(dataset)s -t %(tag)s --v=%(version)s').map((w) => substitute(w, vars))
      expect(words).toEqual(['prog', `--ds=$(touch ${owned})`, '-t', `'; touch ${owned2}; '`, '--v=a b  c'])

      // Executed the way the local backend runs jobs: an argument vector, no shell.
      const script = join(dir, 'argv.js')
      writeFileSync(script, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))')
      const printed = execFileSync(process.execPath, [script, ...words.slice(1)], { cwd: dir, encoding: 'utf8' })
      expect(JSON.parse(printed)).toEqual(words.slice(1))
      expect(existsSync(owned)).toBe(false)
      expect(existsSync(owned2)).toBe(false)
    })
  })
})
