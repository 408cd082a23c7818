import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import CampaignView from '../../renderer/src/views/CampaignView.vue'
import type { Output } from '../../shared/api/contract'
import { AppError } from '../../shared/errors'
import type { Handlers } from './support/fake-bridge'
import { campaign, stage, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const CAMPAIGN = campaign(1)
const GEN = stage(2, CAMPAIGN.id, { name: 'generate', splitType: 'nfiles(5)' })
const PROC = stage(3, CAMPAIGN.id, { name: 'process' })
const OK = stage(4, CAMPAIGN.id, { name: 'sign-off', stageType: 'approval' })

type Plan = Output<'campaigns:plan'>

const PLAN: Plan = {
  campaignId: CAMPAIGN.id,
  steps: [
    { order: 1, stageId: GEN.id, stageName: 'generate', kind: 'split', dataset: 'sample_slice0_files5', fileCount: 5, why: 'the next slice of nfiles(5)' },
    { order: 2, stageId: GEN.id, stageName: 'generate', kind: 'recovery', dataset: 'poms_recover_…', fileCount: 1, why: '1 job in 5 failed in its last submissions' },
    { order: 3, stageId: PROC.id, stageName: 'process', kind: 'dependent', dataset: 'poms_depends_…_1', fileCount: 5, why: 'depends on generate (%_generate.root)' },
    { order: 4, stageId: OK.id, stageName: 'sign-off', kind: 'approval', dataset: 'poms_depends_…_1', fileCount: null, why: 'waits for a person to approve' },
  ],
}

let plan: Plan

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'campaigns:get': () => CAMPAIGN,
    'stages:list': () => ({ items: [GEN, PROC, OK], nextCursor: null }),
    'dependencies:list': () => [],
    'submissions:list': () => ({ items: [], nextCursor: null }),
    'jobTypes:list': () => ({ items: [], nextCursor: null }),
    'loginSetups:list': () => ({ items: [], nextCursor: null }),
    'schedules:list': () => [],
    'campaigns:plan': () => plan,
    ...overrides,
  }
}

beforeEach(() => {
  localStorage.clear()
  plan = PLAN
})

describe('campaign plan ("What happens next")', () => {
  it('lists the next launches step by step, each with its kind, dataset, file count and reason', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.shortId}`, CampaignView, handlers())
    // The route named the short id; the plan asks with the full one.
    expect(bridge.callsTo('campaigns:plan')).toEqual([{ experiment: 'samdev', role: 'production', id: CAMPAIGN.id, launches: 10 }])
    const section = wrapper.find('[data-testid="campaign-plan"]')
    expect(section.attributes('data-steps')).toBe('4')
    const rows = section.findAll('[data-testid="plan-step"]')
    expect(rows.map((row) => row.attributes('data-kind'))).toEqual(['split', 'recovery', 'dependent', 'approval'])
    expect(rows.map((row) => row.find('.plan-icon').text())).toEqual(['✂', '↺', '↳', '✋'])
    const cells = rows[2]!.findAll('td').map((td) => td.text())
    expect(cells).toEqual(['3', 'process', '↳ dependent', 'poms_depends_…_1', '5', 'depends on generate (%_generate.root)'])
    expect(rows[3]!.findAll('td')[4]!.text()).toBe('?')
    expect(rows[0]!.find('a').attributes('href')).toBe(`/campaigns/${CAMPAIGN.id}/stages/${GEN.id}/edit`)
    // A file count is unknown, so no total is claimed.
    expect(wrapper.find('[data-testid="plan-summary"]').text()).toBe('4 steps: 1 split, 1 recovery, 1 dependent, 1 approval.')
  })

  it('plans further ahead on request, and totals the files when every count is known', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, handlers())
    plan = { ...PLAN, steps: PLAN.steps.slice(0, 3) }
    await wrapper.find('[data-testid="plan-launches-select"]').setValue('25')
    await flushPromises()
    expect(bridge.callsTo('campaigns:plan').map((call) => call.launches)).toEqual([10, 25])
    expect(wrapper.find('[data-testid="plan-summary"]').text()).toBe('3 steps: 1 split, 1 recovery, 1 dependent; 11 files in all.')
  })

  it('says when nothing would launch, and shows a planning failure in place', async () => {
    plan = { campaignId: CAMPAIGN.id, steps: [] }
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, handlers())
    expect(wrapper.find('[data-testid="plan-empty"]').exists()).toBe(true)
    bridge.handle('campaigns:plan', () => {
      throw new AppError('UNAVAILABLE', 'the data handler did not answer')
    })
    await wrapper.find('[data-testid="plan-refresh-button"]').trigger('click')
    await flushPromises()
    const banner = wrapper.find('[data-testid="plan-section"] [data-testid="error-banner"]')
    expect(banner.attributes('data-code')).toBe('UNAVAILABLE')
    expect(banner.text()).toContain('the data handler did not answer')
    expect(uuid(1)).toBe(CAMPAIGN.id)
  })
})
