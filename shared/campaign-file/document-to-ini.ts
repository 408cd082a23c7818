/**
 * Export a CampaignDocument as a POMS campaign `.ini` in the shape POMS's own exporter writes
 * (`CampaignsPOMS.campaign_deps_ini`, campaign-ini-syntax.md §1.8), so POMS can import it and
 * iniToCampaignDocument reads back the same document (see normaliseForIni for what cannot survive).
 *
 * Decisions:
 * - campaign_keywords is written in [campaign_defaults], the only place POMS's importer reads it, and
 *   also in [campaign], where POMS's exporter puts it and its workflow editor looks for it. The two
 *   copies are identical, so our importer says nothing about them.
 * - Things POMS's format has no key for are written as extra keys POMS ignores: `campaign_type` and
 *   `tags` in [campaign], `test_split_type` in stages, `active = False` for inactive job types and
 *   login setups, `backend`/`port`/`host_timezone` for login setups that are not POMS's
 *   jobsub_lite/22/America/Chicago, and `auth_method`/`key_file` when SSH does not use the agent.
 * - Section names cannot contain `]` (ini-writer refuses them); such a document throws IniWriteError.
 */
import type { CampaignDocument, DocDefaults, DocDependency, DocStage } from '../domain/campaign-document'
import type { ParamPair } from '../domain/common'
import { writeIni, type IniWriteSection } from '../ini/ini-writer'
import { pyStrip } from '../ini/python-text'
import { BASE_VARIABLES, modernisePlaceholders } from './percent-syntax'
import {
  ALWAYS_WRITTEN_STAGE_KEYS,
  DEFAULTS_KEY_ORDER,
  KEY_TO_FIELD,
  POMS_LOGIN_BACKEND,
  POMS_LOGIN_PORT,
  POMS_LOGIN_TIMEZONE,
  STAGE_KEY_ORDER,
  type SettingField,
} from './poms-keys'
import { stripText, toPatternList } from './ini-values'
import { pythonJsonDumps } from './python-json'

export interface IniExportOptions {
  /** Written as `[campaign] experiment` (POMS's importer ignores it; people read it). */
  experiment?: string
  /** Written as `[campaign] poms_role`. */
  role?: string
}

export function campaignDocumentToIni(doc: CampaignDocument, opts: IniExportOptions = {}): string {
  const sections: IniWriteSection[] = [campaignSection(doc, opts)]
  const defaults = defaultsSection(doc)
  if (defaults) sections.push(defaults)
  const positions = Object.entries(doc.layout)
  if (positions.length > 0) {
    sections.push({
      name: 'node_positions',
      entries: positions.map(([name, { x, y }], n) => ({ key: `nxy${n}`, value: pythonJsonDumps([name, noNegativeZero(x), noNegativeZero(y)]) })),
    })
  }
  for (const stage of doc.stages) sections.push(stageSection(stage, doc.defaults))
  for (const setup of doc.loginSetups) {
    const entries = [
      { key: 'host', value: iniSafeText(setup.host) },
      { key: 'account', value: iniSafeText(setup.account) },
      { key: 'setup', value: iniSafeText(pomsSetupLine(setup.setup)) },
    ]
    if (setup.backend !== POMS_LOGIN_BACKEND) entries.push({ key: 'backend', value: setup.backend })
    if (setup.port !== POMS_LOGIN_PORT) entries.push({ key: 'port', value: String(setup.port) })
    if (setup.hostTimezone !== POMS_LOGIN_TIMEZONE) entries.push({ key: 'host_timezone', value: iniSafeText(setup.hostTimezone) })
    if (setup.authMethod !== 'agent') entries.push({ key: 'auth_method', value: setup.authMethod })
    if (setup.keyFile !== '') entries.push({ key: 'key_file', value: iniSafeText(setup.keyFile) })
    if (!setup.active) entries.push({ key: 'active', value: 'False' })
    sections.push({ name: `login_setup ${setup.name}`, entries })
  }
  for (const jobType of doc.jobTypes) {
    const entries = [
      { key: 'launch_script', value: iniSafeText(jobType.launchScript) },
      { key: 'parameters', value: pythonJsonDumps(jobType.definitionParameters) },
      { key: 'output_file_patterns', value: iniSafeText(jobType.outputFilePatterns.join(',')) },
      { key: 'recoveries', value: pythonJsonDumps(jobType.recoveryPlan.map((step) => [step.type, step.paramOverrides])) },
    ]
    if (!jobType.active) entries.push({ key: 'active', value: 'False' })
    sections.push({ name: `job_type ${jobType.name}`, entries })
  }
  for (const [to, edges] of groupByConsumer(doc.dependencies)) {
    sections.push({
      name: `dependencies ${to}`,
      entries: edges.flatMap((edge, i) => [
        { key: `campaign_stage_${i + 1}`, value: iniSafeText(edge.from) },
        { key: `file_pattern_${i + 1}`, value: iniSafeText(edge.filePatterns) },
      ]),
    })
  }
  return writeIni(sections)
}

