import { z } from 'zod'
import { Campaign, CampaignInput } from '../domain/campaign'
import { CampaignDocument, Problem } from '../domain/campaign-document'
import { ImportResult } from '../campaign-file/import-report'
import { ExpectedRev, ExperimentCode, Id, IdRef, Name, ParamPairs, Username } from '../domain/common'
import { DataHandlerKind, Experiment } from '../domain/experiment'
import { Job } from '../domain/job'
import { JobType, JobTypeInput, RecoveryType } from '../domain/job-type'
import { LoginSetup, LoginSetupInput } from '../domain/login-setup'
import { Role } from '../domain/roles'
import { Dependency, DependencyInput, Stage, StageInput } from '../domain/stage'
import { AuditEntry, HeldLaunch, Submission, SubmissionDetail } from '../domain/submission'
import { SubmissionStatus } from '../domain/submission-status'
import { Task } from '../domain/task'
import type { Channel } from './channels'
import { listInput, page } from './paging'

/** Every experiment-scoped call names its experiment, and may name the role the caller acts in. */
const scoped = { experiment: ExperimentCode, role: Role.optional() }
const byId = z.object({ ...scoped, id: IdRef })
const deleteInput = z.object({ ...scoped, id: IdRef, expectedRev: ExpectedRev })
const NameFilter = z.object({ name: z.string().max(200).optional(), includeInactive: z.boolean().default(false) })

const TextBlob = z.object({ text: z.string(), truncated: z.boolean(), bytes: z.number().int().nonnegative() })

export const Session = z.object({
  user: z.object({ username: Username, displayName: z.string(), root: z.boolean() }),
  memberships: z.array(z.object({ experiment: ExperimentCode, role: Role, actingRoles: z.array(Role) })),
  defaultExperiment: ExperimentCode.nullable(),
  face: z.enum(['desktop', 'web', 'cli']),
  version: z.string(),
  dataDir: z.string(),
})
export type Session = z.infer<typeof Session>

export const LaunchRequest = z.object({
  ...scoped,
  stageId: IdRef,
  test: z.boolean().default(false),
  datasetOverride: z.string().max(100_000).nullable().default(null),
  paramOverrides: ParamPairs.default([]),
  /** A retried call with the same key returns the first call's submission instead of launching again. */
  idempotencyKey: z.string().trim().min(8, 'an idempotency key of at least 8 characters is required').max(200),
  /** Show exactly what would run — command, environment, script, files — and change nothing. */
  dryRun: z.boolean().default(false),
})
export type LaunchRequest = z.input<typeof LaunchRequest>

/** What a launch would run, shown by a dry run without any side effect. */
export const LaunchPreview = z.object({
  backend: z.string(),
  target: z.object({ host: z.string(), port: z.number().int(), account: z.string(), timezone: z.string() }).nullable(),
  /** The launch command with every value inserted. */
  command: z.string(),
  argv: z.array(z.string()),
  /** The whole script a remote launch runs on the launch host (setup, environment, tags, command). */
  script: z.string().nullable(),
  env: z.record(z.string(), z.string()),
  tags: z.record(z.string(), z.string()),
  params: ParamPairs,
  variables: z.record(z.string(), z.string()),
  dataset: z.string(),
  files: z.array(z.string()),
  jobCount: z.number().int(),
  /** Why the real launch would fail at once (an unreadable dataset), or null. */
  problem: z.string().nullable(),
})
export type LaunchPreview = z.infer<typeof LaunchPreview>

export const LaunchResult = z.object({
  submission: Submission.nullable(),
  held: HeldLaunch.nullable(),
  taskId: z.string().nullable(),
  /** True when the idempotency key matched an earlier launch and nothing new was started. */
  replayed: z.boolean(),
  /** Set by a dry run (and then nothing else is). */
  preview: LaunchPreview.nullable().default(null),
})
export type LaunchResult = z.infer<typeof LaunchResult>

