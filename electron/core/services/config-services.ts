import type { z } from 'zod'
import type { Campaign, CampaignInput } from '../../../shared/domain/campaign'
import type { JobType, JobTypeInput } from '../../../shared/domain/job-type'
import type { LoginSetup, LoginSetupInput } from '../../../shared/domain/login-setup'
import { selfDependencyAllowed } from '../../../shared/domain/dependency-rules'
import type { Dependency, DependencyInput, Stage, StageInput } from '../../../shared/domain/stage'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import { createCrudService, type RevisionRecorder } from './crud-service'
import { splitCursorAfterEdit } from './split-cursor'

type Parsed<S extends z.ZodType> = z.output<S>

const inUse = (what: string, name: string, stages: string[]): AppError =>
  new AppError('CONFLICT', `${what} ${name} is used by stage${stages.length > 1 ? 's' : ''} ${stages.join(', ')}; change those first`, {
    details: { stages },
  })

/**
 * Login setups, job types, campaigns, stages and dependencies: the campaign author's configuration.
 * Writes to a campaign, its stages or its dependencies record a revision of that campaign.
 */
export function createConfigServices(deps: CoreDeps, revisions: RevisionRecorder) {
  const { repos } = deps
  const stageName = (experiment: string, id: string) => repos.stages.get(experiment, id)?.name ?? id

  const loginSetups = createCrudService<LoginSetup, Parsed<typeof LoginSetupInput>>(deps, {
    table: repos.loginSetups,
    entityType: 'login setup',
    event: 'loginSetups:changed',
    fields: (input, existing) => ({ ...input, secretRef: existing?.secretRef ?? null }),
    describe: (item) => item.name,
    onDelete: (_actor, item) => {
      const stages = repos.stages.namesUsing({ loginSetupId: item.id })
      if (stages.length > 0) throw inUse('login setup', item.name, stages)
    },
  })

  const jobTypes = createCrudService<JobType, Parsed<typeof JobTypeInput>>(deps, {
    table: repos.jobTypes,
    entityType: 'job type',
    event: 'jobTypes:changed',
    fields: (input) => input,
    describe: (item) => item.name,
    onDelete: (_actor, item) => {
      const stages = repos.stages.namesUsing({ jobTypeId: item.id })
      if (stages.length > 0) throw inUse('job type', item.name, stages)
    },
  })

  const campaigns = createCrudService<Campaign, Parsed<typeof CampaignInput>>(deps, {
    table: repos.campaigns,
    entityType: 'campaign',
    event: 'campaigns:changed',
    fields: (input) => input,
    describe: (item) => item.name,
    campaignOf: (item) => item.id,
    validate: (experiment, fields) => {
      const { jobTypeId, loginSetupId } = fields.defaults
      if (jobTypeId && !repos.jobTypes.get(experiment, jobTypeId)) {
        throw badInput('the default job type does not exist', [{ path: 'value.defaults.jobTypeId', message: 'no such job type in this experiment' }])
      }
      if (loginSetupId && !repos.loginSetups.get(experiment, loginSetupId)) {
        throw badInput('the default login setup does not exist', [{ path: 'value.defaults.loginSetupId', message: 'no such login setup in this experiment' }])
      }
    },
    // Stages and dependencies go with their campaign; submissions and snapshots stay (history).
    onDelete: (actor, item, now) => {
      repos.dependencies.tombstoneCampaign(item.id, actor.username, now)
      repos.stages.tombstoneCampaign(item.id, actor.username, now)
    },
  }, revisions)

  const stages = createCrudService<Stage, Parsed<typeof StageInput>>(deps, {
    table: repos.stages,
    entityType: 'stage',
    event: 'stages:changed',
    describe: (item) => item.name,
    campaignOf: (item) => item.campaignId,
    fields: (input, existing) => ({ ...input, splitCursor: splitCursorAfterEdit(existing, input), hold: existing?.hold ?? null }),
    validate: (experiment, fields) => {
      const fieldsErr: { path: string; message: string }[] = []
      if (fields.campaignId && !repos.campaigns.get(experiment, fields.campaignId)) {
        fieldsErr.push({ path: 'value.campaignId', message: 'no such campaign in this experiment' })
      }
      if (fields.jobTypeId && !repos.jobTypes.get(experiment, fields.jobTypeId)) {
        fieldsErr.push({ path: 'value.jobTypeId', message: 'no such job type in this experiment' })
      }
      if (fields.loginSetupId && !repos.loginSetups.get(experiment, fields.loginSetupId)) {
        fieldsErr.push({ path: 'value.loginSetupId', message: 'no such login setup in this experiment' })
      }
      if (fieldsErr.length > 0) throw badInput('the stage refers to things that do not exist', fieldsErr)
    },
    onDelete: (actor, item, now) => {
      repos.dependencies.tombstoneStage(item.id, actor.username, now)
    },
  }, revisions)

  const dependencies = createCrudService<Dependency, Parsed<typeof DependencyInput>>(deps, {
    table: repos.dependencies,
    entityType: 'dependency',
    event: 'dependencies:changed',
    describe: (item) => `${stageName(item.experiment, item.fromStageId)} → ${stageName(item.experiment, item.toStageId)}`,
    campaignOf: (item) => item.campaignId || null,
    fields: (input, _existing, experiment) => ({
      ...input,
      campaignId: repos.stages.get(experiment, input.fromStageId)?.campaignId ?? '',
    }),
    validate: (experiment, fields) => {
      const from = repos.stages.get(experiment, fields.fromStageId)
      const to = repos.stages.get(experiment, fields.toStageId)
      const errs: { path: string; message: string }[] = []
      if (!from) errs.push({ path: 'value.fromStageId', message: 'no such stage in this experiment' })
      if (!to) errs.push({ path: 'value.toStageId', message: 'no such stage in this experiment' })
      if (from && to && from.campaignId !== to.campaignId) {
        errs.push({ path: 'value.toStageId', message: 'both stages must belong to the same campaign' })
      }
      if (from && !from.campaignId) errs.push({ path: 'value.fromStageId', message: 'the stage is not part of a campaign' })
      if (from && to && from.id === to.id && !selfDependencyAllowed(from.splitType)) {
        errs.push({ path: 'value.toStageId', message: 'a stage may depend on itself only when it has a split type that moves on (not none or draining)' })
      }
      if (errs.length > 0) throw badInput('the dependency is not valid', errs)
    },
  }, revisions)

  return { loginSetups, jobTypes, campaigns, stages, dependencies }
}

export type ConfigServices = ReturnType<typeof createConfigServices>
