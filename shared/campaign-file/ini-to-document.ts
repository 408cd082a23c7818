/**
 * Import a POMS campaign `.ini` file into a CampaignDocument with POMS's own semantics
 * (`poms_service.ini_to_campaign` + `CampaignsPOMS.save_campaign`, campaign-ini-syntax.md §1.3–1.5),
 * reporting every trap POMS falls into silently as a warning with its line, and importing files
 * POMS crashes on (500) when their intent is clear (the 2018 dialect, missing patterns, …).
 */
import {
  CampaignDocument,
  type DocDefaults,
  type DocDependency,
  type DocJobType,
  type DocLoginSetup,
  type DocStage,
  type Finding,
} from '../domain/campaign-document'
import { BACKENDS } from '../domain/login-setup'
import { parseIni, parseIniLenient } from '../ini/configparser'
import { IniSyntaxError, type IniDocument, type IniEntry, type IniParseOptions, type IniProblem, type IniSection } from '../ini/ini-document'
import { ImportContext, sectionItems, type IgnoredItem, type Located, type Where } from './ini-import-context'
import { sortSections, type NamedSection, type PomsSections } from './ini-sections'
import {
  toActive,
  toAncestorDepth,
  toClearCronjob,
  toCompletionPct,
  toCompletionType,
  toKeywords,
  toMergeOverrides,
  toNameRef,
  toParamPairs,
  toPatternList,
  toRecoveryPlan,
  toStageType,
  stripText,
  decodeJson,
  type Converted,
} from './ini-values'
import { BASE_VARIABLES, modernisePlaceholders, percentIssues } from './percent-syntax'
import {
  CAMPAIGN_KEY_WHY,
  DATA_DISPATCHER_KEY,
  DATA_DISPATCHER_WHY,
  KEY_TO_FIELD,
  KNOWN_IGNORED_STAGE_KEYS,
  LEGACY_STAGE_KEYS,
  POMS_LOGIN_BACKEND,
  POMS_LOGIN_PORT,
  POMS_LOGIN_TIMEZONE,
  REQUIRED_STAGE_KEYS,
  type SettingField,
  type StageKey,
} from './poms-keys'

export interface IniImportOutcome {
  /** The campaign, or null when the file has errors. Always passes CampaignDocument.parse. */
  document: CampaignDocument | null
  warnings: Finding[]
  errors: Finding[]
  ignored: IgnoredItem[]
  /** Names of the `[job_type X]` / `[login_setup X]` sections, in file order. */
  definesJobTypes: string[]
  definesLoginSetups: string[]
  /**
   * Every name a stage uses (after falling back to [campaign_defaults]), defined here or not, in order
   * of first use: what POMS resolves in the experiment. A default no stage uses is not among them.
   */
  referencesJobTypes: string[]
  referencesLoginSetups: string[]
}

export interface IniImportOptions {
  /** The file's name, for callers' bookkeeping; findings themselves carry lines, and the report the file. */
  fileName?: string
  /** Parse like Python 2's configparser: duplicates keep the last value and become warnings. */
  lenient?: boolean
}

export function iniToCampaignDocument(text: string, opts: IniImportOptions = {}): IniImportOutcome {
  const ctx = new ImportContext(text)
  const ini = parseFile(text, opts.lenient ?? false, ctx)
  if (!ini) return outcome(ctx, null, emptyNames())
  return new CampaignIniImporter(ini, ctx).run()
}

interface Names {
  definesJobTypes: string[]
  definesLoginSetups: string[]
  referencesJobTypes: string[]
  referencesLoginSetups: string[]
}

const emptyNames = (): Names => ({ definesJobTypes: [], definesLoginSetups: [], referencesJobTypes: [], referencesLoginSetups: [] })

function outcome(ctx: ImportContext, document: CampaignDocument | null, names: Names): IniImportOutcome {
  const byLine = (a: Finding, b: Finding) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0)
  return {
    document: ctx.errors.length > 0 ? null : document,
    warnings: [...ctx.warnings].sort(byLine),
    errors: [...ctx.errors].sort(byLine),
    ignored: ctx.ignored,
    ...names,
  }
}

function parseFile(text: string, lenient: boolean, ctx: ImportContext): IniDocument | null {
  // POMS: ConfigParser(interpolation=None), strict; keys lower-cased, section names as written.
  const options: IniParseOptions = { lowercaseKeys: true, strict: !lenient }
  const where = (p: IniProblem) => ({ line: p.line, column: p.column, section: p.section ?? null, key: p.key ?? null })
  try {
    if (!lenient) return parseIni(text, options)
    const { document, problems } = parseIniLenient(text, options)
    for (const p of problems) ctx.warn(iniCode(p.code), `${p.message} (POMS rejects the file: 400 Bad file format)`, where(p))
    return document
  } catch (err) {
    if (!(err instanceof IniSyntaxError)) throw err
    // configparser stops at the first duplicate; list every problem so one round of fixes suffices.
    const all = parseIniLenient(text, options).problems
    const problems = all.length > 0 ? all : err.problems
    for (const p of problems) ctx.error(iniCode(p.code), `${p.message} — POMS rejects the file (400 Bad file format)`, where(p))
    return null
  }
}

