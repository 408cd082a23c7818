import type { CampaignDefaults } from '../../../shared/domain/campaign'
import { DocStageSettings, type DocDefaults, type DocStage } from '../../../shared/domain/campaign-document'
import { JobTypeInput, type JobType } from '../../../shared/domain/job-type'
import { LoginSetupInput, type LoginSetup } from '../../../shared/domain/login-setup'
import type { Stage } from '../../../shared/domain/stage'
import type { DocJobType, DocLoginSetup } from '../../../shared/domain/campaign-document'

/*
 * How stored rows and campaign documents name the same things: the one place that maps a stage's
 * settings, a campaign's defaults and job type / login setup definitions between the two forms.
 */

type NamedRefs = 'jobType' | 'loginSetup'
type PlainSetting = Exclude<keyof typeof DocStageSettings, NamedRefs>
/** Settings stored and documented alike (everything but the job type and login setup references). */
const PLAIN_SETTINGS = Object.keys(DocStageSettings).filter((k) => k !== 'jobType' && k !== 'loginSetup') as PlainSetting[]

export type StageSettingsRow = Pick<Stage, PlainSetting | 'jobTypeId' | 'loginSetupId'>
export type DocStageSettingsOnly = Omit<DocStage, 'id' | 'name'>

export interface IdsToNames {
  jobType(id: string | null): string | null
  loginSetup(id: string | null): string | null
}
export interface NamesToIds {
  jobType(name: string | null, path: string): string | null
  loginSetup(name: string | null, path: string): string | null
}

export function settingsToDoc(row: StageSettingsRow, names: IdsToNames): DocStageSettingsOnly {
  const doc: Record<string, unknown> = { jobType: names.jobType(row.jobTypeId), loginSetup: names.loginSetup(row.loginSetupId) }
  for (const key of PLAIN_SETTINGS) doc[key] = row[key]
  return doc as DocStageSettingsOnly
}

export function settingsFromDoc(doc: DocStageSettingsOnly, ids: NamesToIds, path: string): StageSettingsRow {
  const row: Record<string, unknown> = { jobTypeId: ids.jobType(doc.jobType, `${path}.jobType`), loginSetupId: ids.loginSetup(doc.loginSetup, `${path}.loginSetup`) }
  for (const key of PLAIN_SETTINGS) row[key] = doc[key]
  return row as StageSettingsRow
}

/** Defaults are partial: only the keys that are set cross over. */
export function defaultsToDoc(defaults: CampaignDefaults, names: IdsToNames): DocDefaults {
  const { jobTypeId, loginSetupId, ...plain } = defaults
  const doc: DocDefaults = { ...plain }
  if (jobTypeId !== undefined) doc.jobType = names.jobType(jobTypeId)
  if (loginSetupId !== undefined) doc.loginSetup = names.loginSetup(loginSetupId)
  return doc
}

export function defaultsFromDoc(doc: DocDefaults, ids: NamesToIds): CampaignDefaults {
  const { jobType, loginSetup, ...plain } = doc
  const defaults: CampaignDefaults = { ...plain }
  if (jobType !== undefined) defaults.jobTypeId = ids.jobType(jobType, 'defaults.jobType')
  if (loginSetup !== undefined) defaults.loginSetupId = ids.loginSetup(loginSetup, 'defaults.loginSetup')
  return defaults
}

const pick = <K extends string>(from: Record<K, unknown>, keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, from[k]]))
const JOB_TYPE_KEYS = Object.keys(JobTypeInput.shape) as (keyof DocJobType)[]
const LOGIN_SETUP_KEYS = Object.keys(LoginSetupInput.shape) as (keyof DocLoginSetup)[]

export const jobTypeToDoc = (row: JobType): DocJobType => pick(row, JOB_TYPE_KEYS) as DocJobType
export const loginSetupToDoc = (row: LoginSetup): DocLoginSetup => pick(row, LOGIN_SETUP_KEYS) as DocLoginSetup
