import type { LaunchPreview, ParsedInput } from '../../../shared/api/contract'
import type { Campaign } from '../../../shared/domain/campaign'
import { DimensionSyntaxError } from '../../../shared/dimensions/ast'
import { DimensionEvaluationError } from '../../../shared/dimensions/evaluate'
import type { JobType } from '../../../shared/domain/job-type'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { Stage } from '../../../shared/domain/stage'
import type { ResolvedLaunch } from '../../../shared/domain/submission'
import { AppError, badInput } from '../../../shared/errors'
import { SplitSetupError } from '../../../shared/splits/types'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import type { Backend, LaunchPlan } from './backends/backend'
import { DataServiceError, DatasetError, SplitExhausted, type DataHandler, type SplitOutcome, type SplitRequest } from './data/data-handler'
import type { DataHandlers } from './data/data-handlers'
import { isRemoteDataset } from './data/local/remote-dataset'
import { expandKeywords, resolveLaunch, type SplitSlice } from './launch-resolver'

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

/** The job type, login setup and backend a stage launches with, after campaign defaults; BAD_INPUT when it cannot launch. */
export function launchConfig(deps: CoreDeps, backends: ReadonlyMap<string, Backend>, experiment: string, stage: Stage) {
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

/** The split spec a launch uses: test launches take test_split_type when it is set (POMS §3.10). */
export const splitSpecFor = (stage: Pick<Stage, 'splitType' | 'testSplitType'>, test: boolean): string | null =>
  test ? (stage.testSplitType ?? stage.splitType) : stage.splitType

/** A split request for the stage as it is now (its dataset with campaign keywords filled in). */
export function splitRequestFor(stage: Stage, campaign: Campaign | null, test: boolean, now: number): SplitRequest | null {
  const splitType = splitSpecFor(stage, test)
  if (splitType === null) return null
  return {
    experiment: stage.experiment,
    stageId: stage.id,
    stageName: stage.name,
    dataset: expandKeywords(stage.dataset, campaign?.keywords ?? {}),
    splitType,
    cursor: stage.splitCursor,
    now,
  }
}

/**
 * A data handler call that failed, as the person asking sees it: a service that did not answer is
 * UNAVAILABLE (retry later), a dataset the handler cannot use (missing files, a query that does not
 * parse or names what does not exist) is BAD_INPUT with the handler's reason. Nothing is stored.
 */
export function dataCallFailed(err: unknown): never {
  if (err instanceof DataServiceError) throw new AppError('UNAVAILABLE', `the data service ${err.service} did not answer: ${err.message}; try again later`)
  if (isDatasetProblem(err)) throw badInput(`the dataset cannot be used: ${err.message}`)
  throw err
}

/** The handler could not use the dataset as written (missing files, a query that does not parse or names nothing). */
function isDatasetProblem(err: unknown): err is Error {
  return err instanceof DatasetError || err instanceof SplitSetupError || err instanceof DimensionSyntaxError || err instanceof DimensionEvaluationError
}

/**
 * A previewed slice as handlers may give it: besides the outcome, a query for exactly its files
 * (its definitions do not exist yet) and its first files. Handlers that do not say leave them out.
 */
export type PreviewedSlice = SplitOutcome & { dims?: string | null; files?: string[] }

/** The split simulator's call; handlers that can list a slice's first files take `filesPerSlice`. */
export function previewSplits(handler: DataHandler, req: SplitRequest, count: number, filesPerSlice: number): Promise<{ slices: PreviewedSlice[]; exhaustedAfter: number | null }> {
  const previewing = handler.previewSplits as (req: SplitRequest, count: number, options?: { filesPerSlice?: number }) => ReturnType<DataHandler['previewSplits']>
  return previewing.call(handler, req, count, { filesPerSlice })
}

/**
 * The next slice of the stage's split: taken (the handler may create definitions and snapshots; the
 * cursor itself moves only with the journal), or only looked at for a dry run. Throws SplitExhausted.
 */
async function sliceFor(handler: DataHandler, req: SplitRequest, preview: boolean): Promise<SplitSlice & { listAs: string }> {
  let outcome: PreviewedSlice
  try {
    if (preview) {
      const { slices } = await previewSplits(handler, req, 1, 0)
      if (slices.length === 0) throw new SplitExhausted(`the split ${req.splitType} of ${req.stageName} has nothing left`)
      outcome = slices[0]!
    } else {
      outcome = await handler.nextSplit(req)
    }
  } catch (err) {
    return dataCallFailed(err)
  }
  return {
    dataset: outcome.dataset,
    cursorAfter: outcome.cursorAfter,
    taken: { spec: req.splitType!, description: outcome.description, definitions: outcome.definitions, fileCount: outcome.fileCount },
    // A previewed slice's definition does not exist yet: its files are listed by its query.
    listAs: outcome.dims ?? outcome.dataset,
  }
}

/**
 * The files a batch-system launch gets with the `local` data handler: those of a dataset on a batch
 * host (`sftp://setup/…`, a slice of one, or a recovery of one), listed for the jobs as local jobs'
 * are. Any other dataset (a name only the launch script understands) goes to the launch as text.
 */
async function batchHostFiles(handler: DataHandler, experiment: string, dataset: string): Promise<string[]> {
  // A dataset written as files on a host must be there: its problems fail the launch.
  if (isRemoteDataset(dataset)) return handler.listFiles(experiment, dataset)
  try {
    const files = await handler.listFiles(experiment, dataset)
    return files.length > 0 && files.every(isRemoteDataset) ? files : []
  } catch (err) {
    // Any other text the catalog cannot read is the launch script's business (issue 4's datasets).
    if (isDatasetProblem(err)) return []
    return dataCallFailed(err)
  }
}

export interface PrepareOptions {
  /** A dry run: look at the next slice without taking it. */
  preview: boolean
  /** Recovery launches: the submission being recovered. */
  parentSubmissionId: string | null
}

/**
 * Resolves a launch: configuration, the split's next slice, parameters, substitution, and (for the
 * local backend, whose jobs read files on this machine) the dataset's files. A dry run stops here
 * and has changed nothing; a launch journals the result, which is when the split cursor moves.
 */
export async function prepareLaunch(
  deps: CoreDeps,
  backends: ReadonlyMap<string, Backend>,
  handlers: DataHandlers,
  actor: Actor,
  stage: Stage,
  request: LaunchRequest,
  submissionId: string,
  opts: PrepareOptions,
): Promise<PreparedLaunch> {
  const { campaign, jobType, loginSetup, backend } = launchConfig(deps, backends, actor.experiment, stage)
  const splitRequest = request.datasetOverride === null ? splitRequestFor(stage, campaign, request.test, deps.clock.now()) : null
  const handler = handlers.forExperiment(actor.experiment)
  const split = splitRequest ? await sliceFor(handler, splitRequest, opts.preview) : null
  const { jobCountRequested, ...resolved } = resolveLaunch({
    stage,
    campaign,
    jobType,
    loginSetup,
    request: { test: request.test, datasetOverride: request.datasetOverride, paramOverrides: request.paramOverrides },
    launcher: actor.username,
    submissionId,
    split,
    parentSubmissionId: opts.parentSubmissionId,
  })
  let files: string[] = []
  let datasetError: string | null = null
  // Local jobs read their input on this machine, so they get the files; remote jobs receive the
  // dataset name and the project, and find their input through the data service.
  const listAs = split && request.datasetOverride === null ? split.listAs : resolved.dataset
  if (loginSetup.backend === 'local' && resolved.dataset.trim() !== '') {
    try {
      files = await handler.listFiles(actor.experiment, listAs)
    } catch (err) {
      if (!(err instanceof DatasetError)) dataCallFailed(err)
      datasetError = `the dataset cannot be read: ${(err as Error).message}`
    }
  } else if (handler.kind === 'local' && resolved.dataset.trim() !== '') {
    try {
      files = await batchHostFiles(handler, actor.experiment, listAs)
    } catch (err) {
      if (!isDatasetProblem(err)) dataCallFailed(err)
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
