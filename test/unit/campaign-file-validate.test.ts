import { describe, expect, it } from 'vitest'
import { validateCampaignDocument } from '../../shared/campaign-file/validate-document'
import { CampaignDocument, type CampaignDocumentInput, type DocStage, type Problem } from '../../shared/domain/campaign-document'

const stage = (name: string, extra: Partial<DocStage> = {}): DocStage => ({
  name,
  jobType: 'jt',
  loginSetup: 'ls',
  voRole: 'Production',
  dataset: 'raw_data',
  splitType: null,
  testSplitType: null,
  softwareVersion: 'v1',
  paramOverrides: [],
  testParamOverrides: [],
  completionType: 'located',
  completionPct: 95,
  mergeOverrides: false,
  outputAncestorDepth: 1,
  stageType: 'regular',
  defaultClearCronjob: true,
  ...extra,
})

const doc = (input: Partial<CampaignDocumentInput> = {}) =>
  CampaignDocument.parse({
    name: 'demo',
    stages: [stage('gen'), stage('reco', { dataset: 'from_parent' })],
    dependencies: [{ from: 'gen', to: 'reco', filePatterns: '%.root' }],
    jobTypes: [{ name: 'jt', launchScript: 'fife_launch -c x.cfg' }],
    loginSetups: [{ name: 'ls', backend: 'jobsub_lite', host: '%(experiment)sgpvm01.fnal.gov', account: '%(experiment)spro' }],
    ...input,
  })

const ctx = { jobTypes: ['shared_jt'], loginSetups: ['shared_ls'] }
const check = (d: CampaignDocument) => validateCampaignDocument(d, ctx)
const brief = (problems: Problem[]) => problems.map((p) => [p.severity, p.code, p.path])

