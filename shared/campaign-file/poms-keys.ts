import type { DocDefaults } from '../domain/campaign-document'

/** A stage setting of the document, by its field name. */
export type SettingField = keyof Required<DocDefaults>

/** POMS's stage keys and the document field each one fills (campaign-ini-syntax.md §1.4). */
export const KEY_TO_FIELD = {
  vo_role: 'voRole',
  software_version: 'softwareVersion',
  dataset_or_split_data: 'dataset',
  cs_split_type: 'splitType',
  test_split_type: 'testSplitType',
  default_clear_cronjob: 'defaultClearCronjob',
  completion_type: 'completionType',
  completion_pct: 'completionPct',
  param_overrides: 'paramOverrides',
  test_param_overrides: 'testParamOverrides',
  merge_overrides: 'mergeOverrides',
  login_setup: 'loginSetup',
  job_type: 'jobType',
  stage_type: 'stageType',
  output_ancestor_depth: 'outputAncestorDepth',
} as const satisfies Record<string, SettingField>

export type StageKey = keyof typeof KEY_TO_FIELD

export const FIELD_TO_KEY = Object.fromEntries(Object.entries(KEY_TO_FIELD).map(([k, f]) => [f, k])) as Record<SettingField, StageKey>

/**
 * `[campaign_defaults]` in the order POMS's exporter writes it (CampaignsPOMS.campaign_deps_ini).
 * test_split_type is ours: POMS's importer drops it, but the stage column exists.
 */
export const DEFAULTS_KEY_ORDER: readonly StageKey[] = [
  'vo_role',
  'software_version',
  'dataset_or_split_data',
  'cs_split_type',
  'test_split_type',
  'default_clear_cronjob',
  'completion_type',
  'completion_pct',
  'param_overrides',
  'test_param_overrides',
  'merge_overrides',
  'login_setup',
  'job_type',
  'stage_type',
  'output_ancestor_depth',
]

/** `[campaign_stage X]` in the exporter's order; the last three are always written. */
export const STAGE_KEY_ORDER: readonly StageKey[] = [
  'vo_role',
  'software_version',
  'output_ancestor_depth',
  'dataset_or_split_data',
  'cs_split_type',
  'test_split_type',
  'completion_type',
  'completion_pct',
  'param_overrides',
  'test_param_overrides',
  'login_setup',
  'job_type',
  'merge_overrides',
  'stage_type',
  'default_clear_cronjob',
]

export const ALWAYS_WRITTEN_STAGE_KEYS: ReadonlySet<StageKey> = new Set(['merge_overrides', 'stage_type', 'default_clear_cronjob'])

/** Keys `save_campaign` pops without a default: absent from both stage and defaults → KeyError/500. */
export const REQUIRED_STAGE_KEYS: readonly StageKey[] = [
  'completion_pct',
  'completion_type',
  'dataset_or_split_data',
  'job_type',
  'login_setup',
  'software_version',
  'vo_role',
]

/** POMS ≤ v4.0 spellings (2018 samples) and the keys that replaced them. */
export const LEGACY_STAGE_KEYS: Readonly<Record<string, StageKey>> = {
  dataset: 'dataset_or_split_data',
  launch_template: 'login_setup',
}

/** Keys POMS knows but this importer deliberately leaves out, with the reason shown to the user. */
export const KNOWN_IGNORED_STAGE_KEYS: Readonly<Record<string, string>> = {
  state: 'POMS applies a stage state only when updating an existing stage; imported stages start active',
  name: 'the stage name comes from the section header',
}

export const DATA_DISPATCHER_KEY = /^data_(dispatcher_|handling_service$)/
export const DATA_DISPATCHER_WHY = 'data dispatcher settings (POMS develop branch, campaign-ini-syntax.md §1.9) are not supported yet'

/** What POMS's importer does with the keys of `[campaign]`. */
export const CAMPAIGN_KEY_WHY: Readonly<Record<string, string>> = {
  experiment: 'the campaign is imported into the current experiment; POMS reads it from the session too',
  poms_role: 'the creator role comes from the session (upload_wf --poms_role), not the file',
}

/** POMS's completion types plus the misspelling seen in real files. */
export const COMPLETION_TYPE_ALIASES: Readonly<Record<string, 'complete'>> = { completed: 'complete' }

/** The Fermilab launch host facts POMS assumes for every login setup (see ini-to-document's Decision). */
export const POMS_LOGIN_BACKEND = 'jobsub_lite'
export const POMS_LOGIN_PORT = 22
export const POMS_LOGIN_TIMEZONE = 'America/Chicago'
