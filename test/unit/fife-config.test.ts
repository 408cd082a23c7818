/**
 * analyseFifeConfig: each trap on a small example and on the corpus file INDEX.md names for it;
 * the structured view of typical cfgs; and resolveFifeValue against python3 replaying
 * fife_launch's own setup (test/fixtures/ini/configparser-oracle.py, task "resolve").
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import { analyseFifeConfig, type FifeTrap, type FifeTrapCode } from '../../shared/fife/fife-config'
import { createFifeResolver, resolveFifeValue } from '../../shared/fife/fife-resolve'
import { foldRepeatedKey } from '../../shared/fife/fife-sections'
import { CORPUS_INDEX, corpusFile, corpusFiles } from '../fixtures/ini/corpus'
import { runOracle } from '../fixtures/ini/python-oracle'

// python3 runs in these tests; a loaded 2-core machine needs more than the default 5 s.
vi.setConfig({ testTimeout: 60_000 })

function traps(text: string, code: FifeTrapCode): FifeTrap[] {
  return analyseFifeConfig(text).traps.filter((t) => t.code === code)
}

function brief(list: FifeTrap[]): [number, string | null, string | null, string][] {
  return list.map((t) => [t.line, t.section, t.key, t.severity])
}

type PyResolve =
  | { ok: true; values: [string, string, { value?: string; error?: string }][] }
  | { ok: false; stage: string; error: string }

/** python3 replaying fife_launch: every value of every section, or where it stops. */
function python(text: string, overrides: Record<string, string> = {}, stages: string[] = []): PyResolve {
  const triples = Object.entries(overrides).map(([k, v]) => {
    const dot = k.indexOf('.')
    return (dot < 0 ? ['global', k, v] : [k.slice(0, dot), k.slice(dot + 1), v]) as [string, string, string]
  })
  return runOracle<PyResolve>([{ task: 'resolve', text, overrides: triples, stages }])[0]!
}

function pythonValue(text: string, section: string, key: string, overrides: Record<string, string> = {}, stages: string[] = []): string {
  const py = python(text, overrides, stages)
  if (!py.ok) return `fails in ${py.stage}: ${py.error}`
  const found = py.values.find(([s, k]) => s === section && k === key)
  if (!found) throw new Error(`python3 has no [${section}] ${key}`)
  return found[2].value ?? `error: ${found[2].error}`
}

function ourValue(text: string, section: string, key: string, overrides: Record<string, string> = {}, stages: string[] = []): string {
  const r = resolveFifeValue(analyseFifeConfig(text), section, key, overrides, { stages })
  if (r.ok) return r.value
  return r.error.step === 'value' ? `error: ${r.error.pythonError}` : `fails in ${r.error.step}: ${r.error.pythonError}`
}

const TP4_1 = 'SBNSoftware__sbndutil__cfg__poms__test_production__tp4.0__tp4_1.cfg'
const TP0_1 = 'SBNSoftware__sbndutil__cfg__poms__test_production__tp0.1__tp0.1.cfg'
const MCP0_9 = 'SBNSoftware__sbndutil__cfg__poms__pre-production__mcp0.9__mcp0.9.cfg'
const PRODNAME = 'SBNSoftware__sbndutil__cfg__poms__cfg_template__PRODNAME_gen_g4_detsim_reco1.cfg'
const DATA_DISPATCHER = 'fnal-fife__fife-utils__cfg__data_dispatcher.cfg'
const COACKLEY = 'SBNSoftware__sbndcode__sbndcode__nue__gridJobConfig__coackley_nueElastic_gen_g4_detsim_reco1_reco2_AllReco_noHits_6Nov.cfg'
const PHOTONLIB = 'SBNSoftware__icarusutil__POMS__cfg__icarus_photonlib_launch.cfg'
const TEMPLATE = 'fnal-fife__fife-utils__cfg__template_launch.cfg'
const PROTONANA = 'SBNSoftware__sbndcode__sbndcode__ProtonStudies__poms_cfg__protonana.cfg'