function crud<E extends z.ZodType, I extends z.ZodType, F extends z.ZodObject = typeof NameFilter>(entity: E, input: I, filter: F = NameFilter as unknown as F) {
  return {
    list: { input: z.object({ ...scoped, ...listInput(filter, ['name', '-updatedAt'] as const).shape }), output: page(entity) },
    get: { input: byId, output: entity },
    create: { input: z.object({ ...scoped, value: input }), output: entity },
    update: { input: z.object({ ...scoped, id: IdRef, expectedRev: ExpectedRev, value: input }), output: entity },
    delete: { input: deleteInput, output: z.object({ id: Id, deleted: z.literal(true) }) },
  } as const
}

const loginSetups = crud(LoginSetup, LoginSetupInput)
const jobTypes = crud(JobType, JobTypeInput)
const campaigns = crud(
  Campaign,
  CampaignInput,
  NameFilter.extend({ tag: z.string().max(100).optional() }),
)
const stages = crud(Stage, StageInput, z.object({ campaignId: Id.optional(), name: z.string().max(200).optional() }))

/** A campaign file handed over as text (the UI reads dropped files; the CLI reads paths). */
export const CampaignFile = z.object({
  name: z.string().trim().min(1).max(500),
  text: z.string().max(2_000_000, 'a campaign file over 2 MB is not a campaign file'),
})

export const Draft = z.object({
  campaignId: Id,
  /** The document being edited: the draft when one exists, else the published configuration. */
  document: CampaignDocument,
  /** True when a saved draft exists; false when `document` is the published configuration. */
  isDraft: z.boolean(),
  /** The published revision the draft started from. */
  baseRevision: z.number().int().nonnegative(),
  /** The draft's own revision counter, for expectedRev on save; null without a draft. */
  rev: z.number().int().positive().nullable(),
  updatedAt: z.number().int().nullable(),
  updater: z.string().nullable(),
  /** Whole-campaign validation of `document` against this experiment's job types and login setups. */
  problems: z.array(Problem),
})
export type Draft = z.infer<typeof Draft>

export const RevisionInfo = z.object({
  campaignId: Id,
  revision: z.number().int().positive(),
  createdAt: z.number().int(),
  creator: z.string(),
  face: z.string(),
  summary: z.string(),
})
export type RevisionInfo = z.infer<typeof RevisionInfo>

/** A host key as SSH presented or pinned it; `status` compares it with what was pinned. */
export const HostKeyInfo = z.object({
  host: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]+$/, 'an OpenSSH SHA256 fingerprint'),
})
export const PinnedHostKey = HostKeyInfo.extend({ pinnedAt: z.number().int(), pinnedBy: z.string() })

/** The outcome of a login setup's "Test connection": where it got to, what the setup printed, how long each step took. */
export const ConnectionTest = z.object({
  ok: z.boolean(),
  /** The step that failed, or 'done'. */
  reached: z.enum(['connect', 'host-key', 'auth', 'setup', 'done']),
  message: z.string(),
  host: z.string(),
  port: z.number().int(),
  account: z.string(),
  connectMs: z.number().nullable(),
  setupMs: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  output: z.string(),
  /** Set when the host key is not yet trusted (confirm it with sshHosts:trust) or has changed. */
  hostKey: HostKeyInfo.extend({ status: z.enum(['unknown', 'changed']), expected: z.string().nullable() }).nullable(),
})
export type ConnectionTest = z.infer<typeof ConnectionTest>

export const GlobalHold = z.object({ held: z.boolean(), by: z.string().nullable(), at: z.number().int().nullable() })

/** One launch's worth of a split, as the simulator and the launch show it. */
export const SplitSlice = z.object({
  dataset: z.string(),
  cursorAfter: z.number().int().nullable(),
  fileCount: z.number().int().nullable(),
  definitions: z.array(z.object({ name: z.string(), dims: z.string() })),
  description: z.string(),
  /** The first files of the slice, when the data handler can list them. */
  files: z.array(z.string()),
})
export type SplitSlice = z.infer<typeof SplitSlice>

export const SplitPreview = z.object({
  stageId: Id,
  splitType: z.string().nullable(),
  cursor: z.number().int().nullable(),
  slices: z.array(SplitSlice),
  /** The slice index after which the split is exhausted, or null if it lasts beyond what was asked. */
  exhaustedAfter: z.number().int().nullable(),
  /** Where POMS's behaviour and its documentation differ for this split type, what we do. */
  notes: z.array(z.string()),
})
export type SplitPreview = z.infer<typeof SplitPreview>

