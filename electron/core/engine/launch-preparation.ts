import type { LaunchPreview, ParsedInput } from '../../../shared/api/contract'
import type { Campaign } from '../../../shared/domain/campaign'
import type { JobType } from '../../../shared/domain/job-type'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { Stage } from '../../../shared/domain/stage'
import type { ResolvedLaunch } from '../../../shared/domain/submission'
import { badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import type { Backend, LaunchPlan } from './backends/backend'
import { DatasetError, type FileLister } from './data/data-handler'
import { resolveLaunch } from './launch-resolver'

/** Everything a launch needs, resolved and checked, before anything is written or run. */
export interface PreparedLaunch {
  submissionId: string
  stage: Stage
  campaign: Campaign | null
  jobType: JobType
  loginSetup: LoginSetup
  backend: Backend
  /** Frozen into the snapshot. */
  launch: ResolvedLaunch
  /** Why the launch fails at once (an unreadable dataset); the submission is then LaunchFailed. */
  datasetError: string | null
}

type LaunchRequest = Pick<ParsedInput<'submissions:launch'>, 'test' | 'datasetOverride' | 'paramOverrides'>

/** The job type, login setup and backend a stage launches with, after campaign defaults. */
function launchConfig(deps: CoreDeps, backends: ReadonlyMap<string, Backend>, experiment: string, stage: Stage) {
  const { repos } = deps
  const campaign = stage.campaignId ? repos.campaigns.get(experiment, stage.campaignId) : null
  const jobTypeId = stage.jobTypeId ?? campaign?.defaults.jobTypeId ?? null
  const loginSetupId = stage.loginSetupId ?? campaign?.defaults.loginSetupId ?? null
  const missing: { path: string; message: string }[] = []
  if (!jobTypeId) missing.push({ path: 'jobTypeId', message: 'choose the job type this stage runs' })
  if (!loginSetupId) missing.push({ path: 'loginSetupId', message: 'choose the login setup this stage launches with' })
  if (missing.length > 0) {
    throw badInput(`stage ${stage.name} cannot be launched: it has no ${missing.map((m) => (m.path === 'jobTypeId' ? 'job type' : 'login setup')).join(' and no ')}`, missing)
  }
  const jobType = repos.jobTypes.get(experiment, jobTypeId!)
  const loginSetup = repos.loginSetups.get(experiment, loginSetupId!)
  if (!jobType) throw badInput(`stage ${stage.name} refers to a job type that no longer exists`, [{ path: 'jobTypeId', message: 'deleted' }])
  if (!loginSetup) throw badInput(`stage ${stage.name} refers to a login setup that no longer exists`, [{ path: 'loginSetupId', message: 'deleted' }])
  const backend = backends.get(loginSetup.backend)
  if (!backend) {
    throw badInput(`the ${loginSetup.backend} backend of login setup ${loginSetup.name} is not available in this version`, [
      { path: 'loginSetupId', message: `${loginSetup.backend} is not available` },
    ])
  }
  return { campaign, jobType, loginSetup, backend }
}

/**
 * Resolves a launch without side effects: configuration, parameters, substitution, and (for the
 * local backend) the dataset's files. A dry run stops here; a launch journals the result.
 */
export async function prepareLaunch(
  deps: CoreDeps,
  backends: ReadonlyMap<string, Backend>,
  dataHandler: FileLister,
  actor: Actor,
  stage: Stage,
  request: LaunchRequest,
  submissionId: string,
): Promise<PreparedLaunch> {
  const { campaign, jobType, loginSetup, backend } = launchConfig(deps, backends, actor.experiment, stage)
  const { jobCountRequested, ...resolved } = resolveLaunch({
    stage,
    campaign,
    jobType,
    loginSetup,
    request: { test: request.test, datasetOverride: request.datasetOverride, paramOverrides: request.paramOverrides },
    launcher: actor.username,
    submissionId,
  })
  let files: string[] = []
  let datasetError: string | null = null
  // The local data handler reads this machine's files, so it serves local launches; remote jobs
  // receive the dataset name and find their input through the batch system (issue 5 adds more).
  if (loginSetup.backend === 'local') {
    try {
      files = await dataHandler.listFiles(resolved.dataset)
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err
      datasetError = `the dataset cannot be read: ${err.message}`
    }
  }
  return {
    submissionId,
    stage,
    campaign,
    jobType,
    loginSetup,
    backend,
    launch: { ...resolved, files, jobCount: jobCountRequested },
    datasetError,
  }
}

/** The plan a backend receives, from the frozen launch. */
export function launchPlan(base: Omit<LaunchPlan, 'command' | 'argv' | 'files' | 'jobCount' | 'tags'>, launch: ResolvedLaunch): LaunchPlan {
  return { ...base, command: launch.command, argv: launch.argv, files: launch.files, jobCount: launch.jobCount, tags: launch.tags }
}

/** What a dry run shows: exactly what the launch would run, nothing stored. */
export function previewOf(prepared: PreparedLaunch, plan: LaunchPlan): LaunchPreview {
  const { launch } = prepared
  return {
    backend: prepared.loginSetup.backend,
    target: launch.target,
    command: launch.command,
    argv: launch.argv,
    script: prepared.backend.launchScript?.(plan) ?? null,
    env: launch.env,
    tags: launch.tags,
    params: launch.params,
    variables: launch.variables,
    dataset: launch.dataset,
    files: launch.files,
    jobCount: launch.jobCount,
    problem: prepared.datasetError,
  }
}
