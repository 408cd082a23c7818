import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import SplitSimulator from '../../renderer/src/components/splits/SplitSimulator.vue'
import StagePanel from '../../renderer/src/components/workflow/StagePanel.vue'
import { addStage, updateStage } from '../../renderer/src/workflow/document-edits'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import { LIVE_REFETCH_DELAY_MS } from '../../renderer/src/stores/live'
import CampaignView from '../../renderer/src/views/CampaignView.vue'
import StageEditView from '../../renderer/src/views/StageEditView.vue'
import type { SplitPreview } from '../../shared/api/contract'
import type { SubmissionSnapshot } from '../../shared/domain/submission'
import type { Handlers } from './support/fake-bridge'
import { campaign, detail, jobType, loginSetup, splitPreview, stage, submission, uuid } from './support/fixtures'
import { mountAt, mountComponent } from './support/harness'

const CAMPAIGN = campaign(1)
const STAGE = stage(2, CAMPAIGN.id, { name: 'generate', splitType: 'nfiles(5)' })
const props = { stageId: STAGE.id, stageName: 'generate' }

let preview: SplitPreview

beforeEach(() => {
  localStorage.clear()
  preview = splitPreview(STAGE.id)
})
afterEach(() => {
  vi.useRealTimers()
})

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'splits:preview': () => preview,
    'submissions:list': () => ({ items: [], nextCursor: null }),
    ...overrides,
  }
}

function snapshotOf(cursorBefore: number | null, cursorAfter: number | null): SubmissionSnapshot {
  return {
    campaign: null,
    stage: STAGE,
    jobType: jobType(3),
    loginSetup: loginSetup(4),
    launch: {
      test: false,
      datasetOverride: null,
      launchParamOverrides: [],
      params: [],
      command: 'sample-job.sh',
      argv: ['sample-job.sh'],
      env: {},
      dataset: 'sample_slice1_files5',
      files: [],
      jobCount: 5,
      splitCursorBefore: cursorBefore,
      splitCursorAfter: cursorAfter,
      split: { spec: 'nfiles(5)', description: 'files 6–10 of sample (5 files)', definitions: [], fileCount: 5 },
      variables: {},
      target: null,
      setup: '',
      tags: {},
      group: 'demo',
      role: 'Production',
    },
    takenAt: 0,
  }
}

