import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import type { ImportResult } from '../../shared/campaign-file/import-report'
import type { Input } from '../../shared/api/contract'
import ImportView from '../../renderer/src/views/ImportView.vue'
import { uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const GOOD = '[campaign]\nname=mc\n[campaign_stage gen]\njob_type=generic\n'
const BAD = '[campaign]\nname=broken\n[campaign_stage gen\n'

function result(file: string, accepted: boolean, dryRun: boolean, overrides: Partial<ImportResult> = {}): ImportResult {
  const tally = { campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] }
  return {
    file,
    accepted,
    dryRun,
    campaign: accepted ? 'mc' : null,
    campaignId: accepted && !dryRun ? uuid(77) : null,
    stages: accepted ? ['gen', 'reco'] : [],
    dependencies: accepted ? ['gen → reco'] : [],
    created: { ...tally, campaigns: accepted ? ['mc'] : [], jobTypes: accepted ? ['generic'] : [] },
    reused: { ...tally, loginSetups: accepted ? ['local'] : [] },
    ignored: accepted ? [{ what: 'state=Inactive', why: 'POMS ignores the state on import', line: 4 }] : [],
    warnings: accepted
      ? [{ code: 'inline-comment', message: 'an inline # is part of the value', line: 6, column: 14, section: 'campaign_stage gen', key: 'dataset_or_split_data', path: null }]
      : [],
    errors: accepted ? [] : [{ code: 'syntax', message: "a section header needs its closing ']'", line: 3, column: 1, section: null, key: null, path: null }],
    ...overrides,
  }
}

function handlers() {
  return {
    'campaigns:import': (input: Input<'campaigns:import'>) => ({
      results: input.files.map((file) => result(file.name, file.name === 'good.ini', input.dryRun === true)),
    }),
  }
}

async function choose(wrapper: Awaited<ReturnType<typeof mountAt>>['wrapper'], files: File[]) {
  const input = wrapper.find('[data-testid="import-file-input"]')
  Object.defineProperty(input.element, 'files', { value: files, configurable: true })
  await input.trigger('change')
  await flushPromises()
}

beforeEach(() => localStorage.clear())

describe('ImportView', () => {
  it('dry-runs chosen files, marks the refused one, and imports only the accepted one', async () => {
    const { wrapper, bridge } = await mountAt('/import', ImportView, handlers())
    expect(wrapper.find<HTMLInputElement>('[data-testid="import-file-input"]').element.multiple).toBe(true)
    await choose(wrapper, [new File([GOOD], 'good.ini', { type: 'text/plain' }), new File([BAD], 'bad.ini', { type: 'text/plain' })])

    const dryRuns = bridge.callsTo('campaigns:import')
    expect(dryRuns).toHaveLength(1)
    expect(dryRuns[0]).toMatchObject({ experiment: 'samdev', dryRun: true })
    expect(dryRuns[0]!.files).toEqual([
      { name: 'good.ini', text: GOOD },
      { name: 'bad.ini', text: BAD },
    ])

    const reports = wrapper.findAll('[data-testid="import-report"]')
    expect(reports.map((r) => [r.attributes('data-file'), r.attributes('data-accepted')])).toEqual([
      ['good.ini', 'true'],
      ['bad.ini', 'false'],
    ])
    const refused = reports[1]!
    expect(refused.classes()).toContain('refused')
    expect(refused.find('[data-testid="import-status"]').text()).toContain('Refused')
    const error = refused.find('[data-testid="import-finding"]')
    expect(error.attributes('data-severity')).toBe('error')
    expect(error.text()).toContain('bad.ini:3:1')
    expect(error.text()).toContain("a section header needs its closing ']'")

    const good = reports[0]!
    const warning = good.find('[data-testid="import-finding"]')
    expect(warning.attributes('data-severity')).toBe('warning')
    expect(warning.text()).toContain('good.ini:6:14')
    expect(warning.text()).toContain('[campaign_stage gen] dataset_or_split_data')
    expect(good.find('[data-testid="import-created"]').text()).toContain('generic')
    expect(good.find('[data-testid="import-reused"]').text()).toContain('local')
    expect(good.find('[data-testid="import-ignored"]').text()).toContain('state=Inactive')
    // A dry run links nowhere yet.
    expect(wrapper.find('[data-testid="imported-campaign-link"]').exists()).toBe(false)

    const confirm = wrapper.find('[data-testid="import-confirm-button"]')
    expect(confirm.text()).toBe('Import 1 file')
    await confirm.trigger('click')
    await flushPromises()

    const calls = bridge.callsTo('campaigns:import')
    expect(calls).toHaveLength(2)
    expect(calls[1]).toMatchObject({ dryRun: false, files: [{ name: 'good.ini', text: GOOD }] })
    const link = wrapper.find('[data-testid="imported-campaign-link"]')
    expect(link.attributes('href')).toBe(`/campaigns/${uuid(77)}`)
    expect(link.text()).toBe('mc')
    expect(wrapper.find('[data-testid="import-done"]').text()).toContain('Imported 1 of 1 file')
  })

  it('takes dropped files, and cannot import when every file is refused', async () => {
    const { wrapper, bridge } = await mountAt('/import', ImportView, handlers())
    const zone = wrapper.find('[data-testid="import-drop-zone"]')
    await zone.trigger('dragenter')
    expect(zone.classes()).toContain('over')
    await zone.trigger('drop', { dataTransfer: { files: [new File([BAD], 'bad.ini')] } })
    await flushPromises()
    expect(zone.classes()).not.toContain('over')
    expect(bridge.callsTo('campaigns:import')).toHaveLength(1)
    expect(wrapper.find('[data-testid="import-report"]').attributes('data-accepted')).toBe('false')
    expect(wrapper.find('[data-testid="import-confirm-button"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="import-summary"]').text()).toContain('1 refused')
  })

  it('shows a failed dry run as an error and imports nothing', async () => {
    const { wrapper, bridge } = await mountAt('/import', ImportView, {})
    await choose(wrapper, [new File([GOOD], 'good.ini')])
    expect(wrapper.find('[data-testid="error-banner"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="import-confirm-button"]').exists()).toBe(false)
    expect(bridge.callsTo('campaigns:import')).toHaveLength(1)
  })
})
