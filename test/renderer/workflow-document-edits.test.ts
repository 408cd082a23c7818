import { describe, expect, it } from 'vitest'
import { CampaignDocument, type CampaignDocumentInput } from '../../shared/domain/campaign-document'
import {
  addDependency,
  addStage,
  connectionProblem,
  dependenciesOf,
  newStage,
  removeDependencies,
  removeStages,
  renameStage,
  setDefaults,
  setDependencyPatterns,
  setPositions,
  stageNameProblem,
  uniqueStageName,
  updateStage,
} from '../../renderer/src/workflow/document-edits'
import { autoLayout } from '../../renderer/src/workflow/layout'
import { dependencyEdgeId, stageNodeId, toFlowEdges, toFlowNodes } from '../../renderer/src/workflow/graph'
import { NOTHING } from '../../renderer/src/workflow/selection'

const base = (input: Partial<CampaignDocumentInput> = {}): CampaignDocument =>
  CampaignDocument.parse({ name: 'mc', stages: [], ...input })

/** gen → sim → reco, laid out. */
function chain(): CampaignDocument {
  let doc = base({ defaults: { jobType: 'generic', completionPct: 90, softwareVersion: 'v1' } })
  doc = addStage(doc, 'gen', { position: { x: 0, y: 0 } })
  doc = addStage(doc, 'sim', { position: { x: 300, y: 0 }, dependsOn: 'gen' })
  doc = addStage(doc, 'reco', { position: { x: 600, y: 0 }, dependsOn: 'sim' })
  return doc
}