describe('SplitSimulator', () => {
  it('shows each upcoming slice, where the split runs out, and the split type’s notes, saying nothing changes', async () => {
    const { wrapper, bridge } = await mountComponent(SplitSimulator, props, handlers())
    expect(bridge.callsTo('splits:preview')).toEqual([{ experiment: 'samdev', role: 'production', stageId: STAGE.id, count: 10, test: false, filesPerSlice: 5 }])
    const panel = wrapper.find('[data-testid="split-preview"]')
    expect(panel.attributes('data-exhausted-after')).toBe('4')
    expect(wrapper.find('[data-testid="split-no-change"]').text()).toContain('Nothing is changed by this preview')

    const slices = wrapper.findAll('[data-testid="split-slice"]')
    expect(slices.map((slice) => [slice.attributes('data-index'), slice.attributes('data-file-count')])).toEqual([
      ['0', '5'],
      ['1', '5'],
      ['2', '5'],
      ['3', '5'],
    ])
    expect(slices[1]!.find('[data-testid="split-slice-dataset"]').text()).toBe('sample_slice1_files5')
    expect(slices[1]!.text()).toContain('files 6–10 of sample (5 files)')
    const dims = slices[1]!.find('[data-testid="split-slice-dims"]')
    expect(dims.text()).toBe('defname:sample with limit 5 offset 5')
    expect(dims.element.tagName).toBe('CODE')
    // Three files listed of five: the rest is counted.
    expect(slices[0]!.findAll('[data-testid="split-slice-files"] li').map((li) => li.text())).toEqual([
      '/data/run0001_subrun000.dat',
      '/data/run0001_subrun001.dat',
      '/data/run0001_subrun002.dat',
      '… and 2 more',
    ])
    expect(wrapper.find('[data-testid="split-exhaustion"]').text()).toBe('Exhausted after launch 4: launch 5 would fail with “No more splits”.')
    expect(wrapper.find('[data-testid="split-end"]').text()).toContain('No slice after launch 4')
    expect(wrapper.find('[data-testid="split-notes"]').text()).toContain('unsuitable for datasets that change')
    expect(wrapper.find('[data-testid="split-cursor"]').text()).toContain('at the start')
  })

  it('says when the split lasts beyond the launches asked for, or is already exhausted', async () => {
    preview = splitPreview(STAGE.id, { exhaustedAfter: null, cursor: 2 })
    const { wrapper } = await mountComponent(SplitSimulator, props, handlers())
    expect(wrapper.find('[data-testid="split-preview"]').attributes('data-exhausted-after')).toBe('none')
    expect(wrapper.find('[data-testid="split-exhaustion"]').text()).toBe('Lasts beyond 4 launches.')
    expect(wrapper.find('[data-testid="split-end"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="split-cursor"]').text()).toContain('2 slices taken, the next launch takes slice 2')

    preview = splitPreview(STAGE.id, { exhaustedAfter: 0, cursor: 4, slices: [] })
    await wrapper.find('[data-testid="split-refresh-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="split-exhaustion"]').text()).toContain('Exhausted: the next launch would fail')
    expect(wrapper.findAll('[data-testid="split-slice"]')).toHaveLength(0)
  })

  it('asks again for more launches, and for test launches', async () => {
    const { wrapper, bridge } = await mountComponent(SplitSimulator, props, handlers())
    await wrapper.find('[data-testid="split-count-select"]').setValue('25')
    await flushPromises()
    await wrapper.find('[data-testid="split-test-toggle"]').setValue(true)
    await flushPromises()
    expect(bridge.callsTo('splits:preview').map((call) => [call.count, call.test])).toEqual([
      [10, false],
      [25, false],
      [25, true],
    ])
  })

  it('follows the stage: a launch of it (stages:changed) shows the split from the moved cursor', async () => {
    const { wrapper, bridge } = await mountComponent(SplitSimulator, props, handlers())
    vi.useFakeTimers()
    bridge.emit('stages:changed', { experiment: 'samdev', ids: [uuid(99)] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('splits:preview')).toHaveLength(1)

    preview = splitPreview(STAGE.id, { cursor: 1, slices: splitPreview(STAGE.id).slices.slice(1), exhaustedAfter: 3 })
    bridge.emit('stages:changed', { experiment: 'samdev', ids: [STAGE.id] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('splits:preview')).toHaveLength(2)
    expect(wrapper.find('[data-testid="split-preview"]').attributes('data-cursor')).toBe('1')
    expect(wrapper.findAll('[data-testid="split-slice"]')).toHaveLength(3)
    expect(wrapper.find('[data-testid="split-exhaustion"]').text()).toContain('after launch 3')
  })

  it('stops listening once closed', async () => {
    const { wrapper, bridge } = await mountComponent(SplitSimulator, props, handlers())
    wrapper.unmount()
    vi.useFakeTimers()
    bridge.emit('stages:changed', { experiment: 'samdev', ids: [STAGE.id] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('splits:preview')).toHaveLength(1)
  })

  it('resets the split only after the inline confirmation, then simulates again', async () => {
    preview = splitPreview(STAGE.id, { cursor: 3 })
    const { wrapper, bridge } = await mountComponent(SplitSimulator, props, handlers({ 'stages:resetSplit': () => ({ ...STAGE, splitCursor: null }) }))
    await wrapper.find('[data-testid="split-reset-button"]').trigger('click')
    expect(bridge.callsTo('stages:resetSplit')).toHaveLength(0)
    await wrapper.find('[data-testid="split-reset-button-confirm"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('stages:resetSplit')).toEqual([{ experiment: 'samdev', role: 'production', id: STAGE.id }])
    expect(bridge.callsTo('splits:preview')).toHaveLength(2)
  })

  it('restores the cursor a chosen submission left, showing it first, or sets a typed one', async () => {
    const recent = [submission(11, { stageId: STAGE.id, status: 'Completed' }), submission(10, { stageId: STAGE.id, status: 'Located' })]
    const { wrapper, bridge } = await mountComponent(
      SplitSimulator,
      props,
      handlers({
        'submissions:list': () => ({ items: recent, nextCursor: null }),
        'submissions:get': (input) => detail(recent.find((s) => s.id === input.id)!, { snapshot: snapshotOf(1, 2) }),
        'stages:setSplitCursor': (input) => ({ ...STAGE, splitCursor: 'cursor' in input && input.cursor !== undefined ? input.cursor : 2 }),
      }),
    )
    expect(bridge.callsTo('submissions:list')[0]).toMatchObject({ filter: { stageId: STAGE.id }, limit: 20 })
    const select = wrapper.find('[data-testid="split-cursor-restore-select"]')
    expect(select.findAll('option').map((o) => o.text().split(' · ')[0])).toEqual(['— choose one of the stage’s recent submissions —', 's-000011', 's-000010'])
    await select.setValue(recent[1]!.id)
    await flushPromises()
    expect(wrapper.find('[data-testid="split-cursor-left"]').text()).toBe('2')
    expect(wrapper.find('[data-testid="split-cursor-chosen"]').text()).toContain('files 6–10 of sample')
    await wrapper.find('[data-testid="split-cursor-restore"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('stages:setSplitCursor')).toEqual([{ experiment: 'samdev', role: 'production', id: STAGE.id, fromSubmissionId: recent[1]!.id }])

    await wrapper.find('[data-testid="split-cursor-input"]').setValue('seven')
    expect(wrapper.find('[data-testid="split-cursor-error"]').text()).toContain('a whole number')
    expect(wrapper.find('[data-testid="split-cursor-set"]').attributes('disabled')).toBeDefined()
    await wrapper.find('[data-testid="split-cursor-input"]').setValue('7')
    await wrapper.find('[data-testid="split-cursor-set"]').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('stages:setSplitCursor')[1]).toEqual({ experiment: 'samdev', role: 'production', id: STAGE.id, cursor: 7 })
    // Each change shows the split again from the new cursor.
    expect(bridge.callsTo('splits:preview')).toHaveLength(3)
    expect(wrapper.find('[data-testid="split-cursor-editor"]').text()).toContain('stores the id of the chosen snapshot')
  })

  it('shows no cursor editor to someone who may not change the stage', async () => {
    const { wrapper } = await mountComponent(SplitSimulator, { ...props, mayEdit: false }, handlers())
    expect(wrapper.find('[data-testid="split-cursor-editor"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="split-slice"]')).toHaveLength(4)
  })

  it('opens from the stage row on the campaign page, one stage at a time', async () => {
    const other = stage(3, CAMPAIGN.id, { name: 'process' })
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, {
      ...handlers(),
      'campaigns:get': () => CAMPAIGN,
      'stages:list': () => ({ items: [STAGE, other], nextCursor: null }),
      'dependencies:list': () => [],
      'jobTypes:list': () => ({ items: [], nextCursor: null }),
      'loginSetups:list': () => ({ items: [], nextCursor: null }),
      'schedules:list': () => [],
      'campaigns:plan': () => ({ campaignId: CAMPAIGN.id, steps: [] }),
    })
    expect(wrapper.find('[data-testid="split-preview"]').exists()).toBe(false)
    const buttons = wrapper.findAll('[data-testid="split-preview-button"]')
    await buttons[0]!.trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="split-preview"]').attributes('data-stage-id')).toBe(STAGE.id)
    await buttons[1]!.trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="split-preview"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="split-preview"]').attributes('data-stage-id')).toBe(other.id)
    expect(bridge.callsTo('splits:preview').map((call) => call.stageId)).toEqual([STAGE.id, other.id])
    await wrapper.find('[data-testid="split-preview-close"]').trigger('click')
    expect(wrapper.find('[data-testid="split-preview"]').exists()).toBe(false)
  })
})