const iniCode = (code: string) => `ini-${code.toLowerCase().replace(/_/g, '-')}`

/**
 * How POMS %-formats a value at launch (§1.6), which decides what `%` problems to report:
 * 'command' — the launch command, with keywords and the base variables; 'login' — the login setup,
 * base variables only; 'data' — dataset and version, keywords only and only when they hold `%(`;
 * 'none' — not formatted.
 */
type Formatting = 'command' | 'login' | 'data' | 'none'
const SETTING_FORMATTING: Partial<Record<SettingField, Formatting>> = {
  dataset: 'data',
  softwareVersion: 'data',
  paramOverrides: 'command',
  testParamOverrides: 'command',
}
/** Plain-text fields where a ` #` is worth a warning (JSON fields report it when they fail to parse). */
const TEXT_FIELDS: ReadonlySet<SettingField> = new Set(['voRole', 'softwareVersion', 'dataset', 'splitType', 'testSplitType', 'jobType', 'loginSetup'])
/** Typed fields for which an empty `[campaign_defaults]` value means "no default". */
const TYPED_FIELDS: ReadonlySet<SettingField> = new Set([
  'completionPct',
  'completionType',
  'mergeOverrides',
  'defaultClearCronjob',
  'stageType',
  'outputAncestorDepth',
])

/** What `save_campaign` uses when an optional key is absent from both stage and defaults. */
const OPTIONAL_DEFAULTS: Partial<Record<SettingField, unknown>> = {
  splitType: null,
  testSplitType: null,
  paramOverrides: [],
  testParamOverrides: [],
  mergeOverrides: false,
  defaultClearCronjob: true,
  outputAncestorDepth: 1,
  stageType: 'regular',
}

type Setting = { ok: true; value: unknown } | { ok: false }

class CampaignIniImporter {
  private readonly sections: PomsSections
  private readonly settingCache = new Map<IniEntry, Setting>()
  private readonly textCache = new Map<IniEntry, string>()
  private known = new Set<string>(BASE_VARIABLES)
  private readonly jobTypeRefs = new Map<string, Where>()
  private readonly loginSetupRefs = new Map<string, Where>()
  /** Names [campaign_defaults] gives; POMS resolves them only through stages that fall back to them. */
  private readonly defaultRefs = { jobType: new Map<string, Where>(), loginSetup: new Map<string, Where>() }
  private defaultsItems = new Map<string, Located>()
  private readonly legacyWarned = new Set<IniEntry>()

  constructor(
    private readonly ini: IniDocument,
    private readonly ctx: ImportContext,
  ) {
    this.sections = sortSections(ini)
  }

