import type { Campaign } from '../../../shared/domain/campaign'
import type { ParamPair } from '../../../shared/domain/common'
import type { JobType } from '../../../shared/domain/job-type'
import { pomsEnvironment, substitutionVariables, type LaunchFacts } from '../../../shared/domain/launch-env'
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
import type { Stage } from '../../../shared/domain/stage'
import type { ResolvedLaunch } from '../../../shared/domain/submission'
import { badInput } from '../../../shared/errors'

export interface LaunchRequestParts {
  test: boolean
  datasetOverride: string | null
  paramOverrides: ParamPair[]
}

export interface ResolveInput {
  stage: Stage
  campaign: Campaign | null
  jobType: JobType
  loginSetup: LoginSetup
  request: LaunchRequestParts
  launcher: string
  submissionId: string
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
  const splitType = request.test ? (stage.testSplitType ?? stage.splitType) : stage.splitType
  if (splitType && request.datasetOverride === null) {
    throw badInput(`split type "${splitType}" is not supported by this version yet; launch with a dataset override, or clear the split type`, [
      { path: 'splitType', message: 'not supported yet' },
    ])
  }
  const dataset = expandKeywords(request.datasetOverride ?? stage.dataset, keywords)
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
    parentSubmissionId: null,
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
  try {
    const command = substitute(template, variables, shellQuote)
    const argv = loginSetup.backend === 'local' ? splitCommandWords(template).map((word) => substitute(word, variables)) : []
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
      splitCursorAfter: stage.splitCursor,
      variables,
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