/** A campaign's next launches, stage by stage, including the recoveries its history makes likely. */
export const CampaignPlan = z.object({
  campaignId: Id,
  steps: z.array(
    z.object({
      order: z.number().int(),
      stageId: Id,
      stageName: z.string(),
      kind: z.enum(['split', 'recovery', 'dependent', 'approval']),
      dataset: z.string(),
      fileCount: z.number().int().nullable(),
      why: z.string(),
    }),
  ),
})

export const FileAccountingView = z.object({
  submitted: z.number().int().nullable(),
  delivered: z.number().int().nullable(),
  consumed: z.number().int().nullable(),
  failed: z.number().int().nullable(),
  skipped: z.number().int().nullable(),
  unknown: z.number().int().nullable(),
  outputs: z.number().int().nullable(),
  project: z.string().nullable(),
})

export const RecoveryPreview = z.object({
  submissionId: Id,
  type: RecoveryType,
  /** The plan step this would be (or null for a manual recovery of a chosen type). */
  position: z.number().int().nullable(),
  dataset: z.string().nullable(),
  count: z.number().int(),
  files: z.array(z.string()),
  detail: z.string(),
})
export type RecoveryPreview = z.infer<typeof RecoveryPreview>

export const Schedule = z.object({
  stageId: Id,
  stageName: z.string(),
  campaignId: Id.nullable(),
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: z.string(),
  /** IANA time zone the cron expression is read in. */
  timezone: z.string(),
  /** Clear the schedule when the stage's split is exhausted (the stage's default_clear_cronjob). */
  clearWhenExhausted: z.boolean(),
  /** The owner launches run as (POMS: the person who scheduled it). */
  launcher: z.string(),
  nextRuns: z.array(z.number().int()),
  lastRunAt: z.number().int().nullable(),
  lastOutcome: z.string().nullable(),
})
export type Schedule = z.infer<typeof Schedule>

/** A setting or secret name of an experiment's data handler: `sam.base_url`, `metacat.token`… */
const SettingName = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, 'a setting name: letters, digits, _ . - (up to 64)')

/** An experiment's data handler and its configuration; secret values never leave the secret store. */
export const ExperimentConfig = z.object({
  experiment: ExperimentCode,
  dataHandler: DataHandlerKind,
  settings: z.record(z.string(), z.string()),
  /** Names of the secrets that are set. */
  secrets: z.array(z.string()),
  /** Data handlers this version can use. */
  available: z.array(DataHandlerKind),
})
export type ExperimentConfig = z.infer<typeof ExperimentConfig>

export const SubmissionFilter = z.object({
  campaignId: Id.optional(),
  stageId: Id.optional(),
  status: z.array(SubmissionStatus).max(20).optional(),
  activeOnly: z.boolean().default(false),
})

