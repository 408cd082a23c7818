import { describe, expect, it } from 'vitest'
import type { Campaign } from '../../shared/domain/campaign'
import type { JobType } from '../../shared/domain/job-type'
import type { LoginSetup } from '../../shared/domain/login-setup'
import { shellQuote } from '../../shared/domain/launch-params'
import { STAGE_DEFAULTS, type Stage } from '../../shared/domain/stage'
import { AppError } from '../../shared/errors'
import { expandKeywords, requestedJobCount, resolveLaunch, type ResolveInput } from '../../electron/core/engine/launch-resolver'

const meta = (id: string, shortId: string) => ({
  id,
  shortId,
  experiment: 'nova',
  rev: 1,
  createdAt: 1,
  updatedAt: 1,
  creator: 'alice',
  creatorRole: 'production',
  updater: null,
})
const CAMPAIGN_ID = '00000000-0000-7000-8000-000000000001'
const STAGE_ID = '00000000-0000-7000-8000-000000000002'
const JOB_TYPE_ID = '00000000-0000-7000-8000-000000000003'
const SUBMISSION_ID = '00000000-0000-7000-8000-000000000009'

const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  ...meta(CAMPAIGN_ID, 'c-AAAAAA'),
  name: 'mc',
  defaults: { paramOverrides: [['--from-defaults=', 'yes']] },
  keywords: { release: 'v2_3', dataset: 'keyword-must-not-win' },
  tags: [],
  active: true,
  campaignType: 'regular',
  layout: {},
  ...over,
})
const stage = (over: Partial<Stage> = {}): Stage => ({
  ...meta(STAGE_ID, 't-AAAAAA'),
  ...STAGE_DEFAULTS,
  campaignId: CAMPAIGN_ID,
  name: 'reco',
  dataset: '/data/%(release)s/*.root',
  softwareVersion: '%(release)s',
  paramOverrides: [['-N ', '3']],
  testParamOverrides: [['-N ', '1']],
  splitCursor: null,
  hold: null,
  ...over,
})
const jobType = (over: Partial<JobType> = {}): JobType => ({
  ...meta(JOB_TYPE_ID, 'j-AAAAAA'),
  name: 'reco-job',
  launchScript: '/opt/bin/launch.sh -c cfg',
  definitionParameters: [
    ['--ds=', '%(dataset)s'],
    ['--v=', '%(version)s'],
  ],
  outputFilePatterns: [],
  recoveryPlan: [],
  active: true,
  ...over,
})
const loginSetup = (over: Partial<LoginSetup> = {}): LoginSetup => ({
  ...meta('00000000-0000-7000-8000-000000000004', 'l-AAAAAA'),
  name: 'local',
  backend: 'local',
  host: '',
  port: 22,
  account: '',
  setup: '',
  hostTimezone: 'UTC',
  active: true,
  authMethod: 'agent',
  keyFile: '',
  secretRef: null,
  ...over,
})
const input = (over: Partial<ResolveInput> = {}): ResolveInput => ({
  stage: stage(),
  campaign: campaign(),
  jobType: jobType(),
  loginSetup: loginSetup(),
  request: { test: false, datasetOverride: null, paramOverrides: [] },
  launcher: 'alice',
  submissionId: SUBMISSION_ID,
  ...over,
})

function badInput(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('BAD_INPUT')
    return err as AppError
  }
  throw new Error('expected BAD_INPUT')
}