function campaignSection(doc: CampaignDocument, opts: IniExportOptions): IniWriteSection {
  const entries: { key: string; value: string }[] = []
  if (opts.experiment) entries.push({ key: 'experiment', value: iniSafeText(opts.experiment) })
  if (opts.role) entries.push({ key: 'poms_role', value: iniSafeText(opts.role) })
  entries.push({ key: 'name', value: iniSafeText(doc.name) })
  entries.push({ key: 'state', value: doc.active ? 'Active' : 'Inactive' })
  entries.push({ key: 'campaign_keywords', value: pythonJsonDumps(doc.keywords) })
  entries.push({ key: 'campaign_stage_list', value: iniSafeText(doc.stages.map((s) => s.name).join(',')) })
  if (doc.campaignType !== 'regular') entries.push({ key: 'campaign_type', value: doc.campaignType })
  if (doc.tags.length > 0) entries.push({ key: 'tags', value: pythonJsonDumps(doc.tags) })
  return { name: 'campaign', entries }
}

function defaultsSection(doc: CampaignDocument): IniWriteSection | null {
  const entries: { key: string; value: string }[] = []
  for (const key of DEFAULTS_KEY_ORDER) {
    const field = KEY_TO_FIELD[key]
    const value = doc.defaults[field]
    if (value === undefined) continue
    entries.push({ key, value: formatSetting(field, value) })
  }
  if (Object.keys(doc.keywords).length > 0) entries.push({ key: 'campaign_keywords', value: pythonJsonDumps(doc.keywords) })
  return entries.length > 0 ? { name: 'campaign_defaults', entries } : null
}

/**
 * What a stage setting falls back to when its key is absent from both the stage section and the
 * defaults (save_campaign's pop defaults); required keys have none and are always written.
 */
const ABSENT_MEANS: Partial<Record<SettingField, unknown>> = {
  splitType: null,
  testSplitType: null,
  paramOverrides: [],
  testParamOverrides: [],
  outputAncestorDepth: 1,
}

function stageSection(stage: DocStage, defaults: DocDefaults): IniWriteSection {
  const entries: { key: string; value: string }[] = []
  for (const key of STAGE_KEY_ORDER) {
    const field = KEY_TO_FIELD[key]
    const value = stage[field]
    const fallback = defaults[field] !== undefined ? defaults[field] : field in ABSENT_MEANS ? ABSENT_MEANS[field] : undefined
    if (!ALWAYS_WRITTEN_STAGE_KEYS.has(key) && fallback !== undefined && sameValue(value, fallback)) continue
    entries.push({ key, value: formatSetting(field, value) })
  }
  return { name: `campaign_stage ${stage.name}`, entries }
}