describe('trap: inline comments are part of the value', () => {
  it('a flag written "True #…" is silently not passed (error); other values keep the comment (warning)', () => {
    const text = '[job_output]\nadd_location = True #02/10/21 mateusc\nhash = 2 #note\n[job_setup]\nprescript = a ; b # shell comment\n'
    expect(brief(traps(text, 'INLINE_COMMENT'))).toEqual([
      [2, 'job_output', 'add_location', 'error'],
      [3, 'job_output', 'hash', 'warning'],
    ])
    expect(traps(text, 'INLINE_COMMENT')[0]!.message).toMatch(/exact value 'True'/)
    expect(traps(text, 'INLINE_COMMENT')[0]!.column).toBe(21)
  })

  it('on the jobsub_submit command line a # comments out the line continuation (error)', () => {
    const t = traps('[submit]\nN = -1 #500\n[executable]\narg_1 = -c ; rm\n', 'INLINE_COMMENT')
    expect(brief(t)).toEqual([
      [2, 'submit', 'N', 'error'],
      [4, 'executable', 'arg_1', 'error'],
    ])
    expect(t[0]!.message).toMatch(/options after it are lost/)
  })

  it('a stage overlay is judged by its target', () => {
    expect(brief(traps('[stage_reco]\njob_output.add_location = True # x\nglobal.version = v1 # y\n', 'INLINE_COMMENT'))).toEqual([
      [2, 'stage_reco', 'job_output.add_location', 'error'],
      [3, 'stage_reco', 'global.version', 'warning'],
    ])
  })

  it('corpus: SBND tp4_1.cfg add_location = True #02/10/21 in three outputs; PRODNAME N = -1 #500; ICARUS globals', () => {
    const tp4 = traps(corpusFile(TP4_1), 'INLINE_COMMENT')
    expect(tp4.filter((t) => t.severity === 'error').map((t) => [t.line, t.section, t.key])).toEqual([
      [112, 'job_output', 'add_location'],
      [123, 'job_output_1', 'add_location'],
      [131, 'job_output_2', 'add_location'],
    ])
    expect(brief(traps(corpusFile(PRODNAME), 'INLINE_COMMENT'))).toEqual([[49, 'submit', 'N', 'error']])
    expect(brief(traps(corpusFile(PHOTONLIB), 'INLINE_COMMENT'))).toEqual([
      [9, 'global', 'version', 'warning'],
      [10, 'global', 'quals', 'warning'],
      [11, 'global', 'basename', 'warning'],
      [15, 'global', 'streamname', 'warning'],
    ])
  })

  it('python3: the value really keeps the comment', () => {
    expect(pythonValue(corpusFile(TP4_1), 'job_output', 'add_location', { dataset: 'd' })).toBe('True #02/10/21 mateusc')
  })
})

describe('trap: key-less lines', () => {
  it("configparser reads `lines_1 '+X=True'` as an odd key; error where fife reads it, warning elsewhere", () => {
    const t = traps("[submit]\nlines_1 '+FERMIHTC_AutoRelease=True'\n[nothing]\nkey word = v\n", 'KEYLESS_LINE')
    expect(brief(t)).toEqual([
      [2, 'submit', "lines_1 '+FERMIHTC_AutoRelease", 'error'],
      [4, 'nothing', 'key word', 'warning'],
    ])
    expect(t[0]!.message).toContain("value 'True''")
    expect(t[0]!.message).toContain("did you mean 'lines_1 = '+FERMIHTC_AutoRelease=True''")
  })

  it('corpus: fife-utils data_dispatcher.cfg, lines 16-18 in the unused [stage] section', () => {
    const analysis = analyseFifeConfig(corpusFile(DATA_DISPATCHER))
    expect(brief(analysis.traps.filter((t) => t.code === 'KEYLESS_LINE'))).toEqual([
      [16, 'stage', "lines_1 '+FERMIHTC_AutoRelease", 'warning'],
      [17, 'stage', "lines_2 '+FERMIHTC_GraceMemory", 'warning'],
      [18, 'stage', "lines_3 '+FERMIHTC_GraceLifetime", 'warning'],
    ])
    expect(analysis.traps.find((t) => t.code === 'UNUSED_SECTION')).toMatchObject({ line: 15, section: 'stage' })
  })
})