describe('the workflow editor’s stage panel', () => {
  function panelProps(withId: boolean) {
    let doc = CampaignDocument.parse({ name: 'mc', stages: [], defaults: {} })
    doc = addStage(doc, 'generate', { position: { x: 0, y: 0 } })
    doc = updateStage(doc, 'generate', { splitType: 'nfiles(5)' })
    const docStage = { ...doc.stages[0]!, ...(withId ? { id: STAGE.id } : {}) }
    return { stage: docStage, document: { ...doc, stages: [docStage] }, jobTypes: [], loginSetups: [], errors: {} }
  }

  it('simulates a published stage’s split only once opened, without the cursor editor', async () => {
    const { wrapper, bridge } = await mountComponent(StagePanel, panelProps(true), handlers())
    const details = wrapper.find('[data-testid="stage-panel-simulator"]')
    expect(bridge.callsTo('splits:preview')).toHaveLength(0)
    ;(details.element as HTMLDetailsElement).open = true
    await details.trigger('toggle')
    await flushPromises()
    expect(bridge.callsTo('splits:preview')).toEqual([{ experiment: 'samdev', role: 'production', stageId: STAGE.id, count: 5, test: false, filesPerSlice: 5 }])
    expect(wrapper.findAll('[data-testid="split-slice"]')).toHaveLength(4)
    expect(wrapper.find('[data-testid="split-cursor-editor"]').exists()).toBe(false)
  })

  it('offers nothing to simulate for a stage that is not published yet', async () => {
    const { wrapper } = await mountComponent(StagePanel, panelProps(false), handlers())
    expect(wrapper.find('[data-testid="stage-panel-simulator"]').exists()).toBe(false)
  })
})

describe('the stage page', () => {
  const pageHandlers = (): Handlers => ({
    ...handlers(),
    'campaigns:get': () => CAMPAIGN,
    'stages:get': () => STAGE,
    'jobTypes:list': () => ({ items: [], nextCursor: null }),
    'loginSetups:list': () => ({ items: [], nextCursor: null }),
    'schedules:list': () => [],
  })

  it('shows the saved stage’s split simulator and schedule below its form', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}/stages/${STAGE.id}/edit`, StageEditView, pageHandlers())
    expect(wrapper.find('[data-testid="stage-split-section"] [data-testid="split-preview"]').attributes('data-stage-id')).toBe(STAGE.id)
    expect(wrapper.find('[data-testid="stage-split-section"] [data-testid="split-cursor-editor"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="stage-schedule-section"] [data-testid="schedule-editor"]').exists()).toBe(true)
    expect(bridge.callsTo('splits:preview')[0]).toMatchObject({ stageId: STAGE.id })
  })

  it('has neither while a new stage is being created', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}/stages/new`, StageEditView, pageHandlers())
    expect(wrapper.find('[data-testid="stage-form"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="split-preview"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="schedule-editor"]').exists()).toBe(false)
    expect(bridge.callsTo('splits:preview')).toHaveLength(0)
  })
})
