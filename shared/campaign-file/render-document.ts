/**
 * A stable, readable text form of a CampaignDocument, one fact per line, for side-by-side diffs.
 * Values are JSON so every line is one line and whitespace differences stay visible; the order is
 * the document's own (stages, job types …) and a fixed field order inside each block.
 */
import type { CampaignDocument, DocDefaults } from '../domain/campaign-document'

/** Stage settings in the order people read them (and POMS's exporter writes them). */
export const SETTING_FIELDS = [
  'jobType',
  'loginSetup',
  'dataset',
  'splitType',
  'testSplitType',
  'softwareVersion',
  'voRole',
  'paramOverrides',
  'testParamOverrides',
  'mergeOverrides',
  'completionType',
  'completionPct',
  'stageType',
  'outputAncestorDepth',
  'defaultClearCronjob',
] as const satisfies readonly (keyof DocDefaults)[]

export const JOB_TYPE_FIELDS = ['launchScript', 'definitionParameters', 'outputFilePatterns', 'recoveryPlan', 'active'] as const
export const LOGIN_SETUP_FIELDS = ['backend', 'host', 'port', 'account', 'setup', 'hostTimezone', 'active'] as const

const show = (value: unknown) => JSON.stringify(value)

/** Keywords and positions have no meaningful order; sorting keeps equal documents' text equal. */
const sortedEntries = <T>(record: Record<string, T>) => Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

export function renderCampaignDocument(doc: CampaignDocument): string[] {
  const lines: string[] = [`campaign ${show(doc.name)}`]
  lines.push(`  type: ${show(doc.campaignType)}`, `  active: ${show(doc.active)}`)
  if (doc.tags.length > 0) lines.push(`  tags: ${show(doc.tags)}`)
  for (const [name, value] of sortedEntries(doc.keywords)) lines.push(`  keyword ${name}: ${show(value)}`)
  const defaults = SETTING_FIELDS.filter((f) => doc.defaults[f] !== undefined)
  if (defaults.length > 0) {
    lines.push('defaults')
    for (const f of defaults) lines.push(`  ${f}: ${show(doc.defaults[f])}`)
  }
  for (const stage of doc.stages) {
    lines.push(`stage ${show(stage.name)}`)
    for (const f of SETTING_FIELDS) lines.push(`  ${f}: ${show(stage[f])}`)
  }
  for (const dep of doc.dependencies) lines.push(`dependency ${show(dep.from)} → ${show(dep.to)}: ${show(dep.filePatterns)}`)
  for (const jobType of doc.jobTypes) {
    lines.push(`job type ${show(jobType.name)}`)
    for (const f of JOB_TYPE_FIELDS) lines.push(`  ${f}: ${show(jobType[f])}`)
  }
  for (const setup of doc.loginSetups) {
    lines.push(`login setup ${show(setup.name)}`)
    for (const f of LOGIN_SETUP_FIELDS) lines.push(`  ${f}: ${show(setup[f])}`)
  }
  for (const [name, pos] of sortedEntries(doc.layout)) lines.push(`position ${show(name)}: ${pos.x}, ${pos.y}`)
  return lines
}