describe('trap: malformed %', () => {
  it("'%(name).root' (missing s) and a lone % are errors; an unused section only warns; %% is fine", () => {
    const text = '[global]\nbad = 50%\nok = 100%%\n[job_setup]\npostscript_2 = x.sh %(basename).root\n[notes]\nn = 5%\n'
    expect(brief(traps(text, 'BAD_INTERPOLATION'))).toEqual([
      [2, 'global', 'bad', 'error'],
      [5, 'job_setup', 'postscript_2', 'error'],
      [7, 'notes', 'n', 'warning'],
    ])
  })

  it('python3: a lone % anywhere in [global] stops fife_launch before anything; in a stage, --stage fails with ValueError', () => {
    expect(pythonValue('[global]\nbad = 50%\n[submit]\nG = x\n', 'submit', 'G')).toBe('fails in globals: InterpolationSyntaxError')
    expect(ourValue('[global]\nbad = 50%\n[submit]\nG = x\n', 'submit', 'G')).toBe('fails in globals: InterpolationSyntaxError')
    const stage = '[global]\na = 1\n[stage_x]\nglobal.a = 50%\n'
    expect(brief(traps(stage, 'BAD_INTERPOLATION'))).toEqual([[4, 'stage_x', 'global.a', 'error']])
    expect(pythonValue(stage, 'global', 'a', {}, ['x'])).toBe('fails in stages: ValueError')
    expect(ourValue(stage, 'global', 'a', {}, ['x'])).toBe('fails in stages: ValueError')
  })

  it('corpus: SBND tp0.1.cfg [job_setup] postscript_2 = … %(basename).root (python3: InterpolationSyntaxError)', () => {
    const text = corpusFile(TP0_1)
    expect(brief(traps(text, 'BAD_INTERPOLATION'))).toEqual([[50, 'job_setup', 'postscript_2', 'error']])
    expect(traps(text, 'BAD_INTERPOLATION')[0]!.column).toBe(47)
    expect(pythonValue(text, 'job_setup', 'postscript_2', { dataset: 'd' })).toBe('error: InterpolationSyntaxError')
    expect(ourValue(text, 'job_setup', 'postscript_2', { dataset: 'd' })).toBe('error: InterpolationSyntaxError')
  })
})

describe('trap: duplicates (py3 fife_launch is strict)', () => {
  it('Mu2e shapes: a repeated [job_output_4] and a repeated stage key; the lenient document keeps the last value', () => {
    const text = '[job_output_4]\ndest = a\n[stage_x]\nglobal.f = 1\nglobal.f = 2\n[job_output_4]\nhash = 1\n'
    const analysis = analyseFifeConfig(text)
    expect(analysis.parseError).toMatchObject({ code: 'DUPLICATE_OPTION', line: 5 })
    expect(brief(analysis.traps.filter((t) => t.code.startsWith('DUPLICATE')))).toEqual([
      [5, 'stage_x', 'global.f', 'error'],
      [6, 'job_output_4', null, 'error'],
    ])
    expect(analysis.stages[0]!.overlays).toEqual([{ key: 'global.f', target: { section: 'global', key: 'f' }, value: '2', line: 5 }])
  })

  it('corpus: SBND mcp0.9.cfg repeats [stage_gen] executable.arg_7 (INDEX.md: DuplicateOptionError)', () => {
    const analysis = analyseFifeConfig(corpusFile(MCP0_9))
    expect(analysis.parseError).toMatchObject({ code: 'DUPLICATE_OPTION', line: 115 })
    expect(analysis.parseError!.message).toBe("line 115: duplicate key 'executable.arg_7' in section [stage_gen] (first at line 112)")
    expect(brief(analysis.traps.filter((t) => t.code === 'DUPLICATE_OPTION'))).toEqual([[115, 'stage_gen', 'executable.arg_7', 'error']])
    expect(analysis.stages.find((s) => s.name === 'gen')!.overlays.find((o) => o.key === 'executable.arg_7')!.value).toBe('-n')
  })
})

describe('trap: text after a section header', () => {
  it("is ignored, and the header runs to the LAST ']'", () => {
    expect(brief(traps('[job_output_1] # commented out?\ndest = x\n[a] x ] y\nk = v\n', 'HEADER_TRAILING_TEXT'))).toEqual([
      [1, 'job_output_1', null, 'warning'],
      [3, 'a] x ', null, 'warning'],
      [3, 'a] x ', null, 'warning'],
    ])
  })

  it('corpus: the SBND coackley cfg, line 120', () => {
    const t = traps(corpusFile(COACKLEY), 'HEADER_TRAILING_TEXT')
    expect(brief(t)).toEqual([[120, 'job_output_1', null, 'warning']])
    expect(t[0]!.message).toMatch(/still read/)
  })
})

