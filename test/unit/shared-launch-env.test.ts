import { describe, expect, it } from 'vitest'
import { combinedStageName, groupFor, pomsEnvironment, substitutionVariables, type LaunchFacts } from '../../shared/domain/launch-env'

const facts = (over: Partial<LaunchFacts> = {}): LaunchFacts => ({
  experiment: 'nova',
  launcher: 'alice',
  campaignId: 'camp-1',
  campaignName: 'mc',
  campaignType: 'regular',
  stageId: 'stage-1',
  stageName: 'reco pass 1',
  stageType: 'regular',
  submissionId: 'sub-1',
  parentSubmissionId: null,
  jobTypeId: 'jt-1',
  dataset: 'ds',
  softwareVersion: 'v1',
  test: false,
  ...over,
})

describe('launch environment (poms-reference §3.5)', () => {
  it('maps the samdev experiment to the fermilab group, others to themselves', () => {
    expect(groupFor('samdev')).toBe('fermilab')
    expect(groupFor('dune')).toBe('dune')
  })

  it('offers the base variables, which win over campaign keywords of the same name', () => {
    const vars = substitutionVariables(facts({ experiment: 'samdev' }), { dataset: 'kw', release: 'r1', experimenter: 'mallory' })
    expect(vars).toEqual({
      release: 'r1',
      dataset: 'ds',
      parameter: 'ds',
      version: 'v1',
      group: 'fermilab',
      experimenter: 'alice',
      experiment: 'samdev',
    })
  })

  it('combines campaign and stage names, collapsing a repeated prefix', () => {
    expect(combinedStageName('mc', 'reco')).toBe('mc__reco')
    expect(combinedStageName('mc', 'mc_reco')).toBe('mc_reco')
    expect(combinedStageName(null, 'reco')).toBe('reco')
  })

  it('exports the POMS variables with their legacy meanings', () => {
    expect(pomsEnvironment(facts())).toEqual({
      POMS4_CAMPAIGN_STAGE_ID: 'stage-1',
      POMS4_CAMPAIGN_STAGE_NAME: 'reco_pass_1',
      POMS4_CAMPAIGN_STAGE_TYPE: 'regular',
      POMS4_CAMPAIGN_ID: 'camp-1',
      POMS4_CAMPAIGN_NAME: 'mc',
      POMS4_SUBMISSION_ID: 'sub-1',
      POMS4_TEST_LAUNCH: 'False',
      POMS_CAMPAIGN_ID: 'stage-1',
      POMS_CAMPAIGN_NAME: 'mc__reco pass 1',
      POMS_PARENT_TASK_ID: '',
      POMS_TASK_ID: 'sub-1',
      POMS_LAUNCHER: 'alice',
      POMS_TASK_DEFINITION_ID: 'jt-1',
      JOBSUB_GROUP: 'nova',
      GROUP: 'nova',
    })
  })

  it('marks test launches and test campaigns as tests, and names a recovery parent', () => {
    expect(pomsEnvironment(facts({ test: true })).POMS4_TEST_LAUNCH).toBe('True')
    expect(pomsEnvironment(facts({ campaignType: 'test' })).POMS4_TEST_LAUNCH).toBe('True')
    expect(pomsEnvironment(facts({ parentSubmissionId: 'sub-0' })).POMS_PARENT_TASK_ID).toBe('sub-0')
    expect(pomsEnvironment(facts({ campaignId: null, campaignName: null })).POMS4_CAMPAIGN_ID).toBe('')
  })
})
