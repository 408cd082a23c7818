import { z } from 'zod'
import { EpochMs, ExperimentCode, Id, ParamPairs, ShortId } from './common'
import { Campaign } from './campaign'
import { JobType } from './job-type'
import { JobCounts } from './job'
import { BackendKind, LoginSetup } from './login-setup'
import { Stage } from './stage'
import { SubmissionStatus } from './submission-status'

export const FACES = ['desktop', 'web', 'cli', 'engine', 'schedule'] as const
export const Face = z.enum(FACES)
export type Face = z.infer<typeof Face>

/** Where the launch itself stands; the journal that crash recovery reads (architecture.md §5). */
export const LAUNCH_STATES = ['pending', 'launching', 'launched', 'failed', 'held', 'awaiting'] as const
export const LaunchState = z.enum(LAUNCH_STATES)
export type LaunchState = z.infer<typeof LaunchState>

export const StatusChange = z.object({
  status: SubmissionStatus,
  at: EpochMs,
  actor: z.string(),
  face: Face,
  reason: z.string().nullable(),
})
export type StatusChange = z.infer<typeof StatusChange>

export const Submission = z.object({
  id: Id,
  shortId: ShortId,
  experiment: ExperimentCode,
  campaignId: Id.nullable(),
  stageId: Id,
  stageName: z.string(),
  campaignName: z.string().nullable(),
  status: SubmissionStatus,
  statusAt: EpochMs,
  launchState: LaunchState,
  /** Why the launch failed, in words a person can act on. */
  launchError: z.string().nullable(),
  test: z.boolean(),
  backend: BackendKind,
  batchId: z.string().nullable(),
  dataset: z.string(),
  parentSubmissionId: Id.nullable(),
  creator: z.string(),
  creatorRole: z.string(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
  rev: z.number().int().positive(),
  jobCounts: JobCounts,
})
export type Submission = z.infer<typeof Submission>

/** A slice of a split as a launch took it: the spec, what the data handler made of it, its size. */
export const SplitTaken = z.object({
  spec: z.string(),
  description: z.string(),
  definitions: z.array(z.object({ name: z.string(), dims: z.string() })),
  fileCount: z.number().int().nullable(),
})
export type SplitTaken = z.infer<typeof SplitTaken>

/** Everything a launch resolved, frozen: enough to reproduce it and to diff it against another. */
export const ResolvedLaunch = z.object({
  test: z.boolean(),
  datasetOverride: z.string().nullable(),
  launchParamOverrides: ParamPairs,
  /** The merged parameter list, in POMS's order, before substitution. */
  params: ParamPairs,
  /** The launch command with every `%(var)s` substituted. */
  command: z.string(),
  /** The command as an argument vector (local backend: what is executed, no shell involved). */
  argv: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  dataset: z.string(),
  files: z.array(z.string()),
  jobCount: z.number().int().nonnegative(),
  splitCursorBefore: z.number().int().nullable(),
  splitCursorAfter: z.number().int().nullable(),
  /** The slice of the stage's split this launch took (none with a dataset override or no split type). */
  split: SplitTaken.nullable().optional(),
  variables: z.record(z.string(), z.string()),
  /** Remote backends: the launch host and account with `%(var)s` resolved; null for local. */
  target: z.object({ host: z.string(), port: z.number().int(), account: z.string(), timezone: z.string() }).nullable(),
  /** The login setup's shell text with `%(var)s` values escaped for where they stand. */
  setup: z.string(),
  /** Attributes every job carries so it can be found again (`POMS4_SUBMISSION_ID`…). */
  tags: z.record(z.string(), z.string()),
  /** VO group and role (jobsub `-G`, `--role`). */
  group: z.string(),
  role: z.string(),
})
export type ResolvedLaunch = z.infer<typeof ResolvedLaunch>

export const SubmissionSnapshot = z.object({
  campaign: Campaign.nullable(),
  stage: Stage,
  jobType: JobType,
  loginSetup: LoginSetup,
  launch: ResolvedLaunch,
  takenAt: EpochMs,
})
export type SubmissionSnapshot = z.infer<typeof SubmissionSnapshot>

export const SubmissionDetail = z.object({
  submission: Submission,
  history: z.array(StatusChange),
  snapshot: SubmissionSnapshot.nullable(),
})
export type SubmissionDetail = z.infer<typeof SubmissionDetail>

export const HeldLaunch = z.object({
  id: Id,
  experiment: ExperimentCode,
  stageId: Id,
  createdAt: EpochMs,
  launcher: z.string(),
  launcherRole: z.string(),
  test: z.boolean(),
  datasetOverride: z.string().nullable(),
  paramOverrides: ParamPairs,
  parentSubmissionId: Id.nullable(),
})
export type HeldLaunch = z.infer<typeof HeldLaunch>

export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: EpochMs,
  experiment: z.string().nullable(),
  actor: z.string(),
  role: z.string(),
  face: Face,
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  summary: z.string(),
})
export type AuditEntry = z.infer<typeof AuditEntry>
