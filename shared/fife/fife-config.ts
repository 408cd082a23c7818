/**
 * A fife_launch `.cfg` as fife_launch reads it (campaign-ini-syntax.md §2, protocols.md §7):
 * configparser with case-sensitive keys, strict, lines read from a file (universal newlines), and
 * BasicInterpolation with `[global]` as vars — which this module never applies at parse time
 * (`%(name)s` is often supplied later by `-Oglobal.name=`); see resolveFifeValue for a preview.
 */
import { parseIni, parseIniLenient, sectionItems, type IniItem } from '../ini/configparser'
import { type IniDocument, type IniParseOptions, type IniProblem, IniSyntaxError } from '../ini/ini-document'
import { splitLines } from '../ini/python-text'
import { type FifeSectionRole, foldRepeatedKey, SHELL_JOB_SETUP_KEYS, sectionRole } from './fife-sections'
import { findTraps } from './fife-traps'

export const FIFE_PARSE_OPTIONS: IniParseOptions = { lowercaseKeys: false, strict: true, lineEndings: 'universal' }

export interface FifeValue {
  key: string
  value: string
  line: number
  /** Supplied by `[DEFAULT]` rather than written in the section. */
  fromDefaults: boolean
}

export interface FifeOption extends FifeValue {
  /** The option fife_launch builds from the key (`e_2` → `e`, `dest` in `[job_output_3]` → `dest3`); null when it passes none. */
  option: string | null
}

export interface FifeSubmitOption extends FifeOption {
  /** `-k value` for one-letter keys, `--k` for the value `True`, else `--k=value`; n_files_per_job computes `-N` instead. */
  form: 'short' | 'flag' | 'long' | 'computes-N'
}

export interface FifeEnvPass extends FifeValue {
  /** Keys containing `POMS` are collected with the POMS_* environment and passed the same way. */
  poms: boolean
}

export interface FifeJobOutput {
  section: string
  index: number
  line: number
  options: FifeOption[]
}

export interface FifeExecutable {
  section: string
  index: number
  line: number
  name: FifeValue | null
  /** `arg_*` keys in the order fife_launch emits them: file order, not numeric order. */
  args: FifeValue[]
  /** Everything else (`apptainer`, `exe_stdout`, `exe_stderr`, stray keys). */
  other: FifeValue[]
}

export interface FifeStageOverlay {
  key: string
  /** `section.key` split at the first dot; null when the key has no dot (fife_launch fails on it). */
  target: { section: string; key: string } | null
  value: string
  line: number
}

export interface FifeStage {
  /** The `--stage` name: the section name after `stage_`. */
  name: string
  section: string
  line: number
  /** `parent = a,b` split on ',' exactly as fife_launch does (no trimming). */
  parents: string[]
  overlays: FifeStageOverlay[]
}

export type FifeTrapCode =
  | 'DUPLICATE_SECTION'
  | 'DUPLICATE_OPTION'
  | 'MISSING_SECTION_HEADER'
  | 'PARSING_ERROR'
  | 'NOT_UTF8'
  | 'INLINE_COMMENT'
  | 'KEYLESS_LINE'
  | 'GLOBAL_SHADOWS_KEY'
  | 'UNRESOLVED_VARIABLE'
  | 'BAD_INTERPOLATION'
  | 'INTERPOLATION_DEPTH'
  | 'STAGE_KEY_NOT_DOTTED'
  | 'STAGE_TARGET_MISSING'
  | 'STAGE_PARENT_MISSING'
  | 'STAGE_PARENT_LOOP'
  | 'HEADER_TRAILING_TEXT'
  | 'TEMPLATE_PLACEHOLDER'
  | 'DOUBLED_DELIMITER'
  | 'UNUSED_SECTION'
  | 'ARGS_OUT_OF_ORDER'

export interface FifeTrap {
  code: FifeTrapCode
  message: string
  line: number
  column: number
  section: string | null
  key: string | null
  severity: 'error' | 'warning'
}

export interface FifeSectionInfo {
  name: string
  line: number
  role: FifeSectionRole
}

export interface FifeConfigAnalysis {
  /** The strict parse, or — when that fails — the lenient one (last value wins, bad lines skipped). */
  document: IniDocument
  /** Why a py3 fife_launch would reject the file outright; also listed in `traps`. */
  parseError: IniSyntaxError | null
  sections: FifeSectionInfo[]
  globals: FifeValue[]
  /** `[global] includes`, split on spaces as fife_launch does (raw: may hold `%(x)s`). */
  includes: string[]
  envPass: FifeEnvPass[]
  submit: FifeSubmitOption[]
  jobSetup: FifeOption[]
  samConsumer: FifeValue[]
  dataDispatcher: FifeValue[]
  /** In fife_launch's order: `[job_output]`, `[job_output_1]`…, only those it reads. */
  jobOutputs: FifeJobOutput[]
  /** In fife_launch's order: `[executable]`, `[executable_1]`… by number. */
  executables: FifeExecutable[]
  stages: FifeStage[]
  /** `script`, `script_1`… up to the first missing or empty one, where fife_launch stops. */
  prelaunch: FifeValue[]
  /** `%(name)s` names nothing in the file defines for where they are used: they must come from `-Oglobal.name=`, includes or a stage. */
  externalVariables: string[]
  traps: FifeTrap[]
}

