import { z } from 'zod'
import { CampaignKeywords, CampaignLayout, CampaignType } from './campaign'
import { Id, Name } from './common'
import { JobTypeInput } from './job-type'
import { LoginSetupInput } from './login-setup'
import { StageSettings } from './stage'

/**
 * A whole campaign as one portable document: stages, dependencies, and the job types and login
 * setups it uses, all referred to by NAME. Import and export, drafts, published revisions, diffs
 * and clones all speak this form; the store's rows (with ids) are one materialisation of it.
 */
export const CAMPAIGN_DOCUMENT_FORMAT = 'poms-desktop/campaign@1'

const { jobTypeId: _jobTypeId, loginSetupId: _loginSetupId, ...settingsWithoutIds } = StageSettings

/** Stage settings with the job type and login setup named, not referenced by id. */
export const DocStageSettings = {
  ...settingsWithoutIds,
  jobType: z.string().trim().min(1).max(200).nullable(),
  loginSetup: z.string().trim().min(1).max(200).nullable(),
}

export const DocStage = z.object({
  /** The stored stage this entry edits, so a rename keeps its history; absent for new stages and in files. */
  id: Id.optional(),
  name: Name,
  ...DocStageSettings,
})
export type DocStage = z.infer<typeof DocStage>

export const DocDefaults = z.object(DocStageSettings).partial()
export type DocDefaults = z.infer<typeof DocDefaults>

/** An edge from the producing stage to the consuming one, by stage name. */
export const DocDependency = z.object({
  from: Name,
  to: Name,
  /** Comma-separated SQL LIKE patterns (or dimension fragments) selecting the producer's outputs. */
  filePatterns: z.string().max(2000),
})
export type DocDependency = z.infer<typeof DocDependency>

export const DocJobType = JobTypeInput
export type DocJobType = z.output<typeof DocJobType>
export const DocLoginSetup = LoginSetupInput
export type DocLoginSetup = z.output<typeof DocLoginSetup>

export const CampaignDocument = z.object({
  format: z.literal(CAMPAIGN_DOCUMENT_FORMAT).default(CAMPAIGN_DOCUMENT_FORMAT),
  name: Name,
  campaignType: CampaignType.default('regular'),
  active: z.boolean().default(true),
  keywords: CampaignKeywords.default({}),
  tags: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  defaults: DocDefaults.default({}),
  stages: z.array(DocStage).max(500),
  dependencies: z.array(DocDependency).max(5000).default([]),
  jobTypes: z.array(DocJobType).max(500).default([]),
  loginSetups: z.array(DocLoginSetup).max(500).default([]),
  layout: CampaignLayout.default({}),
})
export type CampaignDocument = z.output<typeof CampaignDocument>
export type CampaignDocumentInput = z.input<typeof CampaignDocument>

/**
 * One finding about a campaign file or document. `line`/`column` point into a file; `path` points
 * at a field of the document (`stages.2.splitType`) so an editor can jump to it.
 */
export const Finding = z.object({
  code: z.string(),
  message: z.string(),
  line: z.number().int().positive().nullable().default(null),
  column: z.number().int().positive().nullable().default(null),
  section: z.string().nullable().default(null),
  key: z.string().nullable().default(null),
  path: z.string().nullable().default(null),
})
export type Finding = z.output<typeof Finding>
export type FindingInput = z.input<typeof Finding>

export const ProblemSeverity = z.enum(['error', 'warning'])
export const Problem = Finding.extend({ severity: ProblemSeverity })
export type Problem = z.output<typeof Problem>
