import { z } from 'zod'
import { EpochMs, Id, Name, ParamPairs, StoredMeta } from './common'

export const STAGE_TYPES = ['regular', 'test', 'generator', 'approval', 'datatransfer'] as const
export const StageType = z.enum(STAGE_TYPES)
export type StageType = z.infer<typeof StageType>

export const COMPLETION_TYPES = ['located', 'complete'] as const
export const CompletionType = z.enum(COMPLETION_TYPES)
export type CompletionType = z.infer<typeof CompletionType>

/** A split specification as POMS writes it: `nfiles(100)`, `drainingn(50)`, `new(window=1d)`, `list`, or none. */
export const SplitSpec = z
  .string()
  .trim()
  .max(500)
  .nullable()
  .transform((value) => (value === null || value === '' || value.toLowerCase() === 'none' ? null : value))

/** Who put a stage on hold, and in which role; launches are queued while it is set (poms-reference.md §3.7). */
export const StageHold = z.object({ by: z.string(), role: z.string(), at: EpochMs })

/** The settings a stage may take from its campaign's defaults (poms-reference.md §9.3). */
export const StageSettings = {
  jobTypeId: Id.nullable(),
  loginSetupId: Id.nullable(),
  voRole: z.string().trim().max(64),
  /** The input; its meaning depends on the split type and the data handler. */
  dataset: z.string().max(100_000),
  splitType: SplitSpec,
  testSplitType: SplitSpec,
  softwareVersion: z.string().trim().max(200),
  paramOverrides: ParamPairs,
  testParamOverrides: ParamPairs,
  completionType: CompletionType,
  completionPct: z.number().min(0).max(100),
  mergeOverrides: z.boolean(),
  outputAncestorDepth: z.number().int().min(1).max(20),
  stageType: StageType,
  defaultClearCronjob: z.boolean(),
}

export const STAGE_DEFAULTS = {
  jobTypeId: null,
  loginSetupId: null,
  voRole: 'Production',
  dataset: '',
  splitType: null,
  testSplitType: null,
  softwareVersion: '',
  paramOverrides: [],
  testParamOverrides: [],
  completionType: 'located',
  completionPct: 95,
  mergeOverrides: false,
  outputAncestorDepth: 1,
  stageType: 'regular',
  defaultClearCronjob: true,
} as const satisfies { [K in keyof typeof StageSettings]: z.input<(typeof StageSettings)[K]> }

export const StageInput = z.object({
  campaignId: Id,
  name: Name,
  jobTypeId: StageSettings.jobTypeId.default(STAGE_DEFAULTS.jobTypeId),
  loginSetupId: StageSettings.loginSetupId.default(STAGE_DEFAULTS.loginSetupId),
  voRole: StageSettings.voRole.default(STAGE_DEFAULTS.voRole),
  dataset: StageSettings.dataset.default(STAGE_DEFAULTS.dataset),
  splitType: StageSettings.splitType.default(STAGE_DEFAULTS.splitType),
  testSplitType: StageSettings.testSplitType.default(STAGE_DEFAULTS.testSplitType),
  softwareVersion: StageSettings.softwareVersion.default(STAGE_DEFAULTS.softwareVersion),
  paramOverrides: StageSettings.paramOverrides.default([]),
  testParamOverrides: StageSettings.testParamOverrides.default([]),
  completionType: StageSettings.completionType.default(STAGE_DEFAULTS.completionType),
  completionPct: StageSettings.completionPct.default(STAGE_DEFAULTS.completionPct),
  mergeOverrides: StageSettings.mergeOverrides.default(STAGE_DEFAULTS.mergeOverrides),
  outputAncestorDepth: StageSettings.outputAncestorDepth.default(STAGE_DEFAULTS.outputAncestorDepth),
  stageType: StageSettings.stageType.default(STAGE_DEFAULTS.stageType),
  defaultClearCronjob: StageSettings.defaultClearCronjob.default(STAGE_DEFAULTS.defaultClearCronjob),
})
export type StageInput = z.input<typeof StageInput>

export const Stage = z.object({
  ...StoredMeta,
  campaignId: Id.nullable(),
  name: Name,
  ...StageSettings,
  /** Split position: an index, an epoch time or a snapshot id, depending on the split type (§4). */
  splitCursor: z.number().int().nullable(),
  hold: StageHold.nullable(),
})
export type Stage = z.infer<typeof Stage>

/** A dependency edge: `fromStageId` produces files, `toStageId` consumes those matching `filePatterns`. */
export const DependencyInput = z.object({
  fromStageId: Id,
  toStageId: Id,
  filePatterns: z.string().trim().min(1, 'a file pattern such as %.root is required').max(2000),
})
export type DependencyInput = z.input<typeof DependencyInput>

export const Dependency = z.object({
  ...StoredMeta,
  campaignId: Id,
  fromStageId: Id,
  toStageId: Id,
  filePatterns: z.string(),
})
export type Dependency = z.infer<typeof Dependency>
