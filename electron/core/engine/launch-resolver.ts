import type { Campaign } from '../../../shared/domain/campaign'
import type { ParamPair } from '../../../shared/domain/common'
import type { JobType } from '../../../shared/domain/job-type'
import { groupFor, pomsEnvironment, substitutionVariables, type LaunchFacts } from '../../../shared/domain/launch-env'
import {
  CommandSyntaxError,
  joinCommand,
  mergeParams,
  shellQuote,
  splitCommandWords,
  substitute,
  SubstitutionError,
} from '../../../shared/domain/launch-params'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import { substituteShell } from '../../../shared/domain/shell-substitution'
import type { Stage } from '../../../shared/domain/stage'
import type { ResolvedLaunch, SplitTaken } from '../../../shared/domain/submission'
import { badInput } from '../../../shared/errors'

export interface LaunchRequestParts {
  test: boolean
  datasetOverride: string | null
  paramOverrides: ParamPair[]
}

/** The slice of the stage's split a launch takes (dataset already keyword-expanded by the data handler). */
export interface SplitSlice {
  dataset: string
  cursorAfter: number | null
  taken: SplitTaken
}

export interface ResolveInput {
  stage: Stage
  campaign: Campaign | null
  jobType: JobType
  loginSetup: LoginSetup
  request: LaunchRequestParts
  launcher: string
  submissionId: string
  /** The split slice, when the launch takes one (no dataset override and a split type). */
  split?: SplitSlice | null
  /** Recovery launches: the submission being recovered (POMS_PARENT_TASK_ID). */
  parentSubmissionId?: string | null
}

export type ResolvedCommand = Omit<ResolvedLaunch, 'files' | 'jobCount'>

/** `%(kw)s` campaign keywords in a dataset or version; anything else, `%` signs included, stays as written. */
export function expandKeywords(text: string, keywords: Readonly<Record<string, string>>): string {
  return text.replace(/%\(([A-Za-z_][A-Za-z0-9_]*)\)s/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(keywords, name) ? keywords[name]! : whole,
  )
}

/** Keys that carry a jobsub-style job count: `-N 5`, `-N5`, fife_launch's `-Osubmit.N=5`. */
const JOB_COUNT_KEYS = new Set(['-N ', '-N', '-Osubmit.N=', '--N='])

/** How many jobs a launch asks for, read from its parameter list; 1 when it does not say. */
export function requestedJobCount(params: readonly ParamPair[], vars: Readonly<Record<string, string>>): number {
  for (const [key, value] of params) {
    if (!JOB_COUNT_KEYS.has(key)) continue
    const n = Number(substitute(value, vars).trim())
    if (!Number.isInteger(n) || n < 1 || n > 100_000) {
      throw badInput(`the job count ${key.trim()} "${value}" is not a whole number between 1 and 100000`, [
        { path: 'paramOverrides', message: `${key.trim()} must be a job count` },
      ])
    }
    return n
  }
  return 1
}

/**
 * Resolve what a launch will run, in POMS's order: the stage (with campaign defaults for what it
 * leaves unset), the merged parameter list, then `%(var)s` substitution. Inserted values are data:
 * quoted in the display/remote command, kept inside their own word in the local argument vector.
 */
