/**
 * What fife_launch would make of a value: its launcher.__init__ (fnal-fife/fife-utils
 * bin/fife_launch @71ac911) replayed on one parsed file: `--stage` overlays (raw, parents first),
 * `-O` overrides, the preset `_nthfile`… globals, then `cfg.get(section, key, vars=[global])`
 * with BasicInterpolation. Used for the job-type editor's preview; errors are returned, not thrown.
 *
 * Not replayed: `includes=` (other files), `[global_eval]` (Python eval), and the renumbering of
 * `[executable] arg_N` that `--arg_push`/`--arg_del` trigger (it only closes numbering gaps).
 */
import { DEFAULT_SECTION } from '../ini/configparser'
import type { IniDocument } from '../ini/ini-document'
import { beforeSetError, interpolate } from './fife-interpolation'

/** fife_launch's preset globals, as its Python string literals evaluate. */
export const FIFE_PRESET_GLOBALS: readonly (readonly [string, string])[] = [
  ['_nthfile', '\\\\\\\\${nthfile}'],
  ['_fname', '\\\\\\\\${fname}'],
  ['_furi', '\\\\\\\\${furi}'],
  ['_uuid', '\\\\\\\\${UUID}'],
  ['_process', '\\${JOBSUBJOBSECTION:-\\$PROCESS}'],
]

export interface FifeResolveOptions {
  /** `--stage` names, in command-line order. */
  stages?: string[]
}

/** Where fife_launch would fail: while applying stages/overrides, expanding [global], or the value itself. */
export type FifeResolveStep = 'stages' | 'overrides' | 'globals' | 'value'

export interface FifeResolveError {
  step: FifeResolveStep
  /** The Python exception fife_launch would die with (InterpolationMissingOptionError, ValueError…). */
  pythonError: string
  message: string
  section: string | null
  key: string | null
  /** For a missing reference, the name. */
  name?: string
}

export type FifeResolution = { ok: true; value: string } | { ok: false; error: FifeResolveError }

export interface FifeResolver {
  /** Set when fife_launch would stop before reading any value. */
  setupError: FifeResolveError | null
  get(section: string, key: string): FifeResolution
  /** Every section/key after stages and overrides, in configparser's items() order. */
  keys(): [string, string][]
}

/**
 * Preview one value. `overrides` are `-O` overrides: `section.key` → value; a key without a dot
 * means `global.key` (what POMS's `-Oglobal.name=` pairs supply).
 */
export function resolveFifeValue(
  source: IniDocument | { document: IniDocument },
  section: string,
  key: string,
  overrides: Record<string, string> = {},
  opts: FifeResolveOptions = {},
): FifeResolution {
  return createFifeResolver(source, overrides, opts).get(section, key)
}

export function createFifeResolver(
  source: IniDocument | { document: IniDocument },
  overrides: Record<string, string> = {},
  opts: FifeResolveOptions = {},
): FifeResolver {
  const doc = 'document' in source ? source.document : source
  const config = new MutableConfig(doc)
  const setupError = setUp(config, overrides, opts.stages ?? [])
  let globals: Map<string, string> | null = null
  let globalsError: FifeResolveError | null = setupError
  if (!setupError) {
    const expanded = expandGlobals(config)
    if (expanded.ok) globals = expanded.globals
    else globalsError = expanded.error
  }

  return {
    setupError: globalsError,
    keys: () => config.keys(),
    get(section, key) {
      if (globalsError || !globals) return { ok: false, error: globalsError! }
      const own = section === DEFAULT_SECTION ? new Map<string, string>() : config.sections.get(section)
      if (!own) return fail('value', 'NoSectionError', `no section [${section}]`, section, key)
      const vars = globals
      const lookup = (name: string): string | undefined => vars.get(name) ?? own.get(name) ?? config.defaults.get(name)
      const raw = lookup(key)
      if (raw === undefined) return fail('value', 'NoOptionError', `no key '${key}' in [${section}]`, section, key)
      const result = interpolate(raw, lookup)
      if (result.ok) return result
      return { ok: false, error: { step: 'value', pythonError: result.error.kind, message: `[${section}] ${key}: ${result.error.message}`, section, key, name: result.error.name } }
    },
  }
}

function fail(step: FifeResolveStep, pythonError: string, message: string, section: string | null, key: string | null): { ok: false; error: FifeResolveError } {
  return { ok: false, error: { step, pythonError, message, section, key } }
}

/** configparser's storage, mutable, as fife_launch edits it. */
class MutableConfig {
  readonly sections = new Map<string, Map<string, string>>()
  readonly defaults = new Map<string, string>()

  constructor(doc: IniDocument) {
    for (const s of doc.sections) this.sections.set(s.name, new Map(s.entries.map((e) => [e.key, e.value])))
    for (const e of doc.defaults?.entries ?? []) this.defaults.set(e.key, e.value)
  }

  hasSection(name: string): boolean {
    return name !== DEFAULT_SECTION && this.sections.has(name)
  }

  /** add_section: ValueError for DEFAULT (callers check existence first). */
  addSection(name: string): string | null {
    if (name === DEFAULT_SECTION) return `Invalid section name: '${name}'`
    this.sections.set(name, new Map())
    return null
  }

