/** What POMS knows about a launch when it builds the substitution set and the job environment. */
export interface LaunchFacts {
  experiment: string
  launcher: string
  campaignId: string | null
  campaignName: string | null
  campaignType: 'regular' | 'test'
  stageId: string
  stageName: string
  stageType: string
  submissionId: string
  parentSubmissionId: string | null
  jobTypeId: string
  dataset: string
  softwareVersion: string
  test: boolean
}

/** The VO group of an experiment: POMS maps its test experiment samdev to fermilab (§3.4). */
export const groupFor = (experiment: string): string => (experiment === 'samdev' ? 'fermilab' : experiment)

/**
 * The `%(name)s` variables of a launch (poms-reference.md §3.5.1). Campaign keywords are there too,
 * but the base set wins a name clash, so a keyword can never redefine what `%(dataset)s` means.
 */
export function substitutionVariables(facts: LaunchFacts, keywords: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...keywords,
    dataset: facts.dataset,
    parameter: facts.dataset,
    version: facts.softwareVersion,
    group: groupFor(facts.experiment),
    experimenter: facts.launcher,
    experiment: facts.experiment,
  }
}

/** POMS's combined `campaign__stage` name; the prefix collapses when the stage name already carries it. */
export function combinedStageName(campaignName: string | null, stageName: string): string {
  if (!campaignName) return stageName
  return stageName.startsWith(campaignName) ? stageName : `${campaignName}__${stageName}`
}

/**
 * The environment POMS exports to a launch (§3.5.2), minus credential plumbing. Values are data:
 * backends pass them as environment entries or quote them, never splice them into code.
 */
export function pomsEnvironment(facts: LaunchFacts): Record<string, string> {
  const group = groupFor(facts.experiment)
  const test = facts.test || facts.campaignType === 'test'
  return {
    POMS4_CAMPAIGN_STAGE_ID: facts.stageId,
    POMS4_CAMPAIGN_STAGE_NAME: facts.stageName.replace(/ /g, '_'),
    POMS4_CAMPAIGN_STAGE_TYPE: facts.stageType,
    POMS4_CAMPAIGN_ID: facts.campaignId ?? '',
    POMS4_CAMPAIGN_NAME: facts.campaignName ?? '',
    POMS4_SUBMISSION_ID: facts.submissionId,
    POMS4_TEST_LAUNCH: test ? 'True' : 'False',
    POMS_CAMPAIGN_ID: facts.stageId,
    POMS_CAMPAIGN_NAME: combinedStageName(facts.campaignName, facts.stageName),
    POMS_PARENT_TASK_ID: facts.parentSubmissionId ?? '',
    POMS_TASK_ID: facts.submissionId,
    POMS_LAUNCHER: facts.launcher,
    POMS_TASK_DEFINITION_ID: facts.jobTypeId,
    JOBSUB_GROUP: group,
    GROUP: group,
  }
}
