/**
 * Whole-campaign offline validation of a CampaignDocument: everything that would make POMS refuse
 * it, or make a launch fail later, reported with a `path` to the field (`stages.2.splitType`) so
 * the editor can point at it. Errors block publishing; warnings are advice.
 */
import type { CampaignDocument, DocDefaults, Problem } from '../domain/campaign-document'
import { ParamPairs, type ParamPair } from '../domain/common'
import { RECOVERY_TYPES } from '../domain/job-type'
import { selfDependencyAllowed } from '../domain/dependency-rules'
import { parseSplitSpec } from '../domain/split-types'
import { COMPLETION_TYPES, STAGE_TYPES } from '../domain/stage'
import { dependencyCycles } from './dependency-cycles'
import { BASE_VARIABLES, percentIssues } from './percent-syntax'

export interface ValidationContext {
  /** Names that exist in the experiment's store (or POMS's shared samdev ones). */
  jobTypes: readonly string[]
  loginSetups: readonly string[]
}

export function validateCampaignDocument(doc: CampaignDocument, ctx: ValidationContext): Problem[] {
  const problems: Problem[] = []
  const report = (severity: Problem['severity'], code: string, path: string, message: string, column: number | null = null) =>
    problems.push({ severity, code, message, path, line: null, column, section: null, key: null })

  checkNames(doc, report)
  checkReferences(doc, ctx, report)
  checkDependencies(doc, report)
  checkSettings(doc, report)
  checkPercents(doc, report)
  checkJobTypes(doc, report)
  checkKeywords(doc, report)
  return problems
}

type Report = (severity: Problem['severity'], code: string, path: string, message: string, column?: number | null) => void

function checkNames(doc: CampaignDocument, report: Report): void {
  const lists = [
    { items: doc.stages, path: 'stages', what: 'stage', section: 'campaign_stage' },
    { items: doc.jobTypes, path: 'jobTypes', what: 'job type', section: 'job_type' },
    { items: doc.loginSetups, path: 'loginSetups', what: 'login setup', section: 'login_setup' },
  ]
  for (const { items, path, what, section } of lists) {
    const first = new Map<string, number>()
    items.forEach((item, i) => {
      const earlier = first.get(item.name)
      if (earlier !== undefined) {
        report('error', 'duplicate-name', `${path}.${i}.name`, `${what} name "${item.name}" is used twice (also ${path}.${earlier})`)
      } else first.set(item.name, i)
      if (item.name.includes(']')) {
        report('warning', 'name-not-exportable', `${path}.${i}.name`, `a ${what} name with "]" cannot be written as an INI section [${section} …]; .ini export will fail`)
      }
    })
  }
}

function checkReferences(doc: CampaignDocument, ctx: ValidationContext, report: Report): void {
  const kinds = [
    { field: 'jobType', what: 'job type', defined: doc.jobTypes.map((j) => j.name), known: ctx.jobTypes },
    { field: 'loginSetup', what: 'login setup', defined: doc.loginSetups.map((l) => l.name), known: ctx.loginSetups },
  ] as const
  for (const { field, what, defined, known } of kinds) {
    const exists = (name: string) => defined.includes(name) || known.includes(name)
    const fallback = doc.defaults[field]
    if (fallback && !exists(fallback)) {
      // Only a warning: POMS never resolves a default that no stage falls back to.
      const users = doc.stages.filter((s) => s[field] === null).length
      report(users > 0 ? 'error' : 'warning', `unknown-${field === 'jobType' ? 'job-type' : 'login-setup'}`, `defaults.${field}`,
        `default ${what} "${fallback}" does not exist in this campaign or the experiment${users > 0 ? ` (${users} stage${users === 1 ? '' : 's'} use it)` : ''}`)
    }
    doc.stages.forEach((stage, i) => {
      const own = stage[field]
      if (own !== null) {
        if (!exists(own)) report('error', `unknown-${field === 'jobType' ? 'job-type' : 'login-setup'}`, `stages.${i}.${field}`, `${what} "${own}" does not exist in this campaign or the experiment`)
      } else if (!fallback) {
        report('error', 'cannot-launch', `stages.${i}.${field}`, `stage ${stage.name} cannot launch: it has no ${what} and the campaign has no default one`)
      }
    })
  }
}