export function analyseFifeConfig(text: string): FifeConfigAnalysis {
  let doc: IniDocument
  let parseError: IniSyntaxError | null = null
  let parseProblems: IniProblem[] = []
  try {
    doc = parseIni(text, FIFE_PARSE_OPTIONS)
  } catch (error) {
    if (!(error instanceof IniSyntaxError)) throw error
    parseError = error
    const lenient = parseIniLenient(text, FIFE_PARSE_OPTIONS)
    doc = lenient.document
    parseProblems = lenient.problems
  }

  const present = new Set(doc.sections.map((s) => s.name))
  const sections = doc.sections.map((s) => ({ name: s.name, line: s.line, role: sectionRole(s.name, present) }))
  const items = (name: string): IniItem[] => sectionItems(doc, name) ?? []
  const ofKind = (kind: FifeSectionRole['kind']): FifeSectionInfo[] => sections.filter((s) => s.role.kind === kind)
  const itemsOf = (kind: FifeSectionRole['kind']): IniItem[] => ofKind(kind).flatMap((s) => items(s.name))

  const globals = itemsOf('global').map(toValue)
  const includesValue = globals.find((g) => g.key === 'includes')?.value ?? ''

  const analysis: FifeConfigAnalysis = {
    document: doc,
    parseError,
    sections,
    globals,
    includes: includesValue.split(' ').filter((f) => f !== ''),
    envPass: itemsOf('env_pass').map((item) => ({ ...toValue(item), poms: item.key.includes('POMS') })),
    submit: submitOptions(itemsOf('submit')),
    jobSetup: itemsOf('job_setup').map((item) => ({ ...toValue(item), option: jobSetupOption(item) })),
    samConsumer: itemsOf('sam_consumer').map(toValue),
    dataDispatcher: itemsOf('data_dispatcher').map(toValue),
    jobOutputs: byIndex(ofKind('job_output')).map((s) => ({
      section: s.name,
      index: s.role.index!,
      line: s.line,
      options: items(s.name).map((item) => ({
        ...toValue(item),
        // launch_dest_check only steers the pre-launch mkdir; it is not passed on.
        option: foldRepeatedKey(item.key) === 'launch_dest_check' ? null : foldRepeatedKey(item.key) + (s.role.index ? String(s.role.index) : ''),
      })),
    })),
    executables: byIndex(ofKind('executable')).map((s) => executable(s, items(s.name))),
    stages: ofKind('stage').map((s) => stage(s, items(s.name))),
    prelaunch: prelaunchScripts(itemsOf('prelaunch')),
    externalVariables: [],
    traps: [],
  }
  const found = findTraps(analysis, splitLines(text, 'universal'), parseProblems)
  analysis.traps = found.traps
  analysis.externalVariables = found.externalVariables
  return analysis
}

function toValue(item: IniItem): FifeValue {
  return { key: item.key, value: item.value, line: item.entry.line, fromDefaults: item.fromDefaults }
}

function byIndex(sections: FifeSectionInfo[]): FifeSectionInfo[] {
  return [...sections].sort((a, b) => a.role.index! - b.role.index!)
}

function submitOptions(items: IniItem[]): FifeSubmitOption[] {
  const hasDefinition = items.some((i) => i.key === 'dataset_definition')
  return items.map((item) => {
    if (item.key === 'n_files_per_job') return { ...toValue(item), option: null, form: 'computes-N' as const }
    let option = foldRepeatedKey(item.key)
    // fife_launch's backwards-compatibility alias.
    if (item.key === 'dataset' && !hasDefinition) option = 'dataset_definition'
    const form = option.length === 1 ? 'short' : item.value === 'True' ? 'flag' : 'long'
    return { ...toValue(item), option, form }
  })
}

function jobSetupOption(item: IniItem): string {
  const option = foldRepeatedKey(item.key)
  // Shell snippets are URL-quoted and passed as --X-unquote to keep their order.
  return SHELL_JOB_SETUP_KEYS.has(option) && item.value ? `${option}-unquote` : option
}

function executable(section: FifeSectionInfo, items: IniItem[]): FifeExecutable {
  const nameItem = items.find((i) => i.key === 'name')
  return {
    section: section.name,
    index: section.role.index!,
    line: section.line,
    name: nameItem ? toValue(nameItem) : null,
    args: items.filter((i) => i.key.startsWith('arg_')).map(toValue),
    other: items.filter((i) => i.key !== 'name' && !i.key.startsWith('arg_')).map(toValue),
  }
}

function stage(section: FifeSectionInfo, items: IniItem[]): FifeStage {
  const parent = items.find((i) => i.key === 'parent')?.value ?? ''
  return {
    name: section.name.slice('stage_'.length),
    section: section.name,
    line: section.line,
    parents: parent ? parent.split(',') : [],
    overlays: items
      .filter((i) => i.key !== 'parent')
      .map((i) => {
        const dot = i.key.indexOf('.')
        return {
          key: i.key,
          target: dot < 0 ? null : { section: i.key.slice(0, dot), key: i.key.slice(dot + 1) },
          value: i.value,
          line: i.entry.line,
        }
      }),
  }
}

function prelaunchScripts(items: IniItem[]): FifeValue[] {
  const out: FifeValue[] = []
  for (let i = 0; i < 100; i++) {
    const item = items.find((it) => it.key === (i === 0 ? 'script' : `script_${i}`))
    if (!item || !item.value) break
    out.push(toValue(item))
  }
  return out
}
