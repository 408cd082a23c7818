import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import type { Draft, Input, RevisionInfo } from '../../shared/api/contract'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import { createAppRouter } from '../../renderer/src/router'
import DiffView from '../../renderer/src/views/DiffView.vue'
import { addStage, setDependencyPatterns, updateStage } from '../../renderer/src/workflow/document-edits'
import type { Handlers } from './support/fake-bridge'
import { campaign } from './support/fixtures'
import { setUpApp } from './support/harness'

const CAMPAIGN = campaign(1, { name: 'mc' })

function revisionOne(): CampaignDocument {
  let doc = CampaignDocument.parse({ name: 'mc', stages: [] })
  doc = addStage(doc, 'gen', { position: { x: 0, y: 0 } })
  doc = addStage(doc, 'reco', { dependsOn: 'gen' })
  return setDependencyPatterns(updateStage(doc, 'reco', { splitType: 'drainingn(10)' }), 0, 'gen%.root')
}

const revisionTwo = () => setDependencyPatterns(updateStage(revisionOne(), 'reco', { splitType: 'drainingn(20)' }), 0, 'gen%_hist.root')
const theDraft = () => addStage(revisionTwo(), 'ana', { dependsOn: 'reco' })

const info = (revision: number, summary: string): RevisionInfo => ({ campaignId: CAMPAIGN.id, revision, createdAt: 1, creator: 'alice', face: 'web', summary })

function handlers(): Handlers {
  const draft: Draft = { campaignId: CAMPAIGN.id, document: theDraft(), isDraft: true, baseRevision: 2, rev: 3, updatedAt: 5, updater: 'alice', problems: [] }
  return {
    'campaigns:get': () => CAMPAIGN,
    'revisions:list': () => [info(1, 'imported'), info(2, 'more files per launch')],
    'revisions:get': (input: Input<'revisions:get'>) => ({
      info: info(input.revision, ''),
      document: input.revision === 1 ? revisionOne() : revisionTwo(),
    }),
    'drafts:get': () => draft,
  }
}

async function mountDiff(from: string | null, to: string | null) {
  const { bridge, pinia } = await setUpApp(handlers())
  const router = createAppRouter(createMemoryHistory())
  await router.push(`/campaigns/${CAMPAIGN.id}/diff`)
  const wrapper = mount(DiffView, { props: { id: CAMPAIGN.id, from, to }, global: { plugins: [pinia, router] } })
  await flushPromises()
  return { bridge, wrapper, router }
}

beforeEach(() => localStorage.clear())

describe('DiffView', () => {
  it('compares two revisions: the changes in words and the documents side by side', async () => {
    const { wrapper, bridge } = await mountDiff('1', '2')
    expect(bridge.callsTo('revisions:get').map((call) => call.revision).sort()).toEqual([1, 2])

    const changes = wrapper.findAll('[data-testid="diff-change"]')
    expect(changes.map((c) => [c.attributes('data-entity'), c.attributes('data-field')])).toEqual([
      ['stage', 'splitType'],
      ['dependency', 'filePatterns'],
    ])
    expect(changes[0]!.text().replace(/\s+/g, ' ')).toContain('stage reco: splitType drainingn(10) → drainingn(20)')
    expect(changes[1]!.text()).toContain('gen%_hist.root')

    const lines = wrapper.findAll('[data-testid="diff-line"]')
    const changed = lines.filter((line) => line.attributes('data-kind') === 'changed')
    expect(changed.map((line) => line.text())).toEqual([
      expect.stringContaining('drainingn(20)'),
      expect.stringContaining('gen%_hist.root'),
    ])
    expect(changed[1]!.find('.diff-left').text()).toContain('gen%.root')
    expect(lines.some((line) => line.attributes('data-kind') === 'same')).toBe(true)
    expect(wrapper.find('thead').text()).toContain('revision 1')
    expect(wrapper.find('thead').text()).toContain('revision 2')
  })

  it('compares the draft with its base revision, showing what was added', async () => {
    const { wrapper, bridge } = await mountDiff('2', 'draft')
    expect(bridge.callsTo('drafts:get').length).toBeGreaterThan(0)
    const changes = wrapper.findAll('[data-testid="diff-change"]')
    expect(changes.map((c) => `${c.attributes('data-entity')}:${c.attributes('data-kind')}`)).toEqual(
      expect.arrayContaining(['stage:added', 'dependency:added']),
    )
    expect(wrapper.findAll('[data-testid="diff-line"][data-kind="added"]').length).toBeGreaterThan(0)
    expect(wrapper.find<HTMLSelectElement>('[data-testid="diff-to-select"]').element.value).toBe('draft')
  })

  it('without a choice compares the newest revision with the one before, and the pickers change the query', async () => {
    const { wrapper, router } = await mountDiff(null, null)
    expect(wrapper.find<HTMLSelectElement>('[data-testid="diff-from-select"]').element.value).toBe('1')
    expect(wrapper.find<HTMLSelectElement>('[data-testid="diff-to-select"]').element.value).toBe('2')
    await wrapper.find('[data-testid="diff-to-select"]').setValue('draft')
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({ from: '1', to: 'draft' }))
  })
})
