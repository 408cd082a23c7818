import type { ImportResult, ImportTally } from '../../../shared/campaign-file/import-report'
import type { Finding } from '../../../shared/domain/campaign-document'

/*
 * How `poms import` and `poms validate` print an import report for people: compiler-style
 * `file:line:column:` positions, so editors and terminals can jump to them.
 */

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

const position = (file: string, f: Finding): string => `${file}${f.line !== null ? `:${f.line}` : ''}${f.line !== null && f.column !== null ? `:${f.column}` : ''}`

/** "job type gen, login setup dune; 3 stages" — names for the library, counts for the campaign's parts. */
function tallyText(t: ImportTally): string {
  const named = [
    ...t.campaigns.map((n) => `campaign ${n}`),
    ...t.jobTypes.map((n) => `job type ${n}`),
    ...t.loginSetups.map((n) => `login setup ${n}`),
  ]
  if (t.stages.length > 0) named.push(plural(t.stages.length, 'stage', 'stages'))
  if (t.dependencies.length > 0) named.push(plural(t.dependencies.length, 'dependency', 'dependencies'))
  return named.join(', ')
}

function acceptedLine(r: ImportResult, verb: string): string {
  const parts = [`${plural(r.stages.length, 'stage', 'stages')}, ${plural(r.dependencies.length, 'dependency', 'dependencies')}`]
  const created = tallyText(r.created)
  const reused = tallyText(r.reused)
  if (created) parts.push(`${r.dryRun ? 'would create' : 'created'} ${created}`)
  if (reused) parts.push(`${r.dryRun ? 'would reuse' : 'reused'} ${reused}`)
  return `✓ ${r.file}: ${verb} campaign ${r.campaign} (${parts.join('; ')})`
}

const errorLines = (r: ImportResult): string[] =>
  r.errors.length > 0 ? r.errors.map((e) => `✗ ${position(r.file, e)}: ${e.message}`) : [`✗ ${r.file}: refused`]

const warningLines = (r: ImportResult): string[] => r.warnings.map((w) => `${position(r.file, w)}: warning: ${w.message}`)

/** `poms import`: what happened to each file, then its warnings. */
export function importReportLines(results: readonly ImportResult[]): string[] {
  return results.flatMap((r) => [...(r.accepted ? [acceptedLine(r, r.dryRun ? 'would import' : 'imported')] : errorLines(r)), ...warningLines(r)])
}

/** `poms validate`: errors and warnings first; a valid file gets one line. */
export function validateReportLines(results: readonly ImportResult[]): string[] {
  return results.flatMap((r) => [
    ...(r.accepted ? [`✓ ${r.file}: valid (campaign ${r.campaign}, ${plural(r.stages.length, 'stage', 'stages')}, ${plural(r.dependencies.length, 'dependency', 'dependencies')})`] : errorLines(r)),
    ...warningLines(r),
  ])
}

/** The closing line for several files, and the message a refusal exits with. */
export function refusedSummary(results: readonly ImportResult[], refusedWord: string): string | null {
  const refused = results.filter((r) => !r.accepted).length
  return refused === 0 ? null : `${refused} of ${plural(results.length, 'file', 'files')} ${refused === 1 ? 'was' : 'were'} ${refusedWord}`
}
