import { describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import { cloneCampaignDocument } from '../../shared/campaign-file/clone-document'
import { CampaignDocument, type DocStage } from '../../shared/domain/campaign-document'

const stage = (name: string, extra: Partial<DocStage> = {}): DocStage => ({
  name,
  jobType: 'mc2023_jt',
  loginSetup: 'mc2023_login',
  voRole: 'Production',
  dataset: 'raw',
  splitType: 'drainingn(10)',
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

const source = CampaignDocument.parse({
  name: 'mc2023',
  keywords: { tag: 'mc2023_v1', other: 'keep' },
  tags: ['mc2023'],
  defaults: { dataset: 'mc2023_default', softwareVersion: 'mc2023_v1', paramOverrides: [['-Oglobal.mc2023=', 'mc2023']], jobType: 'mc2023_jt' },
  stages: [
    stage('mc2023_gen', { id: '0190a3c4-0000-7000-8000-000000000001', dataset: 'mc2023_raw', softwareVersion: 'v1_mc2023', paramOverrides: [['-Oglobal.mc2023_run=', 'mc2023_run']] }),
    stage('mc2023_reco', { id: '0190a3c4-0000-7000-8000-000000000002', dataset: 'from_parent', testParamOverrides: [['--tag ', 'mc2023 mc2023']] }),
  ],
  dependencies: [{ from: 'mc2023_gen', to: 'mc2023_reco', filePatterns: '%mc2023%.root' }],
  jobTypes: [{ name: 'mc2023_jt', launchScript: 'run mc2023' }],
  loginSetups: [{ name: 'mc2023_login', backend: 'jobsub_lite', host: 'mc2023.fnal.gov', account: 'pro' }],
  layout: { mc2023_gen: { x: 1, y: 2 }, 'campaign mc2023': { x: 0, y: 0 } },
})

describe('cloneCampaignDocument', () => {
  it('renames the campaign and applies each replacement to the values that carry a production’s name', () => {
    const clone = cloneCampaignDocument(source, 'mc2024', [{ from: 'mc2023', to: 'mc2024' }])
    expect(clone.name).toBe('mc2024')
    expect(clone.stages.map((s) => s.name)).toEqual(['mc2024_gen', 'mc2024_reco'])
    expect(clone.stages[0]).toMatchObject({ dataset: 'mc2024_raw', softwareVersion: 'v1_mc2024', paramOverrides: [['-Oglobal.mc2023_run=', 'mc2024_run']] })
    expect(clone.stages[1]!.testParamOverrides).toEqual([['--tag ', 'mc2024 mc2024']])
    expect(clone.dependencies).toEqual([{ from: 'mc2024_gen', to: 'mc2024_reco', filePatterns: '%mc2023%.root' }])
    expect(clone.layout).toEqual({ mc2024_gen: { x: 1, y: 2 }, 'campaign mc2024': { x: 0, y: 0 } })
    expect(clone.keywords).toEqual({ tag: 'mc2024_v1', other: 'keep' })
    expect(clone.defaults).toMatchObject({ dataset: 'mc2024_default', softwareVersion: 'mc2024_v1', paramOverrides: [['-Oglobal.mc2023=', 'mc2024']] })
  })

  it('leaves job types, login setups and the references to them alone, and drops stage ids', () => {
    const clone = cloneCampaignDocument(source, 'mc2024', [{ from: 'mc2023', to: 'mc2024' }])
    expect(clone.jobTypes).toEqual(source.jobTypes)
    expect(clone.loginSetups).toEqual(source.loginSetups)
    expect(clone.stages.map((s) => [s.jobType, s.loginSetup])).toEqual([
      ['mc2023_jt', 'mc2023_login'],
      ['mc2023_jt', 'mc2023_login'],
    ])
    expect(clone.defaults.jobType).toBe('mc2023_jt')
    expect(clone.stages.every((s) => !('id' in s))).toBe(true)
    expect(clone.tags).toEqual(['mc2023'])
  })

  it('applies the replacements in order, to every occurrence, and ignores an empty "from"', () => {
    const clone = cloneCampaignDocument(source, 'x', [
      { from: 'mc2023', to: 'A' },
      { from: '', to: 'never' },
      { from: 'A_', to: 'B-' },
    ])
    expect(clone.stages.map((s) => s.name)).toEqual(['B-gen', 'B-reco'])
    expect(clone.stages[1]!.testParamOverrides).toEqual([['--tag ', 'A A']])
  })

  it('does not touch the source document', () => {
    const before = structuredClone(source)
    cloneCampaignDocument(source, 'mc2024', [{ from: 'mc2023', to: 'mc2024' }])
    expect(source).toEqual(before)
  })

  it('refuses a result that is not a valid document', () => {
    expect(() => cloneCampaignDocument(source, 'long', [{ from: 'mc2023', to: 'x'.repeat(300) }])).toThrow(ZodError)
  })
})
