import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Draft, Input } from '../../shared/api/contract'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import { VueFlow } from '@vue-flow/core'
import WorkflowEditorView from '../../renderer/src/views/WorkflowEditorView.vue'
import { stageNodeId } from '../../renderer/src/workflow/graph'
import { DRAFT_SAVE_DELAY_MS } from '../../renderer/src/stores/workflow'
import { addStage, updateStage } from '../../renderer/src/workflow/document-edits'
import type { FakeBridge, Handlers } from './support/fake-bridge'
import { jobType, loginSetup, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const CAMPAIGN_ID = uuid(1)

/** gen → reco, both valid. */
function sampleDocument(): CampaignDocument {
  let doc = CampaignDocument.parse({ name: 'mc', stages: [], defaults: { jobType: 'generic', loginSetup: 'local' } })
  doc = addStage(doc, 'gen', { position: { x: 0, y: 0 } })
  doc = updateStage(doc, 'gen', { dataset: 'mc_gen_input' })
  doc = addStage(doc, 'reco', { dependsOn: 'gen' })
  return updateStage(doc, 'reco', { dataset: 'from_parent' })
}

function handlers(doc: CampaignDocument): Handlers {
  let stored: Draft = { campaignId: CAMPAIGN_ID, document: doc, isDraft: false, baseRevision: 1, rev: null, updatedAt: null, updater: null, problems: [] }
  return {
    'jobTypes:list': () => ({ items: [jobType(20, { name: 'generic' }), jobType(21, { name: 'art' })], nextCursor: null }),
    'loginSetups:list': () => ({ items: [loginSetup(30, { name: 'local' })], nextCursor: null }),
    'drafts:get': () => stored,
    'drafts:save': (input: Input<'drafts:save'>) => {
      stored = { ...stored, document: CampaignDocument.parse(input.document), isDraft: true, rev: (stored.rev ?? 0) + 1, updatedAt: 10, updater: 'alice' }
      return stored
    },
  }
}

let wrapper: VueWrapper | null = null

beforeEach(() => {
  localStorage.clear()
  document.body.innerHTML = ''
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountEditor(doc: CampaignDocument = sampleDocument()) {
  const mounted = await mountAt(`/campaigns/${CAMPAIGN_ID}/workflow`, WorkflowEditorView, handlers(doc), { attachTo: document.body })
  wrapper = mounted.wrapper
  await flushPromises()
  return mounted
}

const nodeNames = (w: VueWrapper) => w.findAll('[data-testid="workflow-node"]').map((node) => node.attributes('data-stage-name'))
const edgeEnds = (w: VueWrapper) => w.findAll('[data-testid="workflow-edge-label"]').map((edge) => `${edge.attributes('data-from')}→${edge.attributes('data-to')}`)

/** The last document the editor saved, once the debounced save has gone out. */
async function lastSaved(bridge: FakeBridge, count: number): Promise<CampaignDocument> {
  await vi.waitFor(() => expect(bridge.callsTo('drafts:save').length).toBeGreaterThanOrEqual(count), { timeout: DRAFT_SAVE_DELAY_MS * 4 })
  return CampaignDocument.parse(bridge.callsTo('drafts:save').at(-1)!.document)
}

/** Keys reach the editor from whatever inside it has focus (the canvas, a node). */
const press = (w: VueWrapper, key: string) => w.find('[data-testid="workflow-editor"]').trigger('keydown', { key })

describe('WorkflowEditorView', () => {
  it('draws stages as nodes and dependencies as labelled edges, with the published banner and no problems', async () => {
    const { wrapper } = await mountEditor()
    expect(nodeNames(wrapper)).toEqual(['gen', 'reco'])
    const edge = wrapper.find('[data-testid="workflow-edge-label"]')
    expect(edge.attributes()).toMatchObject({ 'data-from': 'gen', 'data-to': 'reco' })
    expect(edge.text()).toBe('%')
    expect(wrapper.find('[data-testid="workflow-node"][data-stage-name="gen"]').text()).toContain('generic')
    expect(wrapper.find('[data-testid="draft-banner"]').attributes('data-draft')).toBe('false')
    expect(wrapper.find('[data-testid="problems-none"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="defaults-panel"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="publish-button"]').attributes('disabled')).toBeDefined()
  })

  it('a problem marks its node, blocks publishing, and clicking it selects the stage and focuses the field', async () => {
    const { wrapper } = await mountEditor(updateStage(sampleDocument(), 'reco', { splitType: 'nfiles(abc)' }))
    const reco = wrapper.find('[data-testid="workflow-node"][data-stage-name="reco"]')
    expect(reco.attributes('data-severity')).toBe('error')
    expect(wrapper.find('[data-testid="workflow-node"][data-stage-name="gen"]').attributes('data-severity')).toBeUndefined()
    const item = wrapper.find('[data-testid="problem-item"][data-path="stages.1.splitType"]')
    expect(item.attributes('data-severity')).toBe('error')
    expect(item.text()).toContain('stage reco · splitType')

    await item.trigger('click')
    await flushPromises()
    const panel = wrapper.find('[data-testid="stage-panel"]')
    expect(panel.attributes('data-stage-name')).toBe('reco')
    expect(wrapper.find('[data-testid="workflow-node"][data-stage-name="reco"]').classes()).toContain('selected')
    expect(document.activeElement).toBe(panel.find('[data-field="splitType"]').element)
    expect(panel.find('[data-testid="split-error"]').text()).toContain('n must be a positive whole number')
  })

  it('fixing the problem in the stage panel clears it and saves the draft', async () => {
    const { wrapper, bridge } = await mountEditor(updateStage(sampleDocument(), 'reco', { splitType: 'nfiles(abc)' }))
    await wrapper.find('[data-testid="problem-item"]').trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="stage-panel"] [data-testid="split-param-input"]').setValue('100')
    expect(wrapper.find('[data-testid="problems-none"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="workflow-node"][data-stage-name="reco"]').text()).toContain('nfiles(100)')
    const saved = await lastSaved(bridge, 1)
    expect(saved.stages[1]!.splitType).toBe('nfiles(100)')
    await flushPromises()
    expect(wrapper.find('[data-testid="draft-banner"]').attributes('data-draft')).toBe('true')
    expect(wrapper.find('[data-testid="publish-button"]').attributes('disabled')).toBeUndefined()
  })

  it('adds a stage with "a", connected after the selected one, and deletes it with Delete (its edge too)', async () => {
    const { wrapper, bridge } = await mountEditor()
    await wrapper.find('[data-testid="workflow-node"][data-stage-name="reco"]').trigger('click')
    expect(wrapper.find('[data-testid="stage-panel"]').attributes('data-stage-name')).toBe('reco')
    await press(wrapper, 'a')
    await flushPromises()
    const input = wrapper.find<HTMLInputElement>('[data-testid="new-stage-name-input"]')
    expect(document.activeElement).toBe(input.element)
    expect(input.element.value).toBe('reco_next')
    await input.setValue('gen')
    await wrapper.find('[data-testid="add-stage-form"]').trigger('submit')
    expect(wrapper.find('[data-testid="new-stage-name-error"]').text()).toContain('already exists')
    await input.setValue('anatree')
    await wrapper.find('[data-testid="add-stage-form"]').trigger('submit')
    await flushPromises()
    expect(nodeNames(wrapper)).toEqual(['gen', 'reco', 'anatree'])
    expect(edgeEnds(wrapper)).toEqual(['gen→reco', 'reco→anatree'])
    expect(wrapper.find('[data-testid="stage-panel"]').attributes('data-stage-name')).toBe('anatree')

    await press(wrapper, 'Delete')
    await flushPromises()
    expect(nodeNames(wrapper)).toEqual(['gen', 'reco'])
    expect(edgeEnds(wrapper)).toEqual(['gen→reco'])
    expect(wrapper.find('[data-testid="defaults-panel"]').exists()).toBe(true)
    const saved = await lastSaved(bridge, 1)
    expect(saved.stages.map((s) => s.name)).toEqual(['gen', 'reco'])
    expect(saved.dependencies).toEqual([{ from: 'gen', to: 'reco', filePatterns: '%' }])
  })

  it('typing "a" in a field does not add a stage; Escape deselects', async () => {
    const { wrapper } = await mountEditor()
    await wrapper.find('[data-testid="workflow-node"][data-stage-name="gen"]').trigger('click')
    const field = wrapper.find('[data-testid="stage-panel"] [data-testid="field-softwareVersion"]')
    await field.trigger('keydown', { key: 'a' })
    await field.trigger('keydown', { key: 'Backspace' })
    expect(wrapper.find('[data-testid="add-stage-form"]').exists()).toBe(false)
    expect(nodeNames(wrapper)).toEqual(['gen', 'reco'])
    await press(wrapper, 'Escape')
    expect(wrapper.find('[data-testid="stage-panel"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="defaults-panel"]').exists()).toBe(true)
  })

  it('selects an edge by its label and edits its file patterns; the delete button removes it', async () => {
    const { wrapper, bridge } = await mountEditor()
    await wrapper.find('[data-testid="workflow-edge-label"]').trigger('click')
    const input = wrapper.find<HTMLInputElement>('[data-testid="edge-patterns-input"]')
    expect(input.element.value).toBe('%')
    await input.setValue('gen%.root')
    expect(wrapper.find('[data-testid="workflow-edge-label"]').text()).toBe('gen%.root')
    expect((await lastSaved(bridge, 1)).dependencies[0]!.filePatterns).toBe('gen%.root')

    await wrapper.find('[data-testid="delete-selected-button"]').trigger('click')
    expect(edgeEnds(wrapper)).toEqual([])
    expect(nodeNames(wrapper)).toEqual(['gen', 'reco'])
  })

  it('renaming a stage in its panel keeps its edges and its selection', async () => {
    const { wrapper, bridge } = await mountEditor()
    await wrapper.find('[data-testid="workflow-node"][data-stage-name="gen"]').trigger('click')
    const name = wrapper.find('[data-testid="stage-panel"] [data-testid="field-name"]')
    await name.setValue('generate')
    await name.trigger('change')
    expect(nodeNames(wrapper)).toEqual(['generate', 'reco'])
    expect(edgeEnds(wrapper)).toEqual(['generate→reco'])
    expect(wrapper.find('[data-testid="stage-panel"]').attributes('data-stage-name')).toBe('generate')
    const saved = await lastSaved(bridge, 1)
    expect(saved.layout.generate).toEqual({ x: 0, y: 0 })
  })

  it('auto-layout stores a left-to-right position for every stage', async () => {
    let doc = sampleDocument()
    doc = { ...doc, layout: { gen: { x: 500, y: 300 }, reco: { x: 0, y: 0 } } }
    const { wrapper, bridge } = await mountEditor(doc)
    await wrapper.find('[data-testid="auto-layout-button"]').trigger('click')
    const saved = await lastSaved(bridge, 1)
    expect(saved.layout.gen!.x).toBeLessThan(saved.layout.reco!.x)
    expect(saved.layout.gen!.y).toBe(saved.layout.reco!.y)
  })

  it('campaign defaults: a job type chosen in the defaults panel is what stages without their own show', async () => {
    const { wrapper, bridge } = await mountEditor()
    const panel = wrapper.find('[data-testid="defaults-panel"]')
    await panel.find('[data-testid="field-jobType"]').setValue('art')
    expect(wrapper.find('[data-testid="workflow-node"][data-stage-name="gen"]').text()).toContain('art')
    await panel.find('[data-testid="add-row-keywords"]').trigger('click')
    await panel.find('[data-testid="field-keywords.0.0"]').setValue('release')
    await panel.find('[data-testid="field-keywords.0.1"]').setValue('v10')
    const saved = await lastSaved(bridge, 1)
    expect(saved.defaults.jobType).toBe('art')
    expect(saved.keywords).toEqual({ release: 'v10' })
  })

  it('stores where a dragged stage was dropped, and connecting two stages selects the new edge for its patterns', async () => {
    const { wrapper, bridge } = await mountEditor()
    const flow = wrapper.findComponent(VueFlow)
    flow.vm.$emit('nodeDragStop', { event: new MouseEvent('mouseup'), node: {}, nodes: [{ id: stageNodeId('reco'), position: { x: 412.4, y: 99.6 } }] })
    expect((await lastSaved(bridge, 1)).layout.reco).toEqual({ x: 412, y: 100 })

    flow.vm.$emit('connect', { source: stageNodeId('reco'), target: stageNodeId('gen') })
    await flushPromises()
    expect(edgeEnds(wrapper)).toEqual(['gen→reco', 'reco→gen'])
    const patterns = wrapper.find('[data-testid="edge-patterns-input"]')
    expect(document.activeElement).toBe(patterns.element)
    // A cycle is allowed on the graph and reported, so it can be fixed rather than silently refused.
    expect(wrapper.findAll('[data-testid="problem-item"]').some((item) => item.attributes('data-path')?.startsWith('dependencies'))).toBe(true)
    expect(wrapper.find('[data-testid="publish-button"]').attributes('disabled')).toBeDefined()
  })
})