describe('trap: stage keys', () => {
  it('a key without section. in a [stage_*] is an error (python3: ValueError when the stage is used)', () => {
    const text = '[global]\na = 1\n[executable]\narg_3 = x\n[stage_split]\narg_3 =\nglobal.a = 2\n'
    const t = traps(text, 'STAGE_KEY_NOT_DOTTED')
    expect(brief(t)).toEqual([[6, 'stage_split', 'arg_3', 'error']])
    expect(t[0]!.message).toContain('did you mean executable.arg_3?')
    expect(pythonValue(text, 'global', 'a', {}, ['split'])).toBe('fails in stages: ValueError')
    expect(ourValue(text, 'global', 'a', {}, ['split'])).toBe('fails in stages: ValueError')
    expect(ourValue(text, 'global', 'a')).toBe('1')
  })

  it('corpus: [stage_split] arg_3/arg_4 in SBND and ICARUS cfgs', () => {
    expect(brief(traps(corpusFile(TP0_1), 'STAGE_KEY_NOT_DOTTED'))).toEqual([
      [147, 'stage_split', 'arg_3', 'error'],
      [148, 'stage_split', 'arg_4', 'error'],
    ])
    expect(brief(traps(corpusFile(PHOTONLIB), 'STAGE_KEY_NOT_DOTTED'))).toEqual([
      [135, 'stage_split', 'arg_3', 'error'],
      [136, 'stage_split', 'arg_4', 'error'],
    ])
  })

  it('a target section that does not exist (python3: NoSectionError); a warning only when includes could define it', () => {
    const text = '[global]\na = 1\n[stage_x]\njob_output.dest = /d\n'
    expect(brief(traps(text, 'STAGE_TARGET_MISSING'))).toEqual([[4, 'stage_x', 'job_output.dest', 'error']])
    expect(pythonValue(text, 'global', 'a', {}, ['x'])).toBe('fails in stages: NoSectionError')
    expect(ourValue(text, 'global', 'a', {}, ['x'])).toBe('fails in stages: NoSectionError')
    expect(brief(traps('[global]\nincludes = more.cfg\n[stage_x]\njob_output.dest = /d\n', 'STAGE_TARGET_MISSING'))).toEqual([[4, 'stage_x', 'job_output.dest', 'warning']])
    // global, submit and executable always exist for fife_launch
    expect(traps('[stage_x]\nsubmit.N = 1\nexecutable.arg_1 = a\n', 'STAGE_TARGET_MISSING')).toEqual([])
  })

  it("parents: split on ',' without trimming, missing ones skipped silently (python3 agrees)", () => {
    const text = '[global]\na = 1\n[stage_x]\nparent = y, z\nglobal.a = 2\n[stage_z]\nglobal.b = 3\n'
    const t = traps(text, 'STAGE_PARENT_MISSING')
    expect(brief(t)).toEqual([
      [4, 'stage_x', 'parent', 'warning'],
      [4, 'stage_x', 'parent', 'warning'],
    ])
    expect(t[1]!.message).toContain('[stage_ z] (with the space)')
    expect(analyseFifeConfig(text).stages[0]!.parents).toEqual(['y', ' z'])
    // python3: [stage_z] is not applied, so global.b is never set
    expect(pythonValue(text, 'global', 'a', {}, ['x'])).toBe('2')
    expect(() => pythonValue(text, 'global', 'b', {}, ['x'])).toThrow(/no \[global\] b/)
    expect(ourValue(text, 'global', 'b', {}, ['x'])).toBe('error: NoOptionError')
  })

  it('a parent loop is survived by fife_launch (python3: the RecursionError is swallowed by its cfg_get)', () => {
    const text = '[global]\na = 1\n[stage_x]\nparent = y\nglobal.a = 2\n[stage_y]\nparent = x\nglobal.a = 3\nglobal.b = 4\n'
    expect(brief(traps(text, 'STAGE_PARENT_LOOP'))).toEqual([
      [4, 'stage_x', 'parent', 'warning'],
      [7, 'stage_y', 'parent', 'warning'],
    ])
    for (const [stages, key] of [[['x'], 'a'], [['x'], 'b'], [['y'], 'a'], [['x', 'y'], 'a']] as const) {
      expect(ourValue(text, 'global', key, {}, [...stages])).toBe(pythonValue(text, 'global', key, {}, [...stages]))
    }
    expect(ourValue(text, 'global', 'a', {}, ['x'])).toBe('2')
  })
})

describe('trap: [global] shadows a section key', () => {
  it('fife_launch reads every section with [global] as vars, which win (python3: [submit] memory is 2000MB)', () => {
    const text = '[global]\nmemory = 2000MB\ngroup = dune\n[submit]\nmemory = 4000MB\ngroup = %(group)s\n[env_pass]\ngroup = dune\n'
    expect(brief(traps(text, 'GLOBAL_SHADOWS_KEY'))).toEqual([
      [5, 'submit', 'memory', 'error'],
      [8, 'env_pass', 'group', 'warning'],
    ])
    expect(pythonValue(text, 'submit', 'memory')).toBe('2000MB')
    expect(ourValue(text, 'submit', 'memory')).toBe('2000MB')
  })

  it('a stage overlay onto a shadowed key is flagged too', () => {
    expect(brief(traps('[global]\nmemory = 2000MB\n[stage_big]\nsubmit.memory = 8000MB\n', 'GLOBAL_SHADOWS_KEY'))).toEqual([[4, 'stage_big', 'submit.memory', 'error']])
  })
})