  /** ConfigParser.set: before_set validation, then '' or DEFAULT means the defaults. */
  set(section: string, key: string, value: string): { pythonError: string; message: string } | null {
    const invalid = beforeSetError(value)
    if (invalid) return { pythonError: 'ValueError', message: invalid }
    if (!section || section === DEFAULT_SECTION) {
      this.defaults.set(key, value)
      return null
    }
    const target = this.sections.get(section)
    if (!target) return { pythonError: 'NoSectionError', message: `no section [${section}]` }
    target.set(key, value)
    return null
  }

  /** items(section, raw=True): DEFAULT's keys first, then the section's own. */
  items(section: string): [string, string][] {
    const merged = new Map(this.defaults)
    for (const [k, v] of this.sections.get(section) ?? []) merged.set(k, v)
    return [...merged]
  }

  keys(): [string, string][] {
    return [...this.sections.keys()].flatMap((s) => this.items(s).map(([k]) => [s, k] as [string, string]))
  }

  /** get(section, key) without vars, as expand_parents reads `parent`; null where fife's cfg_get gives None. */
  getPlain(section: string, key: string): string | null {
    const own = this.sections.get(section)
    if (!own) return null
    const lookup = (name: string): string | undefined => own.get(name) ?? this.defaults.get(name)
    const raw = lookup(key)
    if (raw === undefined) return null
    const result = interpolate(raw, lookup)
    return result.ok ? result.value : null
  }
}

function setUp(config: MutableConfig, overrides: Record<string, string>, stages: string[]): FifeResolveError | null {
  for (const s of ['global', 'submit', 'executable']) if (!config.hasSection(s)) config.addSection(s)

  const expanded = expandParents(config, stages, [])
  // fife_launch checks has_section(s) with the PREVIOUS key's s (a bug); it starts as 'executable'.
  let previous = 'executable'
  for (const stage of expanded) {
    const tag = `stage_${stage}`
    if (!config.hasSection(tag)) continue
    for (const [k, v] of config.items(tag)) {
      if (k === 'parent') continue
      if (!config.hasSection(previous)) {
        const bad = config.addSection(previous)
        if (bad) return { step: 'stages', pythonError: 'ValueError', message: `[${tag}] ${k}: ${bad}`, section: tag, key: k }
      }
      const dot = k.indexOf('.')
      if (dot < 0) {
        return { step: 'stages', pythonError: 'ValueError', message: `[${tag}] ${k}: stage keys must be written section.key`, section: tag, key: k }
      }
      const target = k.slice(0, dot)
      const problem = config.set(target, k.slice(dot + 1), v)
      if (problem) return { step: 'stages', pythonError: problem.pythonError, message: `[${tag}] ${k}: ${problem.message}`, section: tag, key: k }
      previous = target
    }
  }

  for (const [spec, value] of Object.entries(overrides)) {
    const dot = spec.indexOf('.')
    const section = dot < 0 ? 'global' : spec.slice(0, dot)
    const key = dot < 0 ? spec : spec.slice(dot + 1)
    if (!config.hasSection(section)) {
      const bad = config.addSection(section)
      if (bad) return { step: 'overrides', pythonError: 'ValueError', message: `-O${section}.${key}: ${bad}`, section, key }
    }
    const problem = config.set(section, key, value)
    if (problem) return { step: 'overrides', pythonError: problem.pythonError, message: `-O${section}.${key}=${value}: ${problem.message}`, section, key }
  }

  for (const [k, v] of FIFE_PRESET_GLOBALS) config.set('global', k, v)
  return null
}

/**
 * expand_parents: each stage's `parent = a,b` (split on ',' only, not trimmed) comes first. A
 * parent loop does not crash fife_launch: the RecursionError is raised inside its cfg_get, whose
 * bare `except:` turns it into "no parent", so the loop is applied a few hundred times over. Cutting
 * the loop where it closes leaves the same stages last, in the same order, hence the same result.
 */
function expandParents(config: MutableConfig, stages: string[], path: string[]): string[] {
  const out: string[] = []
  for (const stage of stages) {
    const parent = path.includes(stage) ? null : config.getPlain(`stage_${stage}`, 'parent')
    if (parent) out.push(...expandParents(config, parent.split(','), [...path, stage]))
    out.push(stage)
  }
  return out
}

/** cfg_globals = dict(cfg.items('global')): every [global] value expanded once, in order. */
function expandGlobals(config: MutableConfig): { ok: true; globals: Map<string, string> } | { ok: false; error: FifeResolveError } {
  const d = new Map(config.items('global'))
  const globals = new Map<string, string>()
  for (const [key, raw] of d) {
    const result = interpolate(raw, (name) => d.get(name))
    if (!result.ok) {
      return {
        ok: false,
        error: {
          step: 'globals',
          pythonError: result.error.kind,
          message: `[global] ${key}: ${result.error.message} (fife_launch expands all of [global] before anything else)`,
          section: 'global',
          key,
          name: result.error.name,
        },
      }
    }
    globals.set(key, result.value)
  }
  return { ok: true, globals }
}
