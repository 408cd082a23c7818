import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Draft, RevisionInfo } from '../../shared/api/contract'
import type { DocumentChange } from '../../shared/campaign-file/diff-documents'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import ChangeList from '../../renderer/src/components/history/ChangeList.vue'
import SideBySideDiff, { type DiffLine } from '../../renderer/src/components/history/SideBySideDiff.vue'
import { foldUnchanged } from '../../renderer/src/lib/diff-runs'
import CampaignView from '../../renderer/src/views/CampaignView.vue'
import type { Handlers } from './support/fake-bridge'
import { campaign, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const same = (text: string): DiffLine => ({ left: text, right: text, kind: 'same' })

describe('side-by-side diff', () => {
  it('shows added, removed and changed lines in two columns, with line numbers per side', () => {
    const lines: DiffLine[] = [
      same('[campaign]'),
      { left: 'cs_split_type=drainingn(10)', right: 'cs_split_type=drainingn(20)', kind: 'changed' },
      { left: 'state=Inactive', right: null, kind: 'removed' },
      { left: null, right: 'file_pattern_1 = reco%.root', kind: 'added' },
      same('[job_type generic]'),
    ]
    const wrapper = mount(SideBySideDiff, { props: { lines, leftLabel: 'revision 1', rightLabel: 'revision 2' } })
    const rows = wrapper.findAll('[data-testid="diff-line"]')
    expect(rows.map((row) => row.attributes('data-kind'))).toEqual(['same', 'changed', 'removed', 'added', 'same'])
    const cells = (index: number) => rows[index]!.findAll('td').map((cell) => cell.text())
    expect(cells(1)).toEqual(['2', 'cs_split_type=drainingn(10)', '2', 'cs_split_type=drainingn(20)'])
    expect(cells(2)).toEqual(['3', 'state=Inactive', '', ''])
    expect(cells(3)).toEqual(['', '', '3', 'file_pattern_1 = reco%.root'])
    expect(cells(4)).toEqual(['4', '[job_type generic]', '4', '[job_type generic]'])
    expect(rows[1]!.classes()).toContain('diff-changed')
    expect(wrapper.find('thead').text()).toContain('revision 1')
    expect(wrapper.text()).toContain('3 lines differ')
  })

  it('folds a long unchanged run to its context and opens it on request', async () => {
    const lines: DiffLine[] = [
      ...Array.from({ length: 12 }, (_, i) => same(`line ${i + 1}`)),
      { left: 'old', right: 'new', kind: 'changed' },
      ...Array.from({ length: 2 }, (_, i) => same(`tail ${i + 1}`)),
    ]
    const wrapper = mount(SideBySideDiff, { props: { lines, leftLabel: 'a', rightLabel: 'b' } })
    // 12 unchanged lines before the change: 9 folded, 3 kept as context; the short tail stays.
    expect(wrapper.findAll('[data-testid="diff-line"]')).toHaveLength(3 + 1 + 2)
    expect(wrapper.find('[data-testid="diff-expand"]').text()).toContain('9 unchanged lines')
    await wrapper.find('[data-testid="diff-expand"]').trigger('click')
    expect(wrapper.findAll('[data-testid="diff-line"]')).toHaveLength(15)
    expect(wrapper.find('[data-testid="diff-expand"]').exists()).toBe(false)
  })

  it('folding keeps context on both sides of changes and never folds a short run', () => {
    const kinds = ['changed', ...Array<string>(10).fill('same'), 'added', 'same', 'same']
    expect(foldUnchanged(kinds, { context: 2 })).toEqual([
      { kind: 'shown', start: 0, end: 3 },
      { kind: 'folded', start: 3, end: 9 },
      { kind: 'shown', start: 9, end: 14 },
    ])
    expect(foldUnchanged(['same', 'same', 'changed'], { context: 2 })).toEqual([{ kind: 'shown', start: 0, end: 3 }])
    expect(foldUnchanged(['changed', ...Array<string>(10).fill('same')], { context: 2, expanded: new Set([3]) })).toEqual([{ kind: 'shown', start: 0, end: 11 }])
  })

  it('lists structured changes in words', () => {
    const changes: DocumentChange[] = [
      { entity: 'stage', name: 'reco', kind: 'changed', field: 'splitType', before: 'drainingn(10)', after: 'drainingn(20)', path: 'stages.3.splitType' },
      { entity: 'stage', name: 'merge', kind: 'added', field: null, before: null, after: null, path: 'stages.5' },
    ] as DocumentChange[]
    const wrapper = mount(ChangeList, { props: { changes } })
    const items = wrapper.findAll('[data-testid="diff-change"]')
    expect(items[0]!.attributes()).toMatchObject({ 'data-entity': 'stage', 'data-field': 'splitType', 'data-kind': 'changed' })
    expect(items[0]!.text().replace(/\s+/g, ' ')).toContain('stage reco: splitType drainingn(10) → drainingn(20)')
    expect(items[1]!.text().replace(/\s+/g, ' ')).toContain('stage merge added')
  })
})

const CAMPAIGN = campaign(1, { name: 'mc' })
const revision = (n: number, summary = ''): RevisionInfo => ({ campaignId: CAMPAIGN.id, revision: n, createdAt: 1_700_000_000_000 + n, creator: 'alice', face: 'web', summary })

function campaignHandlers(overrides: Handlers = {}): Handlers {
  const draft: Draft = {
    campaignId: CAMPAIGN.id,
    document: CampaignDocument.parse({ name: 'mc', stages: [] }),
    isDraft: true,
    baseRevision: 3,
    rev: 4,
    updatedAt: 1_700_000_000_000,
    updater: 'bob',
    problems: [],
  }
  return {
    'campaigns:get': () => CAMPAIGN,
    'stages:list': () => ({ items: [], nextCursor: null }),
    'dependencies:list': () => [],
    'submissions:list': () => ({ items: [], nextCursor: null }),
    'jobTypes:list': () => ({ items: [], nextCursor: null }),
    'loginSetups:list': () => ({ items: [], nextCursor: null }),
    'revisions:list': () => [revision(1, 'imported'), revision(3, 'more files'), revision(2, 'fix')],
    'drafts:get': () => draft,
    'campaigns:export': (input) => ({ fileName: `mc${input.revision ? `-r${input.revision}` : ''}.ini`, text: '[campaign]\nname=mc\n' }),
    'campaigns:clone': (input) => campaign(9, { name: input.name }),
    ...overrides,
  }
}

describe('campaign page: history, export, clone', () => {
  let blobs: Blob[] = []
  let clicked: { download: string; href: string }[] = []
  beforeEach(() => {
    localStorage.clear()
    blobs = []
    clicked = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob)
      return `blob:test/${blobs.length}`
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {})
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ download: this.download, href: this.getAttribute('href') ?? '' })
    })
  })
  afterEach(() => vi.restoreAllMocks())

  it('lists revisions newest first, says a draft exists, and compares the two ticked revisions', async () => {
    const { wrapper, router } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers())
    const rows = wrapper.findAll('[data-testid="revision-row"]')
    expect(rows.map((row) => row.attributes('data-revision'))).toEqual(['3', '2', '1'])
    expect(rows[0]!.text()).toContain('more files')
    expect(wrapper.find('[data-testid="campaign-draft-notice"]').text()).toContain('bob')
    expect(wrapper.find('[data-testid="campaign-draft-notice"]').text()).toContain('launches use revision 3')

    const compare = wrapper.find('[data-testid="compare-button"]')
    expect(compare.attributes('disabled')).toBeDefined()
    const boxes = wrapper.findAll('[data-testid="revision-compare-checkbox"]')
    await boxes[0]!.setValue(true)
    await boxes[2]!.setValue(true)
    expect(compare.attributes('disabled')).toBeUndefined()
    await compare.trigger('click')
    // The diff view loads lazily: the navigation ends once its chunk is in.
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe(`/campaigns/${CAMPAIGN.id}/diff?from=1&to=3`))
  })

  it('a third tick replaces the oldest of the two', async () => {
    const { wrapper, router } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers())
    const boxes = wrapper.findAll('[data-testid="revision-compare-checkbox"]')
    await boxes[0]!.setValue(true)
    await boxes[1]!.setValue(true)
    await boxes[2]!.setValue(true)
    expect(boxes.map((box) => (box.element as HTMLInputElement).checked)).toEqual([false, true, true])
    await wrapper.find('[data-testid="compare-button"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.query).toEqual({ from: '1', to: '2' }))
  })

  it('exports the campaign, or one revision, as a downloaded .ini file', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers())
    await wrapper.find('[data-testid="export-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('campaigns:export')[0]).toMatchObject({ id: CAMPAIGN.id })
    expect(clicked).toEqual([{ download: 'mc.ini', href: 'blob:test/1' }])
    expect(await blobs[0]!.text()).toBe('[campaign]\nname=mc\n')

    await wrapper.findAll('[data-testid="revision-export-button"]')[1]!.trigger('click')
    await flushPromises()
    expect(bridge.callsTo('campaigns:export')[1]).toMatchObject({ id: CAMPAIGN.id, revision: 2 })
    expect(clicked[1]!.download).toBe('mc-r2.ini')
  })

  it('clones with a new name and from→to replacements, then opens the clone', async () => {
    const { wrapper, bridge, router } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers())
    await wrapper.find('[data-testid="clone-button"]').trigger('click')
    const name = wrapper.find('[data-testid="clone-name-input"]')
    expect((name.element as HTMLInputElement).value).toBe('mc_copy')
    await name.setValue('mc')
    await wrapper.find('[data-testid="clone-form"]').trigger('submit')
    expect(wrapper.find('[data-testid="clone-name-error"]').text()).toContain('a name of its own')
    expect(bridge.callsTo('campaigns:clone')).toHaveLength(0)

    await name.setValue('mc_v2')
    await wrapper.find('[data-testid="clone-replace-from"]').setValue('v09_10')
    await wrapper.find('[data-testid="clone-replace-to"]').setValue('v09_12')
    await wrapper.find('[data-testid="clone-add-replacement"]').trigger('click')
    await wrapper.find('[data-testid="clone-form"]').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('campaigns:clone')[0]).toMatchObject({ id: CAMPAIGN.id, name: 'mc_v2', replace: [{ from: 'v09_10', to: 'v09_12' }] })
    expect(router.currentRoute.value.path).toBe(`/campaigns/${uuid(9)}`)
  })
})