describe('trap: %(name)s that only -Oglobal.name= can supply', () => {
  it('is a warning per use and lists the names; python3 fails without the override and resolves with it', () => {
    const text = '[global]\nexperiment = dune\n[submit]\ndataset = %(dataset)s\n[executable]\nname = lar\narg_1 = %(fcl)s %(experiment)s\n'
    const analysis = analyseFifeConfig(text)
    expect(analysis.externalVariables).toEqual(['dataset', 'fcl'])
    expect(brief(analysis.traps.filter((t) => t.code === 'UNRESOLVED_VARIABLE'))).toEqual([
      [4, 'submit', 'dataset', 'warning'],
      [7, 'executable', 'arg_1', 'warning'],
    ])
    expect(pythonValue(text, 'executable', 'arg_1')).toBe('error: InterpolationMissingOptionError')
    expect(ourValue(text, 'executable', 'arg_1')).toBe('error: InterpolationMissingOptionError')
    expect(pythonValue(text, 'executable', 'arg_1', { 'global.fcl': 'reco.fcl' })).toBe('reco.fcl dune')
    expect(ourValue(text, 'executable', 'arg_1', { fcl: 'reco.fcl' })).toBe('reco.fcl dune')
  })

  it("a section's own key also resolves (vars, then the section, then DEFAULT), but not a key's reference to itself", () => {
    expect(analyseFifeConfig('[submit]\nb = 1\nc = %(b)s\n').externalVariables).toEqual([])
    // python3: [submit] dataset = %(dataset)s without a global dataset is InterpolationDepthError
    const self = '[global]\na = 1\n[submit]\ndataset = %(dataset)s\n'
    expect(analyseFifeConfig(self).externalVariables).toEqual(['dataset'])
    expect(pythonValue(self, 'submit', 'dataset')).toBe('error: InterpolationDepthError')
    expect(ourValue(self, 'submit', 'dataset')).toBe('error: InterpolationDepthError')
    expect(ourValue(self, 'submit', 'dataset', { dataset: 'mine' })).toBe('mine')
  })

  it('the names match INDEX.md\'s "vars from outside" column for every cfg it lists (none where it lists none)', () => {
    const index = readFileSync(CORPUS_INDEX, 'utf8')
    const rows = index.split('\n').filter((l) => /^\| `[^`]+\.cfg` \|/.test(l))
    const names = new Set(corpusFiles().map((f) => f.name))
    let compared = 0
    for (const row of rows) {
      const name = /^\| `([^`]+)`/.exec(row)![1]!
      if (!names.has(name) || row.includes('py3 ConfigParser:')) continue
      const listed = /vars from outside \(-O\/include\/env\): ([^;|]+)/.exec(row)?.[1]?.trim().split(',') ?? []
      expect(analyseFifeConfig(corpusFile(name)).externalVariables, name).toEqual(listed.sort())
      compared++
    }
    expect(compared).toBeGreaterThanOrEqual(35)
  })
})

describe('trap: placeholders, doubled delimiters, unused sections, argument order, reference loops', () => {
  it('override_me and @NAME@ (corpus: protonana.cfg custom_tag = @TEMPLATE_TAG@)', () => {
    expect(brief(traps('[global]\nversion = v_override_me\ntag = @TEMPLATE_TAG@\nmail = a@fnal.gov\n', 'TEMPLATE_PLACEHOLDER'))).toEqual([
      [2, 'global', 'version', 'warning'],
      [3, 'global', 'tag', 'warning'],
    ])
    expect(traps(corpusFile(PROTONANA), 'TEMPLATE_PLACEHOLDER').find((t) => t.key === 'custom_tag')).toMatchObject({ line: 10, column: 14 })
  })

  it("'key==value' (corpus: template_launch.cfg job_output.add_to_dataset==_poms_task)", () => {
    expect(brief(traps(corpusFile(TEMPLATE), 'DOUBLED_DELIMITER'))).toEqual([[199, 'stage_analysis_gen', 'job_output.add_to_dataset', 'warning']])
  })

  it('sections fife_launch never reads: [stage], gaps in job_output_N, executable_100', () => {
    const t = traps('[stage]\na = 1\n[job_output]\nx = 1\n[job_output_2]\nx = 2\n[executable_100]\nname = x\n[executable_2]\nname = y\n', 'UNUSED_SECTION')
    expect(t.map((x) => [x.section, x.message.replace(/^line \d+: /, '')])).toEqual([
      ['stage', '[stage] is never read: stage overrides must be in [stage_NAME] sections, applied with --stage NAME'],
      ['job_output_2', '[job_output_2] is never read: fife_launch stops at the first missing output section, and [job_output_1] is missing'],
      ['executable_100', '[executable_100] is never read: fife_launch reads [executable] to [executable_99] only'],
    ])
  })

  it('arguments are passed in file order, not by number', () => {
    expect(brief(traps('[executable]\nname = lar\narg_2 = b\narg_1 = a\n', 'ARGS_OUT_OF_ORDER'))).toEqual([[4, 'executable', 'arg_1', 'warning']])
  })

  it('a reference loop (python3: InterpolationDepthError)', () => {
    const text = '[global]\na = %(b)s\nb = %(a)s\n'
    expect(brief(traps(text, 'INTERPOLATION_DEPTH'))).toEqual([[2, 'global', 'a', 'error']])
    expect(pythonValue(text, 'global', 'a')).toBe('fails in globals: InterpolationDepthError')
    expect(ourValue(text, 'global', 'a')).toBe('fails in globals: InterpolationDepthError')
    const inSection = '[global]\nx = 1\n[submit]\nc = %(d)s\nd = %(c)s\n'
    expect(brief(traps(inSection, 'INTERPOLATION_DEPTH'))).toEqual([
      [4, 'submit', 'c', 'error'],
      [5, 'submit', 'd', 'error'],
    ])
    expect(pythonValue(inSection, 'submit', 'c')).toBe('error: InterpolationDepthError')
  })

  it('every trap has a position and a message that names its line', () => {
    for (const file of corpusFiles().filter((f) => f.kind === 'fife-cfg')) {
      for (const t of analyseFifeConfig(file.text).traps) {
        expect(t.line).toBeGreaterThan(0)
        expect(t.column).toBeGreaterThan(0)
        expect(t.message).toMatch(new RegExp(`^line ${t.line}: `))
      }
    }
  })
})

describe('structured view', () => {
  it('fife-utils template_launch.cfg: globals, executable args in order, job outputs, stages with targets and parent', () => {
    const a = analyseFifeConfig(corpusFile(TEMPLATE))
    expect(a.parseError).toBeNull()
    expect(a.globals.slice(0, 3).map((g) => [g.key, g.value])).toEqual([
      ['wrapper', 'file:///${FIFE_UTILS_DIR}/libexec/fife_wrap'],
      ['experiment', 'hypot'],
      ['group', '%(experiment)s'],
    ])
    expect(a.executables).toHaveLength(1)
    expect(a.executables[0]!.name!.value).toBe('lar')
    expect(a.executables[0]!.args.map((x) => [x.key, x.value])).toEqual([
      ['arg_1', '-c'],
      ['arg_2', '%(fclfile)s'],
      ['arg_3', '-o'],
      ['arg_4', '%(basename)s_\\\\\\\\\\\\${fname##*/}.root'],
      ['arg_5', '-T'],
      ['arg_6', 'hist_%(basename)s_\\\\\\\\\\\\${fname##*/}.root'],
      ['arg_7', '-n'],
      ['arg_8', '%(nevents)s'],
      ['arg_9', '-s'],
    ])
    expect(a.jobOutputs.map((o) => [o.section, o.options.map((x) => x.option)])).toEqual([
      ['job_output', ['addoutput', 'rename', 'dest', 'declare_metadata', 'metadata_extractor', 'add_location']],
      ['job_output_1', ['addoutput1', 'rename1', 'dest1', 'declare_metadata1', 'metadata_extractor1']],
      ['job_output_2', ['addoutput2', 'dest2']],
    ])
    expect(a.submit.map((s) => [s.option, s.form])).toEqual([
      ['G', 'short'],
      ['N', 'short'],
      ['resource-provides', 'long'],
      ['generate-email-summary', 'flag'],
    ])
    expect(a.jobSetup.map((s) => s.option)).toEqual(['debug', 'find_setups', 'source-unquote', 'setup-unquote', 'multifile', 'finally-unquote'])
    expect(a.stages.map((s) => s.name)).toEqual([
      'gen', 'g4', 'detsim', 'reco', 'anatree', 'split', 'merge', 'analyze', 'analysis_reco', 'analysis_ana', 'analysis_gen', 'analysis_ana_output', 'parent_demo',
    ])
    expect(a.stages[0]!.overlays.map((o) => [o.target, o.value])).toEqual([
      [{ section: 'job_output', key: 'add_to_dataset' }, '_poms_task'],
      [{ section: 'job_output', key: 'dataset_exclude' }, 'hist*'],
      [{ section: 'executable', key: 'arg_9' }, ''],
      [{ section: 'global', key: 'fclfile' }, 'standard_genie_%(experiment)s.fcl'],
      [{ section: 'global', key: 'basename' }, 'gen'],
      [{ section: 'job_setup', key: 'multifile' }, 'False'],
    ])
    expect(a.stages.at(-1)).toMatchObject({ name: 'parent_demo', parents: ['analysis_ana_output'], overlays: [] })
    expect(a.envPass.map((e) => e.key)).toEqual(['IFDH_DEBUG', 'SAM_EXPERIMENT', 'SAM_GROUP', 'SAM_STATION'])
    expect(a.samConsumer.map((e) => [e.key, e.value])).toEqual([['limit', '1'], ['appvers', '%(version)s'], ['schema', 'gsiftp']])
  })

  it('data_dispatcher.cfg: repeated submit options fold to one option name; n_files_per_job computes -N', () => {
    const a = analyseFifeConfig(corpusFile(DATA_DISPATCHER))
    expect(a.submit.map((s) => [s.key, s.option, s.form])).toEqual([
      ['G', 'G', 'short'],
      ['OS', 'OS', 'long'],
      ['memory', 'memory', 'long'],
      ['expected-lifetime', 'expected-lifetime', 'long'],
      ['n_files_per_job', null, 'computes-N'],
      ['resource-provides', 'resource-provides', 'long'],
      ['c', 'c', 'short'],
      ['lines_1', 'lines', 'long'],
      ['lines_2', 'lines', 'long'],
      ['lines_3', 'lines', 'long'],
      ['lines_4', 'lines', 'long'],
      ['append_condor_requirements_1', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_2', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_3', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_4', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_5', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_6', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_7', 'append_condor_requirements', 'long'],
      ['append_condor_requirements_8', 'append_condor_requirements', 'long'],
      ['f_0', 'f', 'short'],
      ['f_1', 'f', 'short'],
    ])
    expect(a.jobSetup.map((s) => s.option)).toEqual([
      'source-unquote', 'source-unquote', 'source-unquote', 'setup-unquote',
      'prescript-unquote', 'prescript-unquote', 'prescript-unquote', 'prescript-unquote', 'prescript-unquote',
    ])
    expect(a.dataDispatcher.map((d) => d.key)).toEqual(['dataset', 'namespace', 'query_limit', 'load_limit'])
  })

  it('executables in number order, includes, prelaunch up to the first gap, DEFAULT merged, POMS env keys', () => {
    const a = analyseFifeConfig(
      '[DEFAULT]\nshared = 1\n[global]\nincludes = a.cfg  /cvmfs/b.cfg\n[env_pass]\nPOMS_TASK_ID = 5\n[executable_2]\nname = two\n[executable]\nname = zero\narg_1 = x\n[prelaunch]\nscript = a\nscript_1 = b\nscript_3 = d\n',
    )
    expect(a.includes).toEqual(['a.cfg', '/cvmfs/b.cfg'])
    expect(a.executables.map((e) => [e.section, e.name?.value])).toEqual([['executable', 'zero'], ['executable_2', 'two']])
    expect(a.executables[0]!.other.map((o) => [o.key, o.fromDefaults])).toEqual([['shared', true]])
    expect(a.prelaunch.map((p) => p.key)).toEqual(['script', 'script_1'])
    expect(a.envPass.map((e) => [e.key, e.poms])).toEqual([['shared', false], ['POMS_TASK_ID', true]])
  })

  it('folding strips one or two trailing digits after _, as fife_launch does', () => {
    expect(['e_1', 'e_12', 'e_123', 'lines', '_1', 'a_b', 'prescript_0'].map(foldRepeatedKey)).toEqual(['e', 'e', 'e_123', 'lines', '_1', 'a_b', 'prescript'])
  })
})

describe('resolveFifeValue (BasicInterpolation with [global] as vars), python3-verified', () => {
  it("%% → %, %(name)s from [global] → the section → DEFAULT, and [global]'s %% is expanded TWICE by fife_launch", () => {
    const text = '[DEFAULT]\nd = fromdefault\n[global]\nexperiment = dune\npct = 100%%\n[submit]\nown = mine\nx = %(experiment)s %(own)s %(d)s 5%%\ny = %(pct)s\n'
    for (const [section, key] of [['submit', 'x'], ['submit', 'y'], ['global', 'pct'], ['global', 'experiment']] as const) {
      expect(ourValue(text, section, key), `${section}.${key}`).toBe(pythonValue(text, section, key))
    }
    expect(ourValue(text, 'submit', 'x')).toBe('dune mine fromdefault 5%')
    // items('global') turns 100%% into 100%, and get(..., vars=...) expands that again: an error.
    expect(ourValue(text, 'submit', 'y')).toBe('error: InterpolationSyntaxError')
  })

  it('preset globals and overrides (-O applied after stages; presets after -O)', () => {
    const text = '[global]\nbasename = x\n[stage_reco]\nglobal.basename = reco\n[executable]\narg_1 = %(basename)s_%(_fname)s\n'
    const cases: [Record<string, string>, string[]][] = [[{}, []], [{}, ['reco']], [{ 'global.basename': 'cli' }, ['reco']], [{ '_fname': 'nope' }, []]]
    for (const [overrides, stages] of cases) {
      expect(ourValue(text, 'executable', 'arg_1', overrides, stages)).toBe(pythonValue(text, 'executable', 'arg_1', overrides, stages))
    }
    expect(ourValue(text, 'executable', 'arg_1', {}, ['reco'])).toBe('reco_\\\\\\\\${fname}')
  })

  it('the depth limit: 10 nested references resolve, 11 fail (python3: InterpolationDepthError)', () => {
    const chain = (n: number): string =>
      ['[global]', 'g = 1', '[submit]', ...Array.from({ length: n }, (_, i) => `a${i} = %(a${i + 1})s`), `a${n} = end`, ''].join('\n')
    expect(ourValue(chain(10), 'submit', 'a0')).toBe('end')
    expect(pythonValue(chain(10), 'submit', 'a0')).toBe('end')
    expect(ourValue(chain(11), 'submit', 'a0')).toBe('error: InterpolationDepthError')
    expect(pythonValue(chain(11), 'submit', 'a0')).toBe('error: InterpolationDepthError')
  })

  it('errors are returned, not thrown', () => {
    const doc = analyseFifeConfig('[global]\na = 1\n')
    expect(resolveFifeValue(doc, 'nope', 'a')).toMatchObject({ ok: false, error: { pythonError: 'NoSectionError', step: 'value' } })
    expect(resolveFifeValue(doc, 'global', 'zzz')).toMatchObject({ ok: false, error: { pythonError: 'NoOptionError' } })
    expect(resolveFifeValue(doc, 'global', 'a', { 'global.b': '50%' })).toMatchObject({ ok: false, error: { step: 'overrides', pythonError: 'ValueError' } })
    // fife_launch calls add_section('DEFAULT') for -ODEFAULT.b=…, which raises ValueError (python3 agrees).
    expect(resolveFifeValue(doc, 'global', 'a', { 'DEFAULT.b': '1' })).toMatchObject({ ok: false, error: { step: 'overrides', pythonError: 'ValueError' } })
    expect(pythonValue('[global]\na = 1\n', 'global', 'a', { 'DEFAULT.b': '1' })).toBe('fails in overrides: ValueError')
  })

  it('every value of every corpus cfg, bare, with the external names given, and under each stage: same as python3', () => {
    const runs: { text: string; overrides: Record<string, string>; stages: string[] }[] = []
    for (const file of corpusFiles().filter((f) => f.kind === 'fife-cfg')) {
      const analysis = analyseFifeConfig(file.text)
      if (analysis.parseError) continue
      const external = Object.fromEntries(analysis.externalVariables.map((n) => [`global.${n}`, `<${n}>`]))
      runs.push({ text: file.text, overrides: {}, stages: [] }, { text: file.text, overrides: external, stages: [] })
      for (const stage of analysis.stages) runs.push({ text: file.text, overrides: external, stages: [stage.name] })
    }
    const results = runOracle<PyResolve>(
      runs.map((r) => ({
        task: 'resolve',
        text: r.text,
        stages: r.stages,
        overrides: Object.entries(r.overrides).map(([k, v]) => [k.slice(0, k.indexOf('.')), k.slice(k.indexOf('.') + 1), v] as [string, string, string]),
      })),
    )
    let values = 0
    let failures = 0
    runs.forEach((run, i) => {
      const py = results[i]!
      const resolver = createFifeResolver(analyseFifeConfig(run.text), run.overrides, { stages: run.stages })
      if (!py.ok) {
        failures++
        expect(resolver.setupError).toMatchObject({ step: py.stage, pythonError: py.error })
        return
      }
      expect(resolver.setupError).toBeNull()
      expect(resolver.keys()).toEqual(py.values.map(([s, k]) => [s, k]))
      for (const [section, key, out] of py.values) {
        const ours = resolver.get(section, key)
        if (out.value !== undefined) expect(ours, `[${section}] ${key}`).toEqual({ ok: true, value: out.value })
        else expect(ours.ok ? 'resolved' : ours.error.pythonError, `[${section}] ${key}`).toBe(out.error)
        values++
      }
    })
    expect(values).toBeGreaterThan(15_000)
    // Corpus stages that really fail (stage_split's non-dotted keys) are part of the comparison.
    expect(failures).toBeGreaterThan(0)
  })
})