  run(): IniImportOutcome {
    const ctx = this.ctx
    for (const other of this.sections.others) ctx.ignore(`[${other.section.name}]`, other.why, other.section.line)

    const campaignSection = this.sections.campaign
    if (!campaignSection) {
      const near = this.sections.others.find((o) => o.section.name.trim().toLowerCase() === 'campaign')
      const hint = near ? ` ([${near.section.name}] is not it: section names are case-sensitive)` : ''
      const fragment = this.sections.defaults && this.sections.stages.length === 0 ? '; this looks like a fragment meant to be combined with another file' : ''
      ctx.error('no-campaign-section', `no [campaign] section${hint}${fragment} — POMS rejects the file (400)`, { line: near?.section.line ?? 1 })
      return outcome(ctx, null, this.names())
    }
    const campaignItems = sectionItems(this.ini, campaignSection)
    const name = this.campaignName(campaignSection, campaignItems)
    const keywords = this.keywords(campaignItems)
    this.known = new Set([...BASE_VARIABLES, ...Object.keys(keywords)])
    const campaignExtras = this.campaignKeys(campaignItems)

    this.defaultsItems = this.sections.defaults ? this.withLegacyKeys(this.sections.defaults) : new Map()
    const defaults = this.defaults()
    if (this.sections.stages.length === 0) {
      ctx.error('no-stages', 'no [campaign_stage NAME] section: a campaign needs at least one stage — POMS rejects the file (400)', {
        line: campaignSection.line,
        section: 'campaign',
      })
    }
    const stages = this.sections.stages.map((s, i) => this.stage(s, i))
    this.checkUniqueNames(this.sections.stages, 'stage', 'stages')
    const stageNames = new Set(this.sections.stages.map((s) => s.name))
    const dependencies = this.dependencies(stageNames)
    const jobTypes = this.jobTypes()
    const loginSetups = this.loginSetups()
    const layout = this.layout()
    this.checkReferences('job type', this.jobTypeRefs, this.defaultRefs.jobType, this.sections.jobTypes)
    this.checkReferences('login setup', this.loginSetupRefs, this.defaultRefs.loginSetup, [...this.sections.loginSetups, ...this.sections.launchTemplates])
    this.checkStageList(campaignItems.get('campaign_stage_list'))

    if (ctx.errors.length > 0) return outcome(ctx, null, this.names())
    const candidate = { name, ...campaignExtras, keywords, defaults, stages, dependencies, jobTypes, loginSetups, layout }
    const parsed = CampaignDocument.safeParse(candidate)
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.map(String).join('.')
        ctx.error('invalid-value', `${path}: ${issue.message}`, ctx.whereIs(path))
      }
      return outcome(ctx, null, this.names())
    }
    return outcome(ctx, parsed.data, this.names())
  }

  private names(): Names {
    return {
      definesJobTypes: this.sections.jobTypes.map((s) => s.name),
      definesLoginSetups: [...this.sections.loginSetups, ...this.sections.launchTemplates.filter((t) => !this.sections.loginSetups.some((l) => l.name === t.name))].map((s) => s.name),
      referencesJobTypes: [...this.jobTypeRefs.keys()],
      referencesLoginSetups: [...this.loginSetupRefs.keys()],
    }
  }

  // ---- [campaign] ------------------------------------------------------------------------------

  private campaignName(section: IniSection, items: Map<string, Located>): string {
    const ctx = this.ctx
    const name = items.get('name')
    const tag = items.get('tag')
    ctx.mark('name', { line: section.line, section: 'campaign' })
    if (name) {
      ctx.mark('name', ctx.at(name))
      if (tag) ctx.ignore('[campaign] tag', 'name= is set; tag= is the POMS ≤ v4.0 spelling of it', tag.entry.line)
      if (name.entry.value === '') ctx.error('no-campaign-name', '[campaign] name is empty', ctx.at(name, 0, 'name'))
      return stripText(name.entry.value)
    }
    if (tag && tag.entry.value !== '') {
      ctx.warn('legacy-tag', `[campaign] has tag= instead of name= (POMS ≤ v4.0); imported as the name "${tag.entry.value}" — current POMS fails on this file (500)`, ctx.at(tag, 0, 'name'))
      ctx.mark('name', ctx.at(tag))
      return stripText(tag.entry.value)
    }
    ctx.error('no-campaign-name', '[campaign] has no name= — POMS fails on this file (500)', { line: section.line, section: 'campaign', path: 'name' })
    return ''
  }

  /** Keywords: POMS honours them only in [campaign_defaults]; its own exporter writes them in [campaign]. */
  private keywords(campaignItems: Map<string, Located>): Record<string, string> {
    const ctx = this.ctx
    const fromDefaults = this.sections.defaults ? sectionItems(this.ini, this.sections.defaults).get('campaign_keywords') : undefined
    const fromCampaign = campaignItems.get('campaign_keywords')
    const read = (loc: Located | undefined): Record<string, string> | null => {
      if (!loc || loc.entry.value.trim() === '') return null
      const converted = toKeywords(loc.entry.value)
      this.report(converted, loc, 'keywords')
      return converted.ok ? converted.value : null
    }
    if (fromDefaults) ctx.mark('keywords', ctx.at(fromDefaults))
    const defaultsValue = read(fromDefaults)
    const campaignValue = fromCampaign && fromCampaign !== fromDefaults ? read(fromCampaign) : null
    if (defaultsValue) {
      if (campaignValue && JSON.stringify(campaignValue) !== JSON.stringify(defaultsValue)) {
        ctx.warn(
          'keywords-conflict',
          '[campaign] campaign_keywords differs from [campaign_defaults] campaign_keywords; POMS reads only the [campaign_defaults] one, and so does this import',
          ctx.at(fromCampaign!, 0, 'keywords'),
        )
      }
      return defaultsValue
    }
    if (campaignValue && Object.keys(campaignValue).length > 0) {
      ctx.mark('keywords', ctx.at(fromCampaign!))
      ctx.warn(
        'keywords-in-campaign-section',
        'campaign_keywords is under [campaign], where POMS ignores it (its own exporter puts it there); imported anyway — move it to [campaign_defaults] for POMS',
        ctx.at(fromCampaign!, 0, 'keywords'),
      )
      return campaignValue
    }
    return {}
  }

  /** The other [campaign] keys: state → active, our campaign_type/tags, and what POMS ignores. */
  private campaignKeys(items: Map<string, Located>): { active?: boolean; campaignType?: string; tags?: string[] } {
    const ctx = this.ctx
    const extras: { active?: boolean; campaignType?: string; tags?: string[] } = {}
    for (const [key, loc] of items) {
      const value = loc.entry.value
      if (key === 'name' || key === 'tag' || key === 'campaign_keywords' || key === 'campaign_stage_list') continue
      // [DEFAULT] keys show up in every section; they are reported where they mean something.
      if (loc.section === 'DEFAULT') continue
      if (key === 'state') {
        const active = toActive(value, 'state')
        this.report(active, loc, 'active')
        if (active.ok) extras.active = active.value
        ctx.mark('active', ctx.at(loc))
      } else if (key === 'campaign_type') {
        extras.campaignType = value
        ctx.mark('campaignType', ctx.at(loc))
      } else if (key === 'tags') {
        const decoded = value === '' ? ({ ok: true, value: [], notes: [] } as const) : decodeJson(value)
        if (!decoded.ok) this.report(decoded, loc, 'tags')
        else if (!Array.isArray(decoded.value) || decoded.value.some((t) => typeof t !== 'string')) {
          ctx.error('bad-tags', 'tags must be a JSON list of strings', ctx.at(loc, 0, 'tags'))
        } else extras.tags = decoded.value as string[]
        ctx.mark('tags', ctx.at(loc))
      } else if (key in CAMPAIGN_KEY_WHY) {
        ctx.ignore(`[campaign] ${key} = ${value}`, CAMPAIGN_KEY_WHY[key]!, loc.entry.line)
      } else if (DATA_DISPATCHER_KEY.test(key)) {
        ctx.ignore(`[campaign] ${key}`, DATA_DISPATCHER_WHY, loc.entry.line)
      } else {
        ctx.ignore(`[campaign] ${key}`, 'POMS reads only name from [campaign]', loc.entry.line)
      }
    }
    return extras
  }

  // ---- settings (defaults and stages) ----------------------------------------------------------

  /** Section items with POMS ≤ v4.0 keys (dataset=, launch_template=) renamed, each with a warning. */
  private withLegacyKeys(section: IniSection): Map<string, Located> {
    const items = sectionItems(this.ini, section)
    for (const [legacy, modern] of Object.entries(LEGACY_STAGE_KEYS)) {
      const old = items.get(legacy)
      if (!old) continue
      items.delete(legacy)
      if (items.has(modern)) {
        this.ctx.ignore(`[${section.name}] ${legacy}`, `${modern} is set; ${legacy}= is its POMS ≤ v4.0 spelling`, old.entry.line)
        continue
      }
      items.set(modern, old)
      // A [DEFAULT] entry shows up in every section; say it once.
      if (this.legacyWarned.has(old.entry)) continue
      this.legacyWarned.add(old.entry)
      this.ctx.warn(
        `legacy-${legacy.replace(/_/g, '-')}`,
        `${legacy}= is the POMS ≤ v4.0 spelling of ${modern}=; imported as ${modern} — current POMS fails on it (500)`,
        this.ctx.at(old),
      )
    }
    return items
  }

  private defaults(): DocDefaults {
    const section = this.sections.defaults
    const defaults: Record<string, unknown> = {}
    if (!section) return defaults
    this.ctx.mark('defaults', { line: section.line, section: section.name })
    for (const [key, loc] of this.defaultsItems) {
      if (key === 'campaign_keywords') continue
      const field = (KEY_TO_FIELD as Record<string, SettingField>)[key]
      if (!field) {
        this.ignoreUnknown(key, loc, 'POMS keeps it in the campaign defaults but nothing reads it')
        continue
      }
      const path = `defaults.${field}`
      this.ctx.mark(path, this.ctx.at(loc))
      if (loc.entry.value === '' && TYPED_FIELDS.has(field)) continue
      const setting = this.setting(field, loc, path)
      if (setting.ok) defaults[field] = setting.value
      if ((field === 'jobType' || field === 'loginSetup') && setting.ok && typeof setting.value === 'string') {
        this.defaultRefs[field].set(setting.value, this.ctx.at(loc, 0, path))
      }
    }
    return defaults as DocDefaults
  }

  private stage(named: NamedSection, index: number): DocStage {
    const ctx = this.ctx
    const items = this.withLegacyKeys(named.section)
    const base = `stages.${index}`
    ctx.mark(base, { line: named.section.line, section: named.section.name })
    const settings: Record<string, unknown> = { name: named.name }
    for (const [key, field] of Object.entries(KEY_TO_FIELD) as [StageKey, SettingField][]) {
      const path = `${base}.${field}`
      const loc = resolve(items.get(key), this.defaultsItems.get(key))
      if (!loc) {
        if (REQUIRED_STAGE_KEYS.includes(key)) {
          ctx.error(
            'missing-required',
            `stage ${named.name} has no ${key}, and [campaign_defaults] has none either — POMS fails on this file (500)`,
            { line: named.section.line, section: named.section.name, key, path },
          )
        } else settings[field] = OPTIONAL_DEFAULTS[field]
        continue
      }
      ctx.mark(path, ctx.at(loc))
      const setting = this.setting(field, loc, path)
      if (!setting.ok) continue
      settings[field] = setting.value
      if ((field === 'jobType' || field === 'loginSetup') && setting.value === null) {
        const what = field === 'jobType' ? 'job type' : 'login setup'
        ctx.warn(
          `empty-${field === 'jobType' ? 'job-type' : 'login-setup'}`,
          `stage ${named.name} has an empty ${key} (and no default): it cannot launch until a ${what} is chosen — POMS rejects it (${what} "None" not found)`,
          ctx.at(loc, 0, path),
        )
      }
      this.noteReference(field, setting, loc, path)
    }
    for (const [key, loc] of items) {
      if (key in KEY_TO_FIELD || loc.section === 'DEFAULT') continue
      if (key in KNOWN_IGNORED_STAGE_KEYS) ctx.ignore(`[${named.section.name}] ${key}`, KNOWN_IGNORED_STAGE_KEYS[key]!, loc.entry.line)
      else this.ignoreUnknown(key, loc, 'not a stage setting; POMS drops it')
    }
    return settings as DocStage
  }

  private ignoreUnknown(key: string, loc: Located, why: string): void {
    this.ctx.ignore(`[${loc.section}] ${key}`, DATA_DISPATCHER_KEY.test(key) ? DATA_DISPATCHER_WHY : why, loc.entry.line)
  }

  private noteReference(field: SettingField, setting: Setting, loc: Located, path: string): void {
    if (!setting.ok || typeof setting.value !== 'string') return
    const refs = field === 'jobType' ? this.jobTypeRefs : field === 'loginSetup' ? this.loginSetupRefs : null
    if (refs && !refs.has(setting.value)) refs.set(setting.value, this.ctx.at(loc, 0, path))
  }

  /** Convert one value for one field; each INI entry is converted (and reported) once. */
  private setting(field: SettingField, loc: Located, path: string): Setting {
    const cached = this.settingCache.get(loc.entry)
    if (cached) return cached
    const result = this.convertSetting(field, loc, path)
    this.settingCache.set(loc.entry, result)
    return result
  }

  private convertSetting(field: SettingField, loc: Located, path: string): Setting {
    const text = this.text(loc, path, SETTING_FORMATTING[field] ?? 'none')
    if (TEXT_FIELDS.has(field)) this.checkInlineComment(loc, text, path)
    const done = (converted: Converted<unknown>): Setting => {
      this.report(converted, loc, path)
      return converted.ok ? { ok: true, value: converted.value } : { ok: false }
    }
    switch (field) {
      case 'dataset':
        return { ok: true, value: text }
      case 'voRole':
      case 'softwareVersion':
        return { ok: true, value: stripText(text) }
      case 'splitType':
      case 'testSplitType': {
        const spec = stripText(text)
        return { ok: true, value: spec === '' ? null : spec }
      }
      case 'jobType':
      case 'loginSetup':
        return { ok: true, value: toNameRef(stripText(text)) }
      case 'paramOverrides':
        return done(toParamPairs(text, loc.entry.key))
      case 'testParamOverrides':
        if (text === 'param_overrides') {
          this.ctx.warn(
            'test-overrides-by-name',
            'test_param_overrides = param_overrides is not a reference in POMS (the value must be JSON; POMS fails with a 500 when a stage uses it). ' +
              'Imported as [] — test launches apply test overrides after the stage’s own param_overrides, so repeating them would change nothing',
            this.ctx.at(loc, 0, path),
          )
          return { ok: true, value: [] }
        }
        return done(toParamPairs(text, loc.entry.key))
      case 'mergeOverrides':
        return done(toMergeOverrides(text))
      case 'defaultClearCronjob':
        return done(toClearCronjob(text))
      case 'completionPct':
        if (text === '') return done({ ok: false, code: 'missing-required', message: 'completion_pct is empty (and has no default)', offset: 0 })
        return done(toCompletionPct(text))
      case 'completionType':
        if (text === '') return done({ ok: false, code: 'missing-required', message: 'completion_type is empty (and has no default)', offset: 0 })
        return done(toCompletionType(text))
      case 'stageType':
        return done(toStageType(text))
      case 'outputAncestorDepth':
        return done(toAncestorDepth(text))
    }
  }

  /**
   * An entry's text as the document keeps it: verbatim, except POMS ≤ v4.0 `%{name}` placeholders
   * become `%(name)s`. Values POMS %-formats at launch are checked for what would break there.
   */
  private text(loc: Located, path: string | null, formatting: Formatting): string {
    const cached = this.textCache.get(loc.entry)
    if (cached !== undefined) return cached
    const { text, replaced } = modernisePlaceholders(loc.entry.value, this.known)
    for (const r of replaced) {
      this.ctx.warn('legacy-placeholder', `${r.from} is the POMS ≤ v4.0 placeholder syntax; imported as ${r.to}`, this.ctx.at(loc, r.index, path))
    }
    this.textCache.set(loc.entry, text)
    if (formatting === 'none' || (formatting === 'data' && !text.includes('%('))) return text
    const words = formatting === 'login' ? new Set<string>(BASE_VARIABLES) : this.known
    // Offsets are into the raw value, so positions stay exact; the %{x} just modernised are fine.
    const modernised = new Set(replaced.map((r) => r.index))
    for (const issue of percentIssues(loc.entry.value, words)) {
      if (modernised.has(issue.index)) continue
      const where = this.ctx.at(loc, issue.index, path)
      if (issue.kind === 'escaped-variable') this.ctx.warn('escaped-variable', issue.message, where)
      else if (issue.kind === 'unknown-variable' && formatting === 'login' && this.known.has(wordAt(loc.entry.value, issue.index))) {
        this.ctx.warn('keyword-in-login-setup', `%(${wordAt(loc.entry.value, issue.index)})s is a campaign keyword, but POMS substitutes only ${BASE_VARIABLES.join(', ')} in login setups: the launch would fail`, where)
      } else {
        this.ctx.warn(issue.kind === 'unknown-variable' ? 'unknown-variable' : 'percent-syntax', `${issue.message} — POMS would fail at launch`, where)
      }
    }
    return text
  }

  private checkInlineComment(loc: Located, text: string, path: string | null): void {
    const at = text.search(/\s#/)
    if (at < 0) return
    this.ctx.warn(
      'inline-comment',
      `"${text.slice(at + 1)}" is part of the ${loc.entry.key} value: INI files have no inline comments, and POMS keeps everything after the =`,
      this.ctx.at(loc, at + 1, path),
    )
  }

  /** Turn a converter's notes into warnings and its failure into an error, at the right position. */
  private report(converted: Converted<unknown>, loc: Located, path: string | null): void {
    if (converted.ok) {
      for (const note of converted.notes) this.ctx.warn(note.code, note.message, this.ctx.at(loc, note.offset, path))
    } else {
      this.ctx.error(converted.code, `${loc.entry.key}: ${converted.message}`, this.ctx.at(loc, converted.offset, path))
    }
  }

  // ---- dependencies ----------------------------------------------------------------------------

  private dependencies(stageNames: Set<string>): DocDependency[] {
    const ctx = this.ctx
    const edges: DocDependency[] = []
    const seen = new Map<string, number>()
    for (const named of this.sections.dependencies) {
      const items = sectionItems(this.ini, named.section)
      const to = named.name
      for (const [key, loc] of items) {
        if (key.startsWith('file_pattern_')) {
          const sfx = key.slice(key.lastIndexOf('_') + 1)
          if (![...items.keys()].some((k) => k.startsWith('campaign_stage_') && k.slice(k.lastIndexOf('_') + 1) === sfx)) {
            ctx.ignore(`[${named.section.name}] ${key}`, `no campaign_stage_${sfx} goes with it`, loc.entry.line)
          }
          continue
        }
        if (!key.startsWith('campaign_stage_')) {
          const why = /^campaign_?stage/.test(key)
            ? 'POMS reads only keys that start with campaign_stage_ (with the underscore)'
            : 'POMS reads only campaign_stage_N / file_pattern_N here'
          ctx.ignore(`[${named.section.name}] ${key}`, why, loc.entry.line)
          continue
        }
        // POMS pairs campaign_stage_<sfx> with file_pattern_<sfx>, sfx = text after the LAST "_".
        const sfx = key.slice(key.lastIndexOf('_') + 1)
        const from = stripText(loc.entry.value)
        const patternLoc = items.get(`file_pattern_${sfx}`)
        let patterns: string
        if (!patternLoc) {
          ctx.warn(
            'dependency-missing-pattern',
            `${key} = ${from} has no file_pattern_${sfx}; imported with % (every output) — POMS fails on this (500)`,
            ctx.at(loc),
          )
          patterns = '%'
        } else {
          const raw = stripText(patternLoc.entry.value)
          // POMS's dependency query treats an empty pattern and the literal None as % (§1.5).
          patterns = raw === '' || raw === 'None' ? '%' : raw
        }
        const where = ctx.at(loc)
        const missing = [to, from].filter((n) => !stageNames.has(n))
        if (missing.length > 0) {
          ctx.warn(
            'dependency-unknown-stage',
            `dependency ${from} → ${to} dropped: no [campaign_stage ${missing[0]}] in this file (POMS would store it with a missing stage)`,
            where,
          )
          continue
        }
        const id = `${from}\u0000${to}`
        const first = seen.get(id)
        if (first !== undefined) {
          ctx.warn('dependency-duplicate', `dependency ${from} → ${to} is listed again (first at line ${first}); the repeat is dropped`, where)
          continue
        }
        seen.set(id, loc.entry.line)
        ctx.mark(`dependencies.${edges.length}`, where)
        if (patternLoc) ctx.mark(`dependencies.${edges.length}.filePatterns`, ctx.at(patternLoc))
        edges.push({ from, to, filePatterns: patterns })
      }
    }
    return edges
  }

  // ---- job types and login setups --------------------------------------------------------------

  private jobTypes(): DocJobType[] {
    const ctx = this.ctx
    this.checkUniqueNames(this.sections.jobTypes, 'job type', 'jobTypes')
    return this.sections.jobTypes.map((named, index) => {
      const base = `jobTypes.${index}`
      const items = sectionItems(this.ini, named.section)
      ctx.mark(base, { line: named.section.line, section: named.section.name })
      const jobType: DocJobType = { name: named.name, launchScript: '', definitionParameters: [], outputFilePatterns: [], recoveryPlan: [], active: true }
      for (const [key, loc] of items) {
        const value = loc.entry.value
        if (key === 'launch_script') {
          ctx.mark(`${base}.launchScript`, ctx.at(loc))
          jobType.launchScript = stripText(this.text(loc, `${base}.launchScript`, 'command'))
          this.checkInlineComment(loc, jobType.launchScript, `${base}.launchScript`)
        } else if (key === 'parameters') {
          ctx.mark(`${base}.definitionParameters`, ctx.at(loc))
          const pairs = toParamPairs(this.text(loc, `${base}.definitionParameters`, 'command'), 'parameters')
          this.report(pairs, loc, `${base}.definitionParameters`)
          if (pairs.ok) jobType.definitionParameters = pairs.value
        } else if (key === 'output_file_patterns') {
          ctx.mark(`${base}.outputFilePatterns`, ctx.at(loc))
          jobType.outputFilePatterns = toPatternList(value)
        } else if (key === 'recoveries') {
          ctx.mark(`${base}.recoveryPlan`, ctx.at(loc))
          const plan = toRecoveryPlan(this.text(loc, `${base}.recoveryPlan`, 'command'))
          this.report(plan, loc, `${base}.recoveryPlan`)
          if (plan.ok) jobType.recoveryPlan = plan.value
        } else if (key === 'active') {
          const active = toActive(value, 'active')
          this.report(active, loc, `${base}.active`)
          if (active.ok) jobType.active = active.value
        } else if (loc.section !== 'DEFAULT') {
          ctx.ignore(`[${named.section.name}] ${key}`, 'POMS reads only launch_script, parameters, output_file_patterns and recoveries', loc.entry.line)
        }
      }
      if (jobType.launchScript.trim() === '') {
        ctx.error('job-type-without-script', `job type ${named.name} has no launch_script`, {
          ...ctx.whereIs(`${base}.launchScript`),
          section: named.section.name,
          key: 'launch_script',
        })
      }
      return jobType
    })
  }

  /**
   * Decision: every POMS login setup is a jobsub_lite submit host reached over SSH (port 22) at
   * Fermilab, so hosts' local times are America/Chicago. The file says nothing about either;
   * our exporter writes backend/port/host_timezone only when they differ (POMS ignores them).
   */
  private loginSetups(): DocLoginSetup[] {
    const ctx = this.ctx
    const modern = new Set(this.sections.loginSetups.map((s) => s.name))
    const templates = this.sections.launchTemplates.filter((t) => {
      if (!modern.has(t.name)) return true
      ctx.ignore(`[${t.section.name}]`, `[login_setup ${t.name}] is defined too; [launch_template] is its POMS ≤ v4.0 spelling`, t.section.line)
      return false
    })
    for (const t of templates) {
      ctx.warn(
        'legacy-launch-template',
        `[${t.section.name}] is the POMS ≤ v4.0 spelling of [login_setup ${t.name}]; imported as a login setup — current POMS ignores it`,
        { line: t.section.line, section: t.section.name },
      )
    }
    const all = [...this.sections.loginSetups, ...templates]
    this.checkUniqueNames(all, 'login setup', 'loginSetups')
    return all.map((named, index) => {
      const base = `loginSetups.${index}`
      const items = sectionItems(this.ini, named.section)
      ctx.mark(base, { line: named.section.line, section: named.section.name })
      const setup: Record<string, unknown> = { name: named.name, backend: POMS_LOGIN_BACKEND, port: POMS_LOGIN_PORT, hostTimezone: POMS_LOGIN_TIMEZONE, active: true }
      for (const [key, loc] of items) {
        const field = { host: 'host', account: 'account', setup: 'setup' }[key]
        if (field) {
          ctx.mark(`${base}.${field}`, ctx.at(loc))
          setup[field] = field === 'setup' ? this.text(loc, `${base}.${field}`, 'login') : stripText(this.text(loc, `${base}.${field}`, 'login'))
          this.checkInlineComment(loc, setup[field] as string, `${base}.${field}`)
        } else if (key === 'backend') {
          ctx.mark(`${base}.backend`, ctx.at(loc))
          if (!(BACKENDS as readonly string[]).includes(loc.entry.value)) {
            ctx.error('bad-backend', `backend must be one of ${BACKENDS.join(', ')}, not "${loc.entry.value}"`, ctx.at(loc, 0, `${base}.backend`))
          } else setup.backend = loc.entry.value
        } else if (key === 'port') {
          ctx.mark(`${base}.port`, ctx.at(loc))
          if (!/^\d+$/.test(loc.entry.value)) ctx.error('bad-integer', `port must be a whole number, not "${loc.entry.value}"`, ctx.at(loc, 0, `${base}.port`))
          else setup.port = Number(loc.entry.value)
        } else if (key === 'host_timezone' || key === 'auth_method' || key === 'key_file') {
          // Ours, not POMS's (written by our exporter when they differ from the defaults).
          const field = { host_timezone: 'hostTimezone', auth_method: 'authMethod', key_file: 'keyFile' }[key]
          ctx.mark(`${base}.${field}`, ctx.at(loc))
          setup[field] = stripText(loc.entry.value)
        } else if (key === 'active') {
          const active = toActive(loc.entry.value, 'active')
          this.report(active, loc, `${base}.active`)
          if (active.ok) setup.active = active.value
        } else if (loc.section !== 'DEFAULT') {
          ctx.ignore(`[${named.section.name}] ${key}`, 'POMS reads only host, account and setup', loc.entry.line)
        }
      }
      return setup as DocLoginSetup
    })
  }

  private checkUniqueNames(list: NamedSection[], what: string, path: string): void {
    const first = new Map<string, NamedSection>()
    list.forEach((named, index) => {
      const earlier = first.get(named.name)
      if (earlier) {
        this.ctx.error('duplicate-name', `${what} "${named.name}" is defined twice (first at line ${earlier.section.line})`, {
          line: named.section.line,
          section: named.section.name,
          path: `${path}.${index}.name`,
        })
      } else first.set(named.name, named)
    })
  }

  // ---- layout ----------------------------------------------------------------------------------

  private layout(): Record<string, { x: number; y: number }> {
    const section = this.sections.nodePositions
    const layout: Record<string, { x: number; y: number }> = {}
    if (!section) return layout
    for (const [key, loc] of sectionItems(this.ini, section)) {
      if (!/^nxy\d+$/.test(key)) {
        if (loc.section !== 'DEFAULT') this.ctx.ignore(`[node_positions] ${key}`, 'positions are nxyN = ["name", x, y]', loc.entry.line)
        continue
      }
      const decoded = decodeJson(loc.entry.value)
      const value = decoded.ok ? decoded.value : null
      if (!Array.isArray(value) || value.length !== 3 || typeof value[0] !== 'string' || !Number.isFinite(value[1]) || !Number.isFinite(value[2])) {
        this.ctx.warn('bad-node-position', `${key} must be ["name", x, y]; this position is skipped (POMS ignores [node_positions] anyway)`, this.ctx.at(loc))
        continue
      }
      layout[value[0]] = { x: value[1] as number, y: value[2] as number }
    }
    return layout
  }

  // ---- cross-checks ----------------------------------------------------------------------------

  private checkReferences(what: string, refs: Map<string, Where>, defaultRefs: Map<string, Where>, defined: NamedSection[]): void {
    const definedNames = defined.map((d) => d.name)
    const code = what.replace(' ', '-')
    const hint = (name: string) => {
      const near = definedNames.find((d) => looksAlike(d, name))
      return near ? ` — did you mean [${what.replace(' ', '_')} ${near}] (line ${defined.find((d) => d.name === near)!.section.line})?` : ''
    }
    for (const [name, where] of refs) {
      if (definedNames.includes(name)) continue
      this.ctx.warn(
        `undefined-${code}`,
        `${what} "${name}" is not defined in this file; it must already exist in the experiment (or the shared samdev ones)${hint(name)}`,
        where,
      )
    }
    for (const [name, where] of defaultRefs) {
      if (definedNames.includes(name) || refs.has(name)) continue
      this.ctx.warn(
        `undefined-default-${code}`,
        `the default ${what} "${name}" is not defined in this file and no stage uses it (POMS never looks it up); it stays the campaign default${hint(name)}`,
        where,
      )
    }
    for (const named of defined) {
      if (refs.has(named.name) || defaultRefs.has(named.name)) continue
      this.ctx.warn(`unused-${code}`, `${what} "${named.name}" is defined but no stage uses it; it is imported anyway`, {
        line: named.section.line,
        section: named.section.name,
      })
    }
  }

  /** `campaign_stage_list` is ignored by POMS's importer but drives its GUI editor: report drift. */
  private checkStageList(loc: Located | undefined): void {
    if (!loc) return
    const ctx = this.ctx
    const raw = loc.entry.value
    const sectionNames = this.sections.stages.map((s) => s.name)
    let listed = raw.split(/,+/).map((s) => s.trim()).filter((s) => s !== '')
    if (!raw.includes(',') && /\s/.test(raw.trim())) {
      listed = raw.trim().split(/\s+/)
      ctx.warn('stage-list-space-separated', 'campaign_stage_list is space-separated (POMS ≤ v4.0); POMS’s editor splits it on commas', ctx.at(loc))
    }
    const seen = new Set<string>()
    for (const name of listed) {
      if (seen.has(name)) ctx.warn('stage-list-duplicate', `campaign_stage_list names ${name} twice`, ctx.at(loc, raw.lastIndexOf(name)))
      seen.add(name)
      if (!sectionNames.includes(name)) {
        ctx.warn('stage-list-missing-section', `campaign_stage_list names ${name}, which has no [campaign_stage ${name}] section; stages come from the sections`, ctx.at(loc, Math.max(raw.indexOf(name), 0)))
      }
    }
    for (const named of this.sections.stages) {
      if (!seen.has(named.name)) {
        ctx.warn('stage-list-unlisted-stage', `stage ${named.name} is not in campaign_stage_list (it is imported: stages come from the sections)`, {
          line: named.section.line,
          section: named.section.name,
        })
      }
    }
  }
}

const wordAt = (text: string, index: number) => text.slice(index + 2, text.indexOf(')', index))

/** POMS's per-key fallback: an empty stage value falls back to the default too (`stage.get(k) or defaults.get(k)`). */
function resolve(stage: Located | undefined, fallback: Located | undefined): Located | undefined {
  if (stage && stage.entry.value !== '') return stage
  if (fallback && fallback.entry.value !== '') return fallback
  return stage ?? fallback
}

/** Near-miss names: a leftover template character, a suffix, or a typo or two. */
function looksAlike(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/^[@$]+|[@$]+$/g, '').toLowerCase()
  const x = strip(a)
  const y = strip(b)
  if (x === y || x.startsWith(y) || y.startsWith(x)) return true
  return editDistance(x, y) <= 2
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = row
  }
  return prev[b.length]!
}