describe('workflow document edits', () => {
  it('adds a stage from the campaign defaults, following the campaign job type, and the result is a valid document', () => {
    const doc = addStage(base({ defaults: { jobType: 'generic', completionPct: 90, softwareVersion: 'v1' } }), 'gen', { position: { x: 10.4, y: 20.6 } })
    expect(doc.stages).toHaveLength(1)
    expect(doc.stages[0]).toMatchObject({ name: 'gen', jobType: null, loginSetup: null, completionPct: 90, softwareVersion: 'v1', splitType: null })
    expect(doc.layout.gen).toEqual({ x: 10, y: 21 })
    expect(CampaignDocument.safeParse(doc).success).toBe(true)
    expect(newStage(doc, 'x').stageType).toBe('regular')
  })

  it('without campaign defaults a new stage takes what most stages use (POMS infers defaults the same way)', () => {
    let doc = base()
    doc = addStage(doc, 'gen')
    doc = updateStage(doc, 'gen', { jobType: 'generic', loginSetup: 'pro', softwareVersion: 'v1', completionPct: 80 })
    doc = addStage(doc, 'sim')
    // sim already inherited gen's settings; a third stage uses the majority of both.
    expect(doc.stages[1]).toMatchObject({ jobType: 'generic', loginSetup: 'pro', softwareVersion: 'v1', completionPct: 80 })
    doc = updateStage(doc, 'sim', { softwareVersion: 'v2' })
    doc = addStage(updateStage(addStage(doc, 'reco'), 'reco', { softwareVersion: 'v2' }), 'ana')
    expect(doc.stages[3]).toMatchObject({ jobType: 'generic', softwareVersion: 'v2', splitType: null, dataset: '' })
  })

  it('refuses a duplicate or empty stage name and suggests a free one', () => {
    const doc = chain()
    expect(stageNameProblem(doc, 'gen')).toMatch(/already exists/)
    expect(stageNameProblem(doc, '  ')).toMatch(/required/)
    expect(stageNameProblem(doc, 'gen', 'gen')).toBeNull()
    expect(() => addStage(doc, 'sim')).toThrow(/already exists/)
    expect(uniqueStageName(doc, 'gen')).toBe('gen2')
    expect(uniqueStageName(doc, 'merge')).toBe('merge')
  })

  it('connects stages with the default pattern, refusing self-edges and duplicates but not cycles', () => {
    const doc = chain()
    expect(doc.dependencies).toEqual([
      { from: 'gen', to: 'sim', filePatterns: '%' },
      { from: 'sim', to: 'reco', filePatterns: '%' },
    ])
    expect(connectionProblem(doc, 'gen', 'gen')).toMatch(/itself/)
    expect(connectionProblem(doc, 'gen', 'sim')).toMatch(/already depends/)
    expect(connectionProblem(doc, 'gen', 'nope')).toMatch(/no stage/)
    const cyclic = addDependency(doc, 'reco', 'gen', 'reco%.root')
    expect(cyclic.dependencies[2]).toEqual({ from: 'reco', to: 'gen', filePatterns: 'reco%.root' })
    // The original is untouched.
    expect(doc.dependencies).toHaveLength(2)
  })

  it('deleting a stage removes its dependencies and its position, and nothing else', () => {
    const doc = chain()
    expect(dependenciesOf(doc, ['sim'])).toEqual([0, 1])
    const after = removeStages(doc, ['sim'])
    expect(after.stages.map((s) => s.name)).toEqual(['gen', 'reco'])
    expect(after.dependencies).toEqual([])
    expect(Object.keys(after.layout).sort()).toEqual(['gen', 'reco'])
    const onlyEdge = removeDependencies(doc, [1])
    expect(onlyEdge.stages).toHaveLength(3)
    expect(onlyEdge.dependencies).toEqual([{ from: 'gen', to: 'sim', filePatterns: '%' }])
  })

  it('renaming a stage keeps its dependencies, position and stored id', () => {
    let doc = chain()
    doc = { ...doc, stages: doc.stages.map((s) => (s.name === 'sim' ? { ...s, id: '00000000-0000-7000-8000-000000000042' } : s)) }
    const after = renameStage(doc, 'sim', 'g4sim')
    expect(after.stages[1]).toMatchObject({ name: 'g4sim', id: '00000000-0000-7000-8000-000000000042' })
    expect(after.dependencies).toEqual([
      { from: 'gen', to: 'g4sim', filePatterns: '%' },
      { from: 'g4sim', to: 'reco', filePatterns: '%' },
    ])
    expect(after.layout.g4sim).toEqual({ x: 300, y: 0 })
    expect(after.layout.sim).toBeUndefined()
    expect(() => renameStage(doc, 'sim', 'reco')).toThrow(/already exists/)
  })

  it('edits settings, patterns and defaults without touching other stages', () => {
    const doc = chain()
    const edited = setDependencyPatterns(updateStage(doc, 'reco', { splitType: 'nfiles(10)' }), 0, 'gen%.root')
    expect(edited.stages[2]!.splitType).toBe('nfiles(10)')
    expect(edited.stages[0]!.splitType).toBeNull()
    expect(edited.dependencies[0]!.filePatterns).toBe('gen%.root')
    const defaults = setDefaults(doc, { ...doc.defaults, softwareVersion: undefined, voRole: 'Analysis' })
    expect(defaults.defaults).toEqual({ jobType: 'generic', completionPct: 90, voRole: 'Analysis' })
  })

  it('stores dragged positions rounded and returns the same document when nothing moved', () => {
    const doc = chain()
    const moved = setPositions(doc, { sim: { x: 301.7, y: 50.2 }, ghost: { x: 1, y: 1 } })
    expect(moved.layout.sim).toEqual({ x: 302, y: 50 })
    expect(moved.layout.ghost).toBeUndefined()
    expect(setPositions(moved, { sim: { x: 302, y: 50 } })).toBe(moved)
  })

  it('a new stage after a selected one is placed to its right and depends on it', () => {
    const doc = addStage(chain(), 'ana', { dependsOn: 'reco' })
    expect(doc.layout.ana).toEqual({ x: 880, y: 0 })
    expect(doc.dependencies.at(-1)).toEqual({ from: 'reco', to: 'ana', filePatterns: '%' })
  })

  it('auto-layout puts producers left of their consumers, left to right', () => {
    let doc = chain()
    doc = addStage(doc, 'merge', { dependsOn: 'gen', position: { x: 0, y: 500 } })
    const layout = autoLayout(doc)
    expect(layout.gen!.x).toBeLessThan(layout.sim!.x)
    expect(layout.sim!.x).toBeLessThan(layout.reco!.x)
    expect(layout.merge!.x).toBeGreaterThan(layout.gen!.x)
    // sim and merge share a rank: stacked, not overlapping.
    expect(layout.merge!.x).toBe(layout.sim!.x)
    expect(Math.abs(layout.merge!.y - layout.sim!.y)).toBeGreaterThanOrEqual(78)
  })

  it('maps the document to canvas nodes and edges by safe ids, marking the selection', () => {
    const doc = renameStage(chain(), 'reco', 'reco "final" [x]')
    const nodes = toFlowNodes(doc, [], { stages: ['sim'], dependencies: [] })
    expect(nodes.map((n) => n.data!.name)).toEqual(['gen', 'sim', 'reco "final" [x]'])
    expect(nodes[2]!.id).toMatch(/^[a-z0-9-]+$/)
    expect(nodes[1]!.data!.selected).toBe(true)
    expect(nodes[0]!.data!).toMatchObject({ jobType: 'generic', jobTypeInherited: true })
    const edges = toFlowEdges(doc, [], NOTHING)
    expect(edges.map((e) => [e.source, e.target])).toEqual([
      [stageNodeId('gen'), stageNodeId('sim')],
      [stageNodeId('sim'), stageNodeId('reco "final" [x]')],
    ])
    expect(edges[1]!.id).toBe(dependencyEdgeId(1))
  })
})