export function resolveLaunch(input: ResolveInput): ResolvedCommand & { jobCountRequested: number } {
  const { stage, campaign, jobType, loginSetup, request } = input
  const keywords = campaign?.keywords ?? {}
  const split = request.datasetOverride === null ? (input.split ?? null) : null
  const dataset = split ? split.dataset : expandKeywords(request.datasetOverride ?? stage.dataset, keywords)
  const facts: LaunchFacts = {
    experiment: stage.experiment,
    launcher: input.launcher,
    campaignId: campaign?.id ?? null,
    campaignName: campaign?.name ?? null,
    campaignType: campaign?.campaignType ?? 'regular',
    stageId: stage.id,
    stageName: stage.name,
    stageType: stage.stageType,
    submissionId: input.submissionId,
    parentSubmissionId: input.parentSubmissionId ?? null,
    jobTypeId: jobType.id,
    dataset,
    softwareVersion: expandKeywords(stage.softwareVersion, keywords),
    test: request.test,
  }
  const variables = substitutionVariables(facts, keywords)
  const params = mergeParams({
    definitionParameters: jobType.definitionParameters,
    campaignDefaultOverrides: campaign?.defaults.paramOverrides ?? [],
    mergeOverrides: stage.mergeOverrides,
    stageOverrides: stage.paramOverrides,
    testOverrides: stage.testParamOverrides,
    launchOverrides: request.paramOverrides,
    test: request.test,
  })
  const template = joinCommand(jobType.launchScript, params)
  const remote = loginSetup.backend !== 'local'
  // The login setup sees only the base set, as in POMS (§3.5.1): campaign keywords are not there.
  const { dataset: _d, parameter: _p, version, group, experimenter, experiment } = variables
  const baseVariables = { dataset: variables.dataset!, parameter: variables.parameter!, version: version!, group: group!, experimenter: experimenter!, experiment: experiment! }
  try {
    const command = remote ? substituteShell(template, variables) : substitute(template, variables, shellQuote)
    const argv = remote ? [] : splitCommandWords(template).map((word) => substitute(word, variables))
    const setup = remote ? substituteShell(loginSetup.setup, baseVariables) : ''
    return {
      test: request.test,
      datasetOverride: request.datasetOverride,
      launchParamOverrides: request.paramOverrides,
      params,
      command,
      argv,
      env: pomsEnvironment(facts),
      dataset,
      splitCursorBefore: stage.splitCursor,
      splitCursorAfter: split ? split.cursorAfter : stage.splitCursor,
      split: split?.taken ?? null,
      variables,
      target: remote ? resolveTarget(loginSetup, baseVariables) : null,
      setup,
      tags: jobTags(facts),
      group: groupFor(stage.experiment),
      role: stage.voRole,
      jobCountRequested: requestedJobCount(params, variables),
    }
  } catch (err) {
    if (err instanceof SubstitutionError || err instanceof CommandSyntaxError) {
      throw badInput(`the launch command of job type ${jobType.name} cannot be built: ${err.message}`, [
        { path: 'launchScript', message: err.message },
      ])
    }
    throw err
  }
}

const HOST = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:]+\]$/
const ACCOUNT = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/

/** The launch host and account with `%(experiment)s` and friends filled in, checked to be a host and a user name. */
export function resolveTarget(loginSetup: LoginSetup, vars: Readonly<Record<string, string>>) {
  let host: string
  let account: string
  try {
    host = substitute(loginSetup.host, vars)
    account = substitute(loginSetup.account, vars)
  } catch (err) {
    throw badInput(`login setup ${loginSetup.name}: ${(err as Error).message}`, [{ path: 'loginSetupId', message: (err as Error).message }])
  }
  if (!HOST.test(host)) throw badInput(`login setup ${loginSetup.name}: "${host}" is not a host name`, [{ path: 'host', message: 'not a host name' }])
  if (!ACCOUNT.test(account)) throw badInput(`login setup ${loginSetup.name}: "${account}" is not an account name`, [{ path: 'account', message: 'not an account name' }])
  return { host, port: loginSetup.port, account, timezone: loginSetup.hostTimezone }
}

/** The attributes every job of a submission carries (POMS's ClassAds, §3.11), so its jobs can always be found. */
export function jobTags(facts: LaunchFacts): Record<string, string> {
  return {
    POMS4_SUBMISSION_ID: facts.submissionId,
    POMS4_CAMPAIGN_STAGE_ID: facts.stageId,
    POMS4_CAMPAIGN_STAGE_NAME: facts.stageName,
    POMS4_CAMPAIGN_ID: facts.campaignId ?? '',
    POMS4_CAMPAIGN_NAME: facts.campaignName ?? '',
    POMS4_TEST_LAUNCH: facts.test ? 'True' : 'False',
    POMS_TASK_ID: facts.submissionId,
    POMS_LAUNCHER: facts.launcher,
  }
}