export const contract = {
  'session:get': { input: z.object({}), output: Session },
  'experiments:list': { input: z.object({}), output: z.array(Experiment) },
  /**
   * An experiment's data handler and its settings (service URLs) and secrets (tokens, kept in the
   * secret store); a null value removes one. Superusers only; without changes it reads the config.
   */
  'experiments:configure': {
    input: z.object({
      experiment: ExperimentCode,
      dataHandler: DataHandlerKind.optional(),
      settings: z.record(SettingName, z.string().max(2000).nullable()).default({}),
      secrets: z.record(SettingName, z.string().max(64_000).nullable()).default({}),
    }),
    output: ExperimentConfig,
  },

  'loginSetups:list': loginSetups.list,
  'loginSetups:get': loginSetups.get,
  'loginSetups:create': loginSetups.create,
  'loginSetups:update': loginSetups.update,
  'loginSetups:delete': loginSetups.delete,

  'jobTypes:list': jobTypes.list,
  'jobTypes:get': jobTypes.get,
  'jobTypes:create': jobTypes.create,
  'jobTypes:update': jobTypes.update,
  'jobTypes:delete': jobTypes.delete,

  'campaigns:list': campaigns.list,
  'campaigns:get': campaigns.get,
  'campaigns:create': campaigns.create,
  'campaigns:update': campaigns.update,
  'campaigns:delete': campaigns.delete,

  'stages:list': stages.list,
  'stages:get': stages.get,
  'stages:create': stages.create,
  'stages:update': stages.update,
  'stages:delete': stages.delete,

  'loginSetups:test': { input: byId, output: ConnectionTest },
  'loginSetups:setSecret': {
    input: z.object({
      ...scoped,
      id: IdRef,
      kind: z.enum(['privateKey', 'passphrase']),
      /** The key or passphrase; null removes it. Kept in the OS secret store, never in the database. */
      value: z.string().max(64_000).nullable(),
    }),
    output: LoginSetup,
  },
  'sshHosts:list': { input: z.object({}), output: z.array(PinnedHostKey) },
  'sshHosts:trust': { input: HostKeyInfo, output: PinnedHostKey },
  'sshHosts:forget': { input: z.object({ host: z.string().min(1).max(255), port: z.number().int().min(1).max(65535) }), output: z.object({ forgotten: z.boolean() }) },

  'stages:hold': { input: z.object({ ...scoped, id: IdRef, held: z.boolean() }), output: Stage },
  /** Start the stage's split over (cursor null). */
  'stages:resetSplit': { input: z.object({ ...scoped, id: IdRef }), output: Stage },
  /**
   * Set the split cursor to the value a given earlier submission's launch left (its snapshot's
   * cursor after), or to a typed value — POMS's Last Split editor, storing the right value.
   */
  'stages:setSplitCursor': {
    input: z.object({ ...scoped, id: IdRef, cursor: z.number().int().nullable().optional(), fromSubmissionId: IdRef.optional() }).refine((v) => v.cursor !== undefined || v.fromSubmissionId !== undefined, {
      message: 'give a cursor or the submission whose cursor to restore',
      path: ['cursor'],
    }),
    output: Stage,
  },
  'splits:preview': {
    input: z.object({ ...scoped, stageId: IdRef, count: z.number().int().min(1).max(1000).default(10), test: z.boolean().default(false), filesPerSlice: z.number().int().min(0).max(100).default(5) }),
    output: SplitPreview,
  },
  'campaigns:plan': { input: z.object({ ...scoped, id: IdRef, launches: z.number().int().min(1).max(200).default(10) }), output: CampaignPlan },
  'schedules:list': { input: z.object({ ...scoped }), output: z.array(Schedule) },
  'schedules:set': {
    input: z.object({ ...scoped, stageId: IdRef, cron: z.string().trim().min(1).max(200), timezone: z.string().trim().min(1).max(64), clearWhenExhausted: z.boolean().optional() }),
    output: Schedule,
  },
  'schedules:delete': { input: z.object({ ...scoped, stageId: IdRef }), output: z.object({ stageId: Id, deleted: z.boolean() }) },

  'dependencies:list': { input: z.object({ ...scoped, campaignId: IdRef }), output: z.array(Dependency) },
  'dependencies:create': { input: z.object({ ...scoped, value: DependencyInput }), output: Dependency },
  'dependencies:delete': { input: deleteInput, output: z.object({ id: Id, deleted: z.literal(true) }) },

  'campaigns:import': {
    input: z.object({ ...scoped, files: z.array(CampaignFile).min(1).max(500), dryRun: z.boolean().default(false) }),
    output: z.object({ results: z.array(ImportResult) }),
  },
  'campaigns:export': {
    input: z.object({ ...scoped, id: IdRef, revision: z.number().int().positive().optional() }),
    output: z.object({ fileName: z.string(), text: z.string() }),
  },
  'campaigns:clone': {
    input: z.object({
      ...scoped,
      id: IdRef,
      name: Name,
      /** Text replacements applied to stage names and values (POMS's from → to), in order. */
      replace: z.array(z.object({ from: z.string().min(1).max(200), to: z.string().max(200) })).max(20).default([]),
    }),
    output: Campaign,
  },
  'drafts:get': { input: z.object({ ...scoped, campaignId: IdRef }), output: Draft },
  'drafts:save': {
    input: z.object({ ...scoped, campaignId: IdRef, document: CampaignDocument, expectedRev: z.number().int().positive().nullable() }),
    output: Draft,
  },
  'drafts:discard': { input: z.object({ ...scoped, campaignId: IdRef }), output: Draft },
  'drafts:publish': {
    input: z.object({ ...scoped, campaignId: IdRef, expectedRev: z.number().int().positive(), summary: z.string().trim().max(500).default('') }),
    output: RevisionInfo,
  },
  'revisions:list': { input: z.object({ ...scoped, campaignId: IdRef }), output: z.array(RevisionInfo) },
  'revisions:get': {
    input: z.object({ ...scoped, campaignId: IdRef, revision: z.number().int().positive() }),
    output: z.object({ info: RevisionInfo, document: CampaignDocument }),
  },

  'submissions:launch': { input: LaunchRequest, output: LaunchResult },
  'submissions:list': {
    input: z.object({ ...scoped, ...listInput(SubmissionFilter, ['-createdAt', 'createdAt'] as const).shape }),
    output: page(Submission),
  },
  'submissions:get': { input: byId, output: SubmissionDetail },
  'submissions:jobs': { input: byId, output: z.array(Job) },
  'submissions:launchOutput': { input: byId, output: TextBlob },
  'submissions:jobLog': {
    input: z.object({ ...scoped, id: IdRef, index: z.number().int().nonnegative() }),
    output: TextBlob,
  },
  'submissions:kill': { input: byId, output: Submission },
  'submissions:setStatus': {
    input: z.object({ ...scoped, id: IdRef, status: SubmissionStatus, reason: z.string().trim().max(2000).nullable().default(null) }),
    output: Submission,
  },

  'submissions:hold': { input: byId, output: z.object({ submission: Submission, message: z.string() }) },
  'submissions:release': { input: byId, output: z.object({ submission: Submission, message: z.string() }) },
  'submissions:abort': { input: byId, output: Submission },
  'submissions:files': { input: byId, output: FileAccountingView },
  'submissions:recoveryPreview': { input: z.object({ ...scoped, id: IdRef, type: RecoveryType.optional() }), output: RecoveryPreview },
  /** A manual recovery of a chosen type (or the plan's next step); returns the recovery launch. */
  'submissions:recover': { input: z.object({ ...scoped, id: IdRef, type: RecoveryType.optional(), idempotencyKey: z.string().trim().min(8).max(200) }), output: LaunchResult },
  /** Approval stages: approve (→ Completed, dependents follow) or reject (→ Removed). */
  'submissions:approve': { input: byId, output: Submission },
  'submissions:reject': { input: z.object({ ...scoped, id: IdRef, reason: z.string().trim().max(2000).nullable().default(null) }), output: Submission },
  /** One wrap-up cycle now: completion checks, recoveries, dependents (normally the engine runs it on its own). */
  'wrapup:run': { input: z.object({}), output: z.object({ report: z.array(z.string()) }) },

  'heldLaunches:list': { input: z.object({ ...scoped }), output: z.array(HeldLaunch) },
  /** Launch a queued request now, as the person who asked for it; launches must not be held for its stage. */
  'heldLaunches:release': { input: byId, output: LaunchResult },
  'heldLaunches:drop': { input: byId, output: z.object({ id: Id, dropped: z.literal(true) }) },
  'launches:getHold': { input: z.object({}), output: GlobalHold },
  'launches:setHold': { input: z.object({ held: z.boolean() }), output: GlobalHold },
  'audit:list': {
    input: z.object({
      ...scoped,
      ...listInput(z.object({ entityId: Id.optional(), actor: z.string().max(64).optional() }), ['-seq'] as const).shape,
    }),
    output: page(AuditEntry),
  },

  'tasks:list': { input: z.object({}), output: z.array(Task) },
  'tasks:cancel': { input: z.object({ id: z.string().min(1).max(100) }), output: Task },
} as const satisfies Record<Channel, { input: z.ZodType; output: z.ZodType }>

export type Contract = typeof contract
export type Input<C extends Channel> = z.input<Contract[C]['input']>
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>
export type Output<C extends Channel> = z.output<Contract[C]['output']>

export { Name }
