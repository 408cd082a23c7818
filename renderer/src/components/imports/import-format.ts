import type { Finding } from '../../../../shared/domain/campaign-document'
import type { ImportTally } from '../../../../shared/campaign-file/import-report'

/** `sample.ini:12:5`, as compilers print positions, so people can jump there in their editor. */
export function findingLocation(file: string, finding: Pick<Finding, 'line' | 'column'>): string {
  if (finding.line === null) return file
  return finding.column === null ? `${file}:${finding.line}` : `${file}:${finding.line}:${finding.column}`
}

/** `[campaign_stage reco] cs_split_type`: where in the file's structure the finding is. */
export function findingPlace(finding: Pick<Finding, 'section' | 'key'>): string | null {
  if (finding.section === null && finding.key === null) return null
  const section = finding.section === null ? '' : `[${finding.section}]`
  return [section, finding.key ?? ''].filter((part) => part !== '').join(' ')
}

const TALLY_LABELS: Record<keyof ImportTally, [one: string, many: string]> = {
  campaigns: ['campaign', 'campaigns'],
  stages: ['stage', 'stages'],
  dependencies: ['dependency', 'dependencies'],
  jobTypes: ['job type', 'job types'],
  loginSetups: ['login setup', 'login setups'],
}

/** The non-empty groups of a tally, labelled: `[['job type', ['generic']], …]`. */
export function tallyGroups(tally: ImportTally): { key: keyof ImportTally; label: string; names: string[] }[] {
  return (Object.keys(TALLY_LABELS) as (keyof ImportTally)[])
    .filter((key) => tally[key].length > 0)
    .map((key) => ({ key, label: TALLY_LABELS[key][tally[key].length === 1 ? 0 : 1], names: tally[key] }))
}