function checkDependencies(doc: CampaignDocument, report: Report): void {
  const stages = new Map(doc.stages.map((s, i) => [s.name, i]))
  const seen = new Map<string, number>()
  const incoming = new Set<string>()
  doc.dependencies.forEach((dep, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!stages.has(dep[end])) report('error', 'unknown-stage', `dependencies.${i}.${end}`, `dependency ${dep.from} → ${dep.to}: there is no stage ${dep[end]}`)
    }
    const id = `${dep.from}\u0000${dep.to}`
    const earlier = seen.get(id)
    if (earlier !== undefined) report('warning', 'duplicate-dependency', `dependencies.${i}`, `dependency ${dep.from} → ${dep.to} is listed twice (also dependencies.${earlier})`)
    else seen.set(id, i)
    if (dep.filePatterns.trim() === '') report('error', 'empty-file-pattern', `dependencies.${i}.filePatterns`, 'a dependency needs a file pattern such as %.root (use % for every output)')
    if (dep.from === dep.to) {
      const index = stages.get(dep.from)
      if (index !== undefined && !selfDependencyAllowed(doc.stages[index]!.splitType)) {
        report('error', 'self-dependency-without-split', `dependencies.${i}`, `stage ${dep.from} depends on itself, which POMS allows only for a stage with a split type that moves on, not none or draining (each launch takes the next slice)`)
      }
    } else incoming.add(dep.to)
  })
  const cycles = dependencyCycles(doc.stages.map((s) => s.name), doc.dependencies)
  for (const cycle of cycles) {
    const edge = doc.dependencies.findIndex((d) => d.from === cycle[cycle.length - 1] && d.to === cycle[0])
    report('error', 'dependency-cycle', `dependencies.${Math.max(edge, 0)}`, `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}; no stage in it could ever start`)
  }
  doc.stages.forEach((stage, i) => {
    if (incoming.has(stage.name)) return
    if (stage.dataset.trim() === '') report('warning', 'empty-dataset', `stages.${i}.dataset`, `stage ${stage.name} has no dataset and no stage feeds it`)
    else if (stage.dataset.trim() === 'from_parent') report('warning', 'from-parent-without-parent', `stages.${i}.dataset`, `stage ${stage.name} takes its dataset from_parent, but no stage feeds it`)
  })
}

function checkSettings(doc: CampaignDocument, report: Report): void {
  const check = (settings: Partial<DocDefaults>, base: string, datasetForSplit: string | undefined) => {
    for (const field of ['splitType', 'testSplitType'] as const) {
      const spec = settings[field]
      if (spec === undefined || spec === null) continue
      const parsed = parseSplitSpec(spec)
      if (!parsed.ok) {
        report('error', 'bad-split', `${base}.${field}`, parsed.message, parsed.column)
        continue
      }
      for (const note of parsed.notes) report('warning', 'split-note', `${base}.${field}`, note)
      if (field === 'splitType' && datasetForSplit !== undefined) checkSplitDataset(parsed.type, datasetForSplit, `${base}.dataset`, report)
    }
    if (isSet(settings.completionPct) && (settings.completionPct! < 0 || settings.completionPct! > 100)) {
      report('error', 'completion-pct-range', `${base}.completionPct`, 'completion percentage must be from 0 to 100')
    }
    if (isSet(settings.completionType) && !(COMPLETION_TYPES as readonly string[]).includes(settings.completionType!)) {
      report('error', 'bad-completion-type', `${base}.completionType`, `completion type must be ${COMPLETION_TYPES.join(' or ')}`)
    }
    if (isSet(settings.stageType) && !(STAGE_TYPES as readonly string[]).includes(settings.stageType!)) {
      report('error', 'bad-stage-type', `${base}.stageType`, `stage type must be one of ${STAGE_TYPES.join(', ')}`)
    }
    for (const f of ['paramOverrides', 'testParamOverrides'] as const) {
      if (settings[f] !== undefined) checkPairs(settings[f], `${base}.${f}`, report)
    }
  }
  check(doc.defaults, 'defaults', undefined)
  doc.stages.forEach((stage, i) => check(stage, `stages.${i}`, stage.dataset))
}

const isSet = (value: unknown) => value !== undefined && value !== null

function checkSplitDataset(type: string | null, dataset: string, path: string, report: Report): void {
  if (type === 'multiparam') {
    let value: unknown
    try {
      value = JSON.parse(dataset)
    } catch {
      value = undefined
    }
    if (!Array.isArray(value) || value.length === 0 || value.some((l) => !Array.isArray(l) || l.length === 0)) {
      report('error', 'bad-multiparam-dataset', path, 'a multiparam split needs a JSON list of non-empty lists as its dataset, e.g. [["a","b"],["c"]]')
    }
  } else if (type === 'list' && dataset.trim() === '') {
    report('error', 'empty-list-dataset', path, 'a list split needs comma-separated values in its dataset')
  }
}

function checkPairs(pairs: unknown, path: string, report: Report): void {
  const parsed = ParamPairs.safeParse(pairs)
  if (!parsed.success) {
    report('error', 'bad-param-pairs', path, 'must be a list of ["key", "value"] pairs of text')
    return
  }
  parsed.data.forEach(([key, value]: ParamPair, i) => {
    // Key and value are joined with no separator, so "--stage" + "reco" becomes "--stagereco".
    if (/^--[A-Za-z0-9]/.test(key) && !/[\s=]$/.test(key) && value !== '' && !/^\s/.test(value)) {
      report('warning', 'glued-option', `${path}.${i}`, `"${key}" and "${value}" are joined with no separator into "${key}${value}"; end the key with a space or = (or start the value with a space)`)
    }
  })
}