describe('validateCampaignDocument', () => {
  it('finds nothing wrong with a sound campaign', () => {
    expect(check(doc())).toEqual([])
  })

  it('resolves job types and login setups in the document or the experiment', () => {
    const problems = check(doc({ stages: [stage('gen', { jobType: 'shared_jt', loginSetup: 'nowhere' }), stage('reco', { dataset: 'from_parent' })] }))
    expect(brief(problems)).toEqual([['error', 'unknown-login-setup', 'stages.0.loginSetup']])
    expect(problems[0]!.message).toMatch(/"nowhere" does not exist/)
  })

  it('says a stage with no job type (and no default) cannot launch', () => {
    const stages = [stage('gen', { jobType: null }), stage('reco', { dataset: 'from_parent', loginSetup: null })]
    expect(brief(check(doc({ stages })))).toEqual([
      ['error', 'cannot-launch', 'stages.0.jobType'],
      ['error', 'cannot-launch', 'stages.1.loginSetup'],
    ])
    expect(check(doc({ stages, defaults: { jobType: 'jt', loginSetup: 'shared_ls' } }))).toEqual([])
  })

  it('checks the defaults’ references: an error when a stage relies on them, else a warning', () => {
    expect(brief(check(doc({ stages: [stage('gen', { jobType: null }), stage('reco', { dataset: 'from_parent' })], defaults: { jobType: 'gone' } })))).toEqual([
      ['error', 'unknown-job-type', 'defaults.jobType'],
    ])
    expect(brief(check(doc({ defaults: { jobType: 'gone' } })))).toEqual([['warning', 'unknown-job-type', 'defaults.jobType']])
  })

  it('checks dependency endpoints, duplicates and patterns', () => {
    const problems = check(
      doc({
        dependencies: [
          { from: 'gen', to: 'reco', filePatterns: '%.root' },
          { from: 'gen', to: 'ghost', filePatterns: '%.root' },
          { from: 'gen', to: 'reco', filePatterns: ' ' },
        ],
      }),
    )
    expect(brief(problems)).toEqual([
      ['error', 'unknown-stage', 'dependencies.1.to'],
      ['warning', 'duplicate-dependency', 'dependencies.2'],
      ['error', 'empty-file-pattern', 'dependencies.2.filePatterns'],
    ])
  })

  it('reports a dependency cycle with its stages, in order', () => {
    const problems = check(
      doc({
        stages: [stage('a'), stage('b'), stage('c'), stage('d')],
        dependencies: [
          { from: 'a', to: 'b', filePatterns: '%' },
          { from: 'b', to: 'c', filePatterns: '%' },
          { from: 'c', to: 'a', filePatterns: '%' },
          { from: 'c', to: 'd', filePatterns: '%' },
        ],
      }),
    )
    expect(brief(problems)).toEqual([['error', 'dependency-cycle', 'dependencies.2']])
    expect(problems[0]!.message).toBe('dependency cycle: a → b → c → a; no stage in it could ever start')
  })

  it('allows a stage to feed itself only when it has a split type', () => {
    const loop = [{ from: 'gen', to: 'gen', filePatterns: '%' }]
    expect(brief(check(doc({ stages: [stage('gen')], dependencies: loop })))).toEqual([['error', 'self-dependency-without-split', 'dependencies.0']])
    expect(check(doc({ stages: [stage('gen', { splitType: 'drainingn(10)' })], dependencies: loop }))).toEqual([])
  })

  it('refuses duplicate names', () => {
    const problems = check(doc({ stages: [stage('gen'), stage('reco', { dataset: 'from_parent' }), stage('gen')] }))
    expect(brief(problems)).toEqual([['error', 'duplicate-name', 'stages.2.name']])
  })

  it('checks split syntax, with the column, and passes on POMS’s quirks as warnings', () => {
    const problems = check(
      doc({
        stages: [
          stage('gen', { splitType: 'nfiles(ten)' }),
          stage('reco', { dataset: 'a,b', splitType: 'list(1,2)' }),
          stage('ana', { splitType: 'byrun(low=5,high=4)', testSplitType: 'nfiles_5' }),
        ],
        dependencies: [],
      }),
    )
    expect(problems.map((p) => [p.severity, p.code, p.path, p.column])).toEqual([
      ['error', 'bad-split', 'stages.0.splitType', 8],
      ['warning', 'split-note', 'stages.1.splitType', null],
      ['error', 'bad-split', 'stages.2.splitType', 7],
      ['warning', 'split-note', 'stages.2.testSplitType', null],
    ])
  })

  it('checks what the split needs from the dataset', () => {
    const problems = check(doc({ stages: [stage('a', { splitType: 'multiparam', dataset: '["x"]' }), stage('b', { splitType: 'list', dataset: ' ' })], dependencies: [] }))
    expect(brief(problems)).toEqual([
      ['warning', 'empty-dataset', 'stages.1.dataset'],
      ['error', 'bad-multiparam-dataset', 'stages.0.dataset'],
      ['error', 'empty-list-dataset', 'stages.1.dataset'],
    ])
  })

  it('applies POMS’s % rule to launch fields, not to file patterns', () => {
    const problems = check(
      doc({
        keywords: { run: '7' },
        stages: [
          stage('gen', { paramOverrides: [['-Oa=', '%(run)s'], ['-Ob=', '%(nope)s']], dataset: '100%' }),
          stage('reco', { dataset: 'from_parent', softwareVersion: '%(version)' }),
        ],
        dependencies: [{ from: 'gen', to: 'reco', filePatterns: '%.root' }],
        jobTypes: [{ name: 'jt', launchScript: 'run -D %%(dataset)s; date +%s', outputFilePatterns: ['%%.root'] }],
        loginSetups: [{ name: 'ls', backend: 'jobsub_lite', host: 'gpvm%(run)s', account: 'pro' }],
      }),
    )
    expect(problems.map((p) => [p.severity, p.code, p.path, p.column])).toEqual([
      ['warning', 'percent-syntax', 'stages.0.dataset', 4],
      ['error', 'unknown-variable', 'stages.0.paramOverrides.1.1', 1],
      ['error', 'percent-syntax', 'stages.1.softwareVersion', 1],
      ['warning', 'escaped-variable', 'jobTypes.0.launchScript', 8],
      ['error', 'percent-syntax', 'jobTypes.0.launchScript', 28],
      ['warning', 'keyword-in-login-setup', 'loginSetups.0.host', 5],
    ])
    expect(problems[1]!.message).toMatch(/unknown variable %\(nope\)s/)
  })

  it('checks parameter pairs and recovery types even in a document that skipped the schema', () => {
    const d = doc({ jobTypes: [{ name: 'jt', launchScript: 'x', definitionParameters: [['--stage', 'reco']], recoveryPlan: [{ type: 'pending_files' }] }] })
    const broken = structuredClone(d) as unknown as { jobTypes: { recoveryPlan: { type: string }[] }[]; stages: { paramOverrides: unknown }[]; defaults: { completionPct: number } }
    broken.jobTypes[0]!.recoveryPlan.push({ type: 'retry_all', paramOverrides: [] } as never)
    broken.stages[0]!.paramOverrides = [['-Oa=']]
    broken.defaults.completionPct = 120
    expect(brief(check(broken as unknown as CampaignDocument))).toEqual([
      ['error', 'completion-pct-range', 'defaults.completionPct'],
      ['error', 'bad-param-pairs', 'stages.0.paramOverrides'],
      ['warning', 'glued-option', 'jobTypes.0.definitionParameters.0'],
      ['error', 'unknown-recovery-type', 'jobTypes.0.recoveryPlan.1.type'],
    ])
  })

  it('warns about inputs that cannot be there', () => {
    const problems = check(doc({ stages: [stage('gen', { dataset: '' }), stage('solo', { dataset: 'from_parent' }), stage('reco', { dataset: '' })] }))
    expect(brief(problems)).toEqual([
      ['warning', 'empty-dataset', 'stages.0.dataset'],
      ['warning', 'from-parent-without-parent', 'stages.1.dataset'],
    ])
  })

  it('warns about keywords POMS’s own variables hide, and names no INI section can hold', () => {
    const problems = check(doc({ keywords: { dataset: 'x' }, jobTypes: [{ name: 'jt', launchScript: 'x' }, { name: 'a]b', launchScript: 'y' }] }))
    expect(brief(problems)).toEqual([
      ['warning', 'name-not-exportable', 'jobTypes.1.name'],
      ['warning', 'keyword-shadowed', 'keywords.dataset'],
    ])
  })
})