function formatSetting(field: SettingField, value: unknown): string {
  switch (field) {
    case 'splitType':
    case 'testSplitType': {
      // Never an empty value: that would fall back to the campaign default instead of "no split".
      const spec = value === null ? '' : iniSafeText(String(value))
      return spec === '' ? 'None' : spec
    }
    case 'jobType':
    case 'loginSetup':
      return value === null ? '' : iniSafeText(String(value))
    case 'paramOverrides':
    case 'testParamOverrides':
      return pythonJsonDumps(value as ParamPair[])
    case 'mergeOverrides':
    case 'defaultClearCronjob':
      return value ? 'True' : 'False'
    case 'completionPct':
    case 'outputAncestorDepth':
      return String(value)
    default:
      return iniSafeText(String(value))
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** Dependencies grouped under their consuming stage, groups in order of first appearance. */
function groupByConsumer(dependencies: readonly DocDependency[]): Map<string, DocDependency[]> {
  const groups = new Map<string, DocDependency[]>()
  for (const dep of dependencies) {
    const group = groups.get(dep.to)
    if (group) group.push(dep)
    else groups.set(dep.to, [dep])
  }
  return groups
}

/** POMS's exporter turns CR/LF in a login setup's shell text into `;` so it fits on one line. */
export function pomsSetupLine(setup: string): string {
  return setup.replace(/\r/g, ';').replace(/\n/g, ';').replace(/;;/g, ';').replace(/;;/g, ';')
}

const noNegativeZero = (n: number) => (Object.is(n, -0) ? 0 : n)

/**
 * A text value as an INI file can hold it — and as configparser reads it back: every line
 * stripped, CR/CRLF as LF, no blank last lines, and a continuation line never starting with `#` or
 * `;` (it would be read as a comment), so such a line joins the line before it.
 */
export function iniSafeText(value: string): string {
  const out: string[] = []
  for (const [i, raw] of value.replace(/\r\n?/g, '\n').split('\n').entries()) {
    const line = pyStrip(raw)
    if (i > 0 && (line.startsWith('#') || line.startsWith(';'))) {
      while (out.length > 1 && out[out.length - 1] === '') out.pop()
      out[out.length - 1] = pyStrip(`${out[out.length - 1]} ${line}`)
      continue
    }
    out.push(line)
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop()
  return out.join('\n')
}

/**
 * The document exactly as iniToCampaignDocument(campaignDocumentToIni(doc)) returns it. The
 * differences are the normalisations a POMS file imposes:
 * - stage ids are dropped (files carry names only);
 * - text is what INI can hold (iniSafeText: lines stripped …); login setup text is one line (`;`);
 * - a stage's empty dataset / software version / VO role, or missing job type / login setup, takes
 *   the campaign default when there is one: POMS falls back on empty values, so "empty" cannot be
 *   written over a non-empty default;
 * - POMS ≤ v4.0 `%{word}` placeholders in launch values read back as `%(word)s`;
 * - dependencies are grouped by consuming stage, an empty or `None` file pattern reads as `%`, a
 *   repeated (from, to) pair keeps its first entry, and edges naming no stage of the document are dropped;
 * - output file patterns are re-split on commas; a layout position of -0 reads back as 0.
 */
export function normaliseForIni(doc: CampaignDocument): CampaignDocument {
  const known = new Set<string>([...BASE_VARIABLES, ...Object.keys(doc.keywords)])
  const legacy = (text: string) => modernisePlaceholders(text, known).text
  const text = (value: string) => legacy(iniSafeText(value))
  const pairs = (list: readonly ParamPair[]): ParamPair[] => list.map(([k, v]) => [legacy(k), legacy(v)])
  const setting = (field: SettingField, value: unknown): unknown => {
    switch (field) {
      case 'splitType':
      case 'testSplitType': {
        if (value === null) return null
        const t = stripText(text(String(value)))
        return t === '' || t.toLowerCase() === 'none' ? null : t
      }
      case 'jobType':
      case 'loginSetup':
        return value === null ? null : stripText(text(String(value))) || null
      case 'voRole':
      case 'softwareVersion':
        return stripText(text(String(value)))
      case 'dataset':
        return text(String(value))
      case 'paramOverrides':
      case 'testParamOverrides':
        return pairs(value as ParamPair[])
      default:
        return value
    }
  }
  const defaults: Record<string, unknown> = {}
  for (const [field, value] of Object.entries(doc.defaults)) {
    if (value !== undefined) defaults[field] = setting(field as SettingField, value)
  }
  const stageNames = new Set(doc.stages.map((s) => stripText(s.name)))
  const stages = doc.stages.map((stage) => {
    const { id: _id, ...rest } = stage
    const out: Record<string, unknown> = { ...rest, name: stripText(stage.name) }
    for (const field of Object.values(KEY_TO_FIELD)) {
      let value = setting(field, stage[field])
      const fallback = defaults[field]
      if ((value === '' || value === null) && FALLS_BACK.has(field) && fallback !== undefined && fallback !== '' && fallback !== null) value = fallback
      out[field] = value
    }
    return out as DocStage
  })
  const seen = new Set<string>()
  const dependencies: DocDependency[] = []
  for (const group of groupByConsumer(doc.dependencies).values()) {
    for (const dep of group) {
      const [from, to] = [stripText(dep.from), stripText(dep.to)]
      const id = `${from}\u0000${to}`
      if (seen.has(id) || !stageNames.has(from) || !stageNames.has(to)) continue
      seen.add(id)
      const patterns = stripText(iniSafeText(dep.filePatterns))
      dependencies.push({ from, to, filePatterns: patterns === '' || patterns === 'None' ? '%' : patterns })
    }
  }
  return {
    ...doc,
    name: stripText(doc.name),
    defaults: defaults as DocDefaults,
    stages,
    dependencies,
    jobTypes: doc.jobTypes.map((jt) => ({
      ...jt,
      name: stripText(jt.name),
      launchScript: stripText(text(jt.launchScript)),
      definitionParameters: pairs(jt.definitionParameters),
      outputFilePatterns: toPatternList(iniSafeText(jt.outputFilePatterns.join(','))),
      recoveryPlan: jt.recoveryPlan.map((step) => ({ ...step, paramOverrides: pairs(step.paramOverrides) })),
    })),
    loginSetups: doc.loginSetups.map((ls) => ({
      ...ls,
      name: stripText(ls.name),
      host: stripText(text(ls.host)),
      account: stripText(text(ls.account)),
      setup: text(pomsSetupLine(ls.setup)),
      hostTimezone: stripText(iniSafeText(ls.hostTimezone)),
      keyFile: stripText(iniSafeText(ls.keyFile)),
    })),
    layout: Object.fromEntries(Object.entries(doc.layout).map(([k, { x, y }]) => [k, { x: noNegativeZero(x), y: noNegativeZero(y) }])),
  }
}

/** Stage fields whose empty value is written as an empty INI value, which POMS replaces by the default. */
const FALLS_BACK: ReadonlySet<SettingField> = new Set(['voRole', 'softwareVersion', 'dataset', 'jobType', 'loginSetup'])