/** POMS's editor rule: every % must be %% or %(word)s with a known word (file patterns are exempt). */
function checkPercents(doc: CampaignDocument, report: Report): void {
  const known = new Set<string>([...BASE_VARIABLES, ...Object.keys(doc.keywords)])
  const base = new Set<string>(BASE_VARIABLES)
  const check = (text: string, path: string, words: ReadonlySet<string>, opts: { lenientWithoutParen?: boolean; loginSetup?: boolean } = {}) => {
    for (const issue of percentIssues(text, words)) {
      if (issue.kind === 'escaped-variable') {
        report('warning', 'escaped-variable', path, issue.message, issue.index + 1)
      } else if (issue.kind === 'unknown-variable' && opts.loginSetup && known.has(text.slice(issue.index + 2, text.indexOf(')', issue.index)))) {
        report('warning', 'keyword-in-login-setup', path, `${issue.message.replace(/; known:.*/, '')}: POMS substitutes campaign keywords in launch commands, not in login setups`, issue.index + 1)
      } else if (opts.lenientWithoutParen && !text.includes('%(')) {
        // POMS formats a dataset or version only when it contains %( — a stray % elsewhere survives.
        report('warning', 'percent-syntax', path, `${issue.message} (POMS's editor refuses it; the launch keeps it as written)`, issue.index + 1)
      } else {
        report('error', issue.kind === 'unknown-variable' ? 'unknown-variable' : 'percent-syntax', path, issue.message, issue.index + 1)
      }
    }
  }
  const pairs = (list: readonly ParamPair[], path: string) => {
    // Malformed lists are reported by checkPairs; look only at well-formed pairs here.
    if (!ParamPairs.safeParse(list).success) return
    list.forEach(([k, v], i) => {
      check(k, `${path}.${i}.0`, known)
      check(v, `${path}.${i}.1`, known)
    })
  }
  const settings = (s: Partial<DocDefaults>, path: string) => {
    if (s.dataset !== undefined) check(s.dataset, `${path}.dataset`, known, { lenientWithoutParen: true })
    if (s.softwareVersion !== undefined) check(s.softwareVersion, `${path}.softwareVersion`, known, { lenientWithoutParen: true })
    if (s.paramOverrides) pairs(s.paramOverrides, `${path}.paramOverrides`)
    if (s.testParamOverrides) pairs(s.testParamOverrides, `${path}.testParamOverrides`)
  }
  settings(doc.defaults, 'defaults')
  doc.stages.forEach((s, i) => settings(s, `stages.${i}`))
  doc.jobTypes.forEach((jt, i) => {
    check(jt.launchScript, `jobTypes.${i}.launchScript`, known)
    pairs(jt.definitionParameters, `jobTypes.${i}.definitionParameters`)
    jt.recoveryPlan.forEach((step, j) => pairs(step.paramOverrides, `jobTypes.${i}.recoveryPlan.${j}.paramOverrides`))
  })
  doc.loginSetups.forEach((ls, i) => {
    for (const f of ['host', 'account', 'setup'] as const) check(ls[f], `loginSetups.${i}.${f}`, base, { loginSetup: true })
  })
}

function checkJobTypes(doc: CampaignDocument, report: Report): void {
  doc.jobTypes.forEach((jt, i) => {
    if (jt.launchScript.trim() === '') report('error', 'no-launch-script', `jobTypes.${i}.launchScript`, `job type ${jt.name} has no launch script`)
    checkPairs(jt.definitionParameters, `jobTypes.${i}.definitionParameters`, report)
    jt.recoveryPlan.forEach((step, j) => {
      if (!(RECOVERY_TYPES as readonly string[]).includes(step.type)) {
        report('error', 'unknown-recovery-type', `jobTypes.${i}.recoveryPlan.${j}.type`, `unknown recovery type "${step.type}"; POMS knows ${RECOVERY_TYPES.join(', ')}`)
      }
      checkPairs(step.paramOverrides, `jobTypes.${i}.recoveryPlan.${j}.paramOverrides`, report)
    })
  })
}

function checkKeywords(doc: CampaignDocument, report: Report): void {
  for (const name of Object.keys(doc.keywords)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      report('error', 'bad-keyword-name', `keywords.${name}`, `keyword "${name}" cannot be used as %(${name})s: letters, digits and _, not starting with a digit`)
    } else if ((BASE_VARIABLES as readonly string[]).includes(name)) {
      report('warning', 'keyword-shadowed', `keywords.${name}`, `keyword ${name} is never used: POMS's own %(${name})s wins`)
    }
  }
}