describe('resolveLaunch', () => {
  it('builds the command and the argument vector with keywords and variables substituted', () => {
    const r = resolveLaunch(input())
    expect(r.dataset).toBe('/data/v2_3/*.root')
    expect(r.command).toBe(`/opt/bin/launch.sh -c cfg --ds=${shellQuote('/data/v2_3/*.root')} --v=v2_3 -N 3`)
    expect(r.argv).toEqual(['/opt/bin/launch.sh', '-c', 'cfg', '--ds=/data/v2_3/*.root', '--v=v2_3', '-N', '3'])
    expect(r.jobCountRequested).toBe(3)
    expect(r.params).toEqual([
      ['--ds=', '%(dataset)s'],
      ['--v=', '%(version)s'],
      ['-N ', '3'],
    ])
  })

  it('never lets a campaign keyword redefine a base variable', () => {
    const r = resolveLaunch(input({ request: { test: false, datasetOverride: '/in/x.root', paramOverrides: [] } }))
    expect(r.variables.dataset).toBe('/in/x.root')
    expect(r.argv).toContain('--ds=/in/x.root')
  })

  it('keeps a hostile value one literal argument and quotes it in the displayed command', () => {
    const hostile = `a b'; touch /tmp/owned; echo '$(id)`
    const r = resolveLaunch(input({ request: { test: false, datasetOverride: hostile, paramOverrides: [] } }))
    expect(r.argv[3]).toBe(`--ds=${hostile}`)
    expect(r.argv).toHaveLength(7)
    expect(r.command).toContain(`--ds=${shellQuote(hostile)}`)
  })

  it('merges the campaign default overrides only when the stage says so', () => {
    expect(resolveLaunch(input()).argv).not.toContain('--from-defaults=yes')
    expect(resolveLaunch(input({ stage: stage({ mergeOverrides: true }) })).argv).toContain('--from-defaults=yes')
  })

  it('a test launch takes the test overrides, and launch overrides beat them', () => {
    const test = resolveLaunch(input({ request: { test: true, datasetOverride: null, paramOverrides: [] } }))
    expect(test.jobCountRequested).toBe(1)
    expect(test.env.POMS4_TEST_LAUNCH).toBe('True')
    const overridden = resolveLaunch(input({ request: { test: true, datasetOverride: null, paramOverrides: [['-N ', '7']] } }))
    expect(overridden.jobCountRequested).toBe(7)
    expect(overridden.launchParamOverrides).toEqual([['-N ', '7']])
  })

  it('exports the POMS environment', () => {
    const r = resolveLaunch(input())
    expect(r.env).toMatchObject({
      POMS4_CAMPAIGN_STAGE_ID: STAGE_ID,
      POMS4_CAMPAIGN_NAME: 'mc',
      POMS4_SUBMISSION_ID: SUBMISSION_ID,
      POMS4_TEST_LAUNCH: 'False',
      POMS_CAMPAIGN_ID: STAGE_ID,
      POMS_CAMPAIGN_NAME: 'mc__reco',
      POMS_TASK_DEFINITION_ID: JOB_TYPE_ID,
      POMS_LAUNCHER: 'alice',
      GROUP: 'nova',
    })
  })

  it('refuses an unknown variable with its column, on launchScript', () => {
    const err = badInput(() => resolveLaunch(input({ jobType: jobType({ definitionParameters: [['--x=', '%(nope)s']] }) })))
    expect(err.fields).toEqual([{ path: 'launchScript', message: expect.stringMatching(/unknown variable %\(nope\)s at column \d+/) }])
  })

  it('refuses shell syntax in a local launch command, and allows it for a remote login setup', () => {
    const err = badInput(() => resolveLaunch(input({ jobType: jobType({ launchScript: 'setup.sh; launch.sh' }) })))
    expect(err.fields?.[0]?.message).toMatch(/shell syntax ';' at column 9/)
    const remote = resolveLaunch(input({ jobType: jobType({ launchScript: 'setup.sh; launch.sh' }), loginSetup: loginSetup({ backend: 'htcondor', host: 'h', account: 'a' }) }))
    expect(remote.argv).toEqual([])
    expect(remote.command.startsWith('setup.sh; launch.sh ')).toBe(true)
  })

  it('launches on the slice of the split it took, and freezes the slice and both cursors', () => {
    const split = {
      dataset: 'mc_slice3_files10',
      cursorAfter: 4,
      taken: { spec: 'nfiles(10)', description: 'files 30–39 of mc (10 files)', definitions: [{ name: 'mc_slice3_files10', dims: 'defname:mc with limit 10 offset 30' }], fileCount: 10 },
    }
    const resolved = resolveLaunch(input({ stage: stage({ splitType: 'nfiles(10)', splitCursor: 3 }), split }))
    expect(resolved.dataset).toBe('mc_slice3_files10')
    expect(resolved.variables.dataset).toBe('mc_slice3_files10')
    expect(resolved.argv).toContain('--ds=mc_slice3_files10')
    expect(resolved.env.POMS_PARENT_TASK_ID).toBe('')
    expect(resolved).toMatchObject({ splitCursorBefore: 3, splitCursorAfter: 4, split: split.taken })
  })

  it('a dataset override wins over the split: no slice is taken and the cursor stays', () => {
    const split = { dataset: 'never', cursorAfter: 9, taken: { spec: 'nfiles(10)', description: '', definitions: [], fileCount: 10 } }
    const resolved = resolveLaunch(input({ stage: stage({ splitType: 'nfiles(10)', splitCursor: 3 }), split, request: { test: false, datasetOverride: '/x', paramOverrides: [] } }))
    expect(resolved).toMatchObject({ dataset: '/x', splitCursorBefore: 3, splitCursorAfter: 3, split: null })
  })

  it('tells a recovery its parent (POMS_PARENT_TASK_ID)', () => {
    expect(resolveLaunch(input({ parentSubmissionId: CAMPAIGN_ID })).env.POMS_PARENT_TASK_ID).toBe(CAMPAIGN_ID)
  })

  it('refuses a job count that is not a whole number from 1 to 100000', () => {
    for (const bad of ['0', 'abc', '1.5', '100001']) {
      const err = badInput(() => resolveLaunch(input({ request: { test: false, datasetOverride: null, paramOverrides: [['-N ', bad]] } })))
      expect(err.fields?.[0]?.path).toBe('paramOverrides')
    }
  })
})

describe('requestedJobCount', () => {
  it('reads -N, -N<n>, -Osubmit.N= and --N=, substituting variables, and defaults to 1', () => {
    expect(requestedJobCount([['-N ', '4']], {})).toBe(4)
    expect(requestedJobCount([['-N', '6']], {})).toBe(6)
    expect(requestedJobCount([['-Osubmit.N=', '%(n)s']], { n: '9' })).toBe(9)
    expect(requestedJobCount([['--N=', '2']], {})).toBe(2)
    expect(requestedJobCount([['--events=', '5']], {})).toBe(1)
  })
})

describe('expandKeywords', () => {
  it('expands known keywords and leaves everything else as written', () => {
    expect(expandKeywords('%(a)s/%(b)s/100%/%(c)d', { a: 'x', c: 'no' })).toBe('x/%(b)s/100%/%(c)d')
  })
})
