import { describe, expect, it } from 'vitest'
import { diffCampaignDocuments, sideBySideLines } from '../../shared/campaign-file/diff-documents'
import { renderCampaignDocument } from '../../shared/campaign-file/render-document'
import { CampaignDocument, type CampaignDocumentInput, type DocStage } from '../../shared/domain/campaign-document'

const ID_GEN = '0190a3c4-0000-7000-8000-000000000001'
const ID_RECO = '0190a3c4-0000-7000-8000-000000000002'

const stage = (name: string, extra: Partial<DocStage> = {}): DocStage => ({
  name,
  jobType: 'jt',
  loginSetup: 'ls',
  voRole: 'Production',
  dataset: 'raw',
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

const base: CampaignDocumentInput = {
  name: 'demo',
  keywords: { run: '1' },
  defaults: { voRole: 'Production' },
  stages: [stage('gen', { id: ID_GEN }), stage('reco', { id: ID_RECO, dataset: 'from_parent' })],
  dependencies: [{ from: 'gen', to: 'reco', filePatterns: '%.root' }],
  jobTypes: [{ name: 'jt', launchScript: 'fife_launch' }],
  loginSetups: [{ name: 'ls', backend: 'jobsub_lite', host: 'h', account: 'a' }],
  layout: { gen: { x: 0, y: 0 }, reco: { x: 100, y: 0 } },
}
const doc = (patch: (d: CampaignDocumentInput) => CampaignDocumentInput = (d) => d) => CampaignDocument.parse(patch(structuredClone(base)))

describe('diffCampaignDocuments', () => {
  it('finds no change between equal documents', () => {
    expect(diffCampaignDocuments(doc(), doc())).toEqual([])
  })

  it('shows a renamed stage (matched by id) as one changed name; its dependency and position follow it', () => {
    const after = doc((d) => ({
      ...d,
      stages: [stage('generate', { id: ID_GEN }), d.stages[1]! as DocStage],
      dependencies: [{ from: 'generate', to: 'reco', filePatterns: '%.root' }],
      layout: { generate: { x: 0, y: 0 }, reco: { x: 100, y: 0 } },
    }))
    expect(diffCampaignDocuments(doc(), after)).toEqual([
      { entity: 'stage', name: 'generate', kind: 'changed', field: 'name', before: 'gen', after: 'generate', path: 'stages.0.name' },
    ])
  })

  it('matches by name when ids are missing (a file import), so a rename there is a remove and an add', () => {
    const before = doc((d) => ({ ...d, stages: d.stages.map((s) => ({ ...s, id: undefined })) }))
    const after = doc((d) => ({ ...d, stages: [stage('gen', { softwareVersion: 'v2' }), stage('ana')], dependencies: [], layout: {} }))
    expect(diffCampaignDocuments(before, after).map((c) => [c.entity, c.kind, c.name, c.field, c.path])).toEqual([
      ['stage', 'changed', 'gen', 'softwareVersion', 'stages.0.softwareVersion'],
      ['stage', 'added', 'ana', null, 'stages.1'],
      ['stage', 'removed', 'reco', null, 'stages.1'],
      ['dependency', 'removed', 'gen → reco', null, 'dependencies.0'],
      ['layout', 'removed', 'gen', null, 'layout.gen'],
      ['layout', 'removed', 'reco', null, 'layout.reco'],
    ])
  })

  it('lists every kind of change in a fixed order with before and after values', () => {
    const after = doc((d) => ({
      ...d,
      name: 'demo2',
      active: false,
      keywords: { run: '2', extra: 'x' },
      defaults: { voRole: 'Analysis', splitType: 'draining' },
      stages: [stage('gen', { id: ID_GEN, splitType: 'nfiles(5)', paramOverrides: [['-Oa=', 'b']] }), d.stages[1]! as DocStage],
      dependencies: [{ from: 'gen', to: 'reco', filePatterns: '%.art' }],
      jobTypes: [{ name: 'jt', launchScript: 'fife_launch -c y.cfg' }, { name: 'jt2', launchScript: 'x' }],
      loginSetups: [],
      layout: { gen: { x: 5, y: 0 }, reco: { x: 100, y: 0 } },
    }))
    expect(diffCampaignDocuments(doc(), after)).toEqual([
      { entity: 'campaign', name: 'demo2', kind: 'changed', field: 'name', before: 'demo', after: 'demo2', path: 'name' },
      { entity: 'campaign', name: 'demo2', kind: 'changed', field: 'active', before: true, after: false, path: 'active' },
      { entity: 'campaign', name: 'demo2', kind: 'changed', field: 'keywords.extra', before: null, after: 'x', path: 'keywords.extra' },
      { entity: 'campaign', name: 'demo2', kind: 'changed', field: 'keywords.run', before: '1', after: '2', path: 'keywords.run' },
      // Settings in SETTING_FIELDS order (the order people read them), not alphabetical.
      { entity: 'defaults', name: 'demo2', kind: 'added', field: 'splitType', before: null, after: 'draining', path: 'defaults.splitType' },
      { entity: 'defaults', name: 'demo2', kind: 'changed', field: 'voRole', before: 'Production', after: 'Analysis', path: 'defaults.voRole' },
      { entity: 'stage', name: 'gen', kind: 'changed', field: 'splitType', before: null, after: 'nfiles(5)', path: 'stages.0.splitType' },
      { entity: 'stage', name: 'gen', kind: 'changed', field: 'paramOverrides', before: [], after: [['-Oa=', 'b']], path: 'stages.0.paramOverrides' },
      { entity: 'dependency', name: 'gen → reco', kind: 'changed', field: 'filePatterns', before: '%.root', after: '%.art', path: 'dependencies.0.filePatterns' },
      { entity: 'jobType', name: 'jt', kind: 'changed', field: 'launchScript', before: 'fife_launch', after: 'fife_launch -c y.cfg', path: 'jobTypes.0.launchScript' },
      { entity: 'jobType', name: 'jt2', kind: 'added', field: null, before: null, after: after.jobTypes[1], path: 'jobTypes.1' },
      { entity: 'loginSetup', name: 'ls', kind: 'removed', field: null, before: doc().loginSetups[0], after: null, path: 'loginSetups.0' },
      { entity: 'layout', name: 'gen', kind: 'changed', field: null, before: { x: 0, y: 0 }, after: { x: 5, y: 0 }, path: 'layout.gen' },
    ])
  })

  it('never pairs two stages with different ids, even under one name', () => {
    const after = doc((d) => ({ ...d, stages: [stage('gen', { id: '0190a3c4-0000-7000-8000-000000000009' }), d.stages[1]! as DocStage] }))
    expect(diffCampaignDocuments(doc(), after).map((c) => [c.kind, c.name, c.path])).toEqual([
      ['added', 'gen', 'stages.0'],
      ['removed', 'gen', 'stages.0'],
    ])
  })
})

describe('sideBySideLines', () => {
  it('shows equal documents as all-same rows of their text rendering', () => {
    const rows = sideBySideLines(doc(), doc())
    expect(rows.every((r) => r.kind === 'same' && r.left === r.right)).toBe(true)
    expect(rows.map((r) => r.left)).toEqual(renderCampaignDocument(doc()))
  })

  it('pairs changed lines and keeps added and removed ones on their side', () => {
    const after = doc((d) => ({ ...d, stages: [stage('gen', { id: ID_GEN, softwareVersion: 'v2' })], dependencies: [], layout: {} }))
    const rows = sideBySideLines(doc(), after)
    expect(rows.filter((r) => r.kind === 'changed')).toEqual([{ left: '  softwareVersion: "v1"', right: '  softwareVersion: "v2"', kind: 'changed' }])
    expect(rows.filter((r) => r.kind === 'removed').map((r) => r.left)).toContain('stage "reco"')
    expect(rows.filter((r) => r.kind === 'added')).toEqual([])
    // Reading down either column gives back each document's rendering.
    expect(rows.map((r) => r.left).filter((l) => l !== null)).toEqual(renderCampaignDocument(doc()))
    expect(rows.map((r) => r.right).filter((l) => l !== null)).toEqual(renderCampaignDocument(after))
  })

  it('renders keywords and positions in a stable order', () => {
    const a = doc((d) => ({ ...d, keywords: { b: '1', a: '2' } }))
    const b = doc((d) => ({ ...d, keywords: { a: '2', b: '1' } }))
    expect(renderCampaignDocument(a)).toEqual(renderCampaignDocument(b))
  })
})
