import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import type { LaunchResult } from '../../shared/api/contract'
import CampaignView from '../../renderer/src/views/CampaignView.vue'
import CampaignsView from '../../renderer/src/views/CampaignsView.vue'
import { AppError } from '../../shared/errors'
import type { Handlers } from './support/fake-bridge'
import { campaign, jobType, loginSetup, stage, submission, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const CAMPAIGN = campaign(1, { tags: ['mc'], keywords: { release: 'v1' }, defaults: { jobTypeId: uuid(20) } })
const STAGES = [stage(2, CAMPAIGN.id, { name: 'gen' }), stage(3, CAMPAIGN.id, { name: 'reco' })]

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'campaigns:get': () => CAMPAIGN,
    'stages:list': () => ({ items: STAGES, nextCursor: null }),
    'dependencies:list': () => [
      {
        ...stage(9, CAMPAIGN.id),
        campaignId: CAMPAIGN.id,
        fromStageId: STAGES[0]!.id,
        toStageId: STAGES[1]!.id,
        filePatterns: '%.root',
      },
    ],
    'submissions:list': () => ({ items: [submission(5, { status: 'Failed' })], nextCursor: null }),
    'jobTypes:list': () => ({ items: [jobType(20)], nextCursor: null }),
    'loginSetups:list': () => ({ items: [loginSetup(30)], nextCursor: null }),
    'submissions:launch': () => ({ submission: submission(6, { status: 'New' }), held: null, taskId: null, replayed: false, preview: null }),
    ...overrides,
  }
}

beforeEach(() => {
  localStorage.clear()
})

describe('CampaignView', () => {
  it('shows the campaign, its stages, dependencies and its own recent submissions', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.shortId}`, CampaignView, handlers())
    expect(wrapper.find('[data-testid="campaign-name"]').text()).toBe('campaign-1')
    expect(wrapper.findAll('[data-testid="stage-row"]').map((row) => row.attributes('data-stage-name'))).toEqual(['gen', 'reco'])
    expect(wrapper.find('[data-testid="dependency-row"]').text()).toContain('gen')
    expect(wrapper.text()).toContain('jobtype-20')
    const row = wrapper.find('[data-testid="submission-row"]')
    expect(row.attributes('data-status')).toBe('Failed')
    // The route named the short id; the filters must use the full one.
    expect(bridge.callsTo('stages:list')[0]!.filter).toEqual({ campaignId: CAMPAIGN.id })
    expect(bridge.callsTo('submissions:list')[0]!.filter).toMatchObject({ campaignId: CAMPAIGN.id })
  })

  it('launches a stage with a fresh idempotency key per click and shows the new submission', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, handlers())
    const launchButtons = wrapper.findAll('[data-testid="launch-button"]')
    await launchButtons[1]!.trigger('click')
    await flushPromises()
    await launchButtons[1]!.trigger('click')
    await flushPromises()

    const launches = bridge.callsTo('submissions:launch')
    expect(launches).toHaveLength(2)
    expect(launches[0]).toMatchObject({ experiment: 'samdev', role: 'production', stageId: STAGES[1]!.id, test: false })
    expect(launches[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(launches[1]!.idempotencyKey).not.toBe(launches[0]!.idempotencyKey)

    const outcome = wrapper.find('[data-testid="launch-outcome"]')
    expect(outcome.attributes('data-outcome')).toBe('launched')
    expect(outcome.text()).toContain('s-000006')
  })

  it('holds the buttons of a stage while its launch is in flight, so a double click is one launch', async () => {
    let answer: (result: LaunchResult) => void = () => {}
    const { wrapper, bridge } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      handlers({ 'submissions:launch': () => new Promise<LaunchResult>((resolve) => (answer = resolve)) }),
    )
    const button = () => wrapper.findAll('[data-testid="launch-button"]')[0]!
    await button().trigger('click')
    await button().trigger('click')
    expect(button().attributes('disabled')).toBeDefined()
    expect(wrapper.findAll('[data-testid="launch-button"]')[1]!.attributes('disabled')).toBeUndefined()
    answer({ submission: submission(6), held: null, taskId: null, replayed: false, preview: null })
    await flushPromises()
    expect(button().attributes('disabled')).toBeUndefined()
    expect(bridge.callsTo('submissions:launch')).toHaveLength(1)
  })

  it('sends test:true from the Test launch button', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, handlers())
    await wrapper.findAll('[data-testid="test-launch-button"]')[0]!.trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:launch')[0]).toMatchObject({ stageId: STAGES[0]!.id, test: true })
  })

  it('says when a launch was held or replayed', async () => {
    let result: LaunchResult = {
      submission: null,
      held: {
        id: uuid(50),
        experiment: 'samdev',
        stageId: STAGES[0]!.id,
        createdAt: 0,
        launcher: 'alice',
        launcherRole: 'production',
        test: false,
        datasetOverride: null,
        paramOverrides: [],
        parentSubmissionId: null,
      },
      taskId: null,
      replayed: false,
      preview: null,
    }
    const { wrapper } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, handlers({ 'submissions:launch': () => result }))
    await wrapper.find('[data-testid="launch-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="launch-outcome"]').attributes('data-outcome')).toBe('held')
    expect(wrapper.find('[data-testid="launch-outcome"]').text()).toContain('on hold')

    result = { submission: submission(6), held: null, taskId: null, replayed: true, preview: null }
    await wrapper.find('[data-testid="launch-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="launch-outcome"]').attributes('data-outcome')).toBe('replayed')
  })

  it('disables launching for an analysis user on a production stage', async () => {
    const { wrapper } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, handlers())
    const { useSessionStore } = await import('../../renderer/src/stores/session')
    useSessionStore().selectRole('analysis')
    await flushPromises()
    expect(wrapper.find('[data-testid="launch-button"]').attributes('disabled')).toBeDefined()
  })

  it('reports a refused launch in a toast', async () => {
    const { wrapper } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      handlers({
        'submissions:launch': () => {
          throw new AppError('FORBIDDEN', 'production-shifter may not launch analysis stages')
        },
      }),
    )
    await wrapper.find('[data-testid="launch-button"]').trigger('click')
    await flushPromises()
    const { useToastsStore } = await import('../../renderer/src/stores/toasts')
    expect(useToastsStore().toasts.at(-1)).toMatchObject({ kind: 'error', lines: ['production-shifter may not launch analysis stages'] })
  })
})

describe('CampaignsView', () => {
  it('lists campaigns as rows with their names and filters them by name or tag', async () => {
    const { wrapper } = await mountAt('/campaigns', CampaignsView, {
      'campaigns:list': () => ({ items: [campaign(1, { tags: ['mc'] }), campaign(2, { name: 'reco-2025' })], nextCursor: null }),
    })
    expect(wrapper.findAll('[data-testid="campaign-row"]').map((row) => row.find('[data-testid="campaign-link"]').text())).toEqual([
      'campaign-1',
      'reco-2025',
    ])
    await wrapper.find('[data-testid="campaign-search"]').setValue('mc')
    expect(wrapper.findAll('[data-testid="campaign-row"]')).toHaveLength(1)
  })
})
