import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import type { LaunchPreview, LaunchResult } from '../../shared/api/contract'
import type { Stage } from '../../shared/domain/stage'
import type { HeldLaunch } from '../../shared/domain/submission'
import { AppError } from '../../shared/errors'
import App from '../../renderer/src/App.vue'
import { installApi } from '../../renderer/src/api'
import { createAppRouter } from '../../renderer/src/router'
import { useSessionStore } from '../../renderer/src/stores/session'
import CampaignView from '../../renderer/src/views/CampaignView.vue'
import QueuedLaunchesView from '../../renderer/src/views/QueuedLaunchesView.vue'
import { FakeBridge, type Handlers } from './support/fake-bridge'
import { campaign, jobType, loginSetup, session, stage, submission, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const CAMPAIGN = campaign(1)
const T0 = Date.UTC(2025, 0, 15, 12, 0, 0)

const REMOTE_SCRIPT = [
  'echo "== process_id: $$ =="',
  "export POMS4_SUBMISSION_ID='s-PREVIEW'",
  "export _CONDOR_POMS4_SUBMISSION_ID='\"s-PREVIEW\"'",
  'source /opt/condor/setup.sh',
  'condor_submit -terse four.sub',
].join('\n')

function remotePreview(overrides: Partial<LaunchPreview> = {}): LaunchPreview {
  return {
    backend: 'htcondor',
    target: { host: 'gpvm01.example.org', port: 2222, account: 'samdevpro', timezone: 'America/Chicago' },
    command: 'condor_submit -terse four.sub',
    argv: ['condor_submit', '-terse', 'four.sub'],
    script: REMOTE_SCRIPT,
    env: { POMS4_CAMPAIGN_NAME: 'campaign-1', POMS_TASK_ID: 's-PREVIEW' },
    tags: { POMS4_SUBMISSION_ID: 's-PREVIEW', POMS4_CAMPAIGN_STAGE_NAME: 'gen' },
    params: [['-Oglobal.release=', 'v1']],
    variables: { experiment: 'samdev' },
    dataset: 'files:/data/*.root',
    files: Array.from({ length: 25 }, (_, i) => `/data/f${String(i).padStart(2, '0')}.root`),
    jobCount: 4,
    problem: null,
    ...overrides,
  }
}

const held = (n: number, stageId: string, overrides: Partial<HeldLaunch> = {}): HeldLaunch => ({
  id: uuid(n),
  experiment: 'samdev',
  stageId,
  createdAt: T0,
  launcher: 'alice',
  launcherRole: 'production',
  test: false,
  datasetOverride: null,
  paramOverrides: [],
  parentSubmissionId: null,
  ...overrides,
})

const result = (overrides: Partial<LaunchResult>): LaunchResult => ({ submission: null, held: null, taskId: null, replayed: false, preview: null, ...overrides })

let stages: Stage[]

function campaignHandlers(overrides: Handlers = {}): Handlers {
  return {
    'campaigns:get': () => CAMPAIGN,
    'stages:list': () => ({ items: stages, nextCursor: null }),
    'dependencies:list': () => [],
    'submissions:list': () => ({ items: [], nextCursor: null }),
    'jobTypes:list': () => ({ items: [jobType(20)], nextCursor: null }),
    'loginSetups:list': () => ({ items: [loginSetup(30)], nextCursor: null }),
    'revisions:list': () => [],
    'launches:getHold': () => ({ held: false, by: null, at: null }),
    ...overrides,
  }
}

enableAutoUnmount(afterEach)
beforeEach(() => {
  localStorage.clear()
  stages = [stage(2, CAMPAIGN.id, { name: 'gen' }), stage(3, CAMPAIGN.id, { name: 'reco' })]
})

describe('Dry run on the campaign page', () => {
  it('asks for a dry run with a fresh key and shows the target, command, whole remote script, environment, tags and files', async () => {
    const { wrapper, bridge } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      campaignHandlers({ 'submissions:launch': (input) => (input.dryRun ? result({ preview: remotePreview() }) : result({ submission: submission(6) })) }),
    )
    await wrapper.findAll('[data-testid="dry-run-button"]')[0]!.trigger('click')
    await flushPromises()

    const calls = bridge.callsTo('submissions:launch')
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({ stageId: stages[0]!.id, test: false, dryRun: true })
    expect(calls[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)

    const panel = wrapper.find('[data-testid="launch-preview"]')
    expect(panel.attributes('data-backend')).toBe('htcondor')
    expect(panel.find('[data-testid="preview-target"]').text()).toContain('samdevpro@gpvm01.example.org:2222')
    expect(panel.find('[data-testid="preview-target"]').text()).toContain('America/Chicago')
    expect(panel.find('[data-testid="preview-command"]').text()).toBe('condor_submit -terse four.sub')
    expect(panel.find('[data-testid="preview-script"]').text()).toBe(REMOTE_SCRIPT)
    // A remote launch runs the script, not an argument vector.
    expect(panel.find('[data-testid="preview-argv"]').exists()).toBe(false)
    expect(panel.find('[data-testid="preview-env"]').text()).toContain('POMS4_CAMPAIGN_NAME')
    expect(panel.find('[data-testid="preview-tags"]').text()).toContain('POMS4_CAMPAIGN_STAGE_NAME')
    expect(panel.find('[data-testid="preview-job-count"]').text()).toBe('4')
    expect(panel.find('[data-testid="preview-dataset"]').text()).toBe('files:/data/*.root')
    expect(panel.findAll('[data-testid="preview-files"] li')).toHaveLength(20)
    expect(panel.text()).toContain('Input files (25)')
    expect(panel.find('[data-testid="preview-more-files"]').text()).toBe('and 5 more.')
    expect(panel.find('[data-testid="preview-problem"]').exists()).toBe(false)
    // Nothing was launched: no outcome banner.
    expect(wrapper.find('[data-testid="launch-outcome"]').exists()).toBe(false)
  })

  it('shows a local launch’s argument vector, and a problem first and prominently', async () => {
    const local = remotePreview({
      backend: 'local',
      target: null,
      script: null,
      command: 'echo launch',
      argv: ['echo', 'launch'],
      files: [],
      problem: 'the dataset files:/nowhere/*.root matches no file',
    })
    const { wrapper } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers({ 'submissions:launch': () => result({ preview: local }) }))
    await wrapper.find('[data-testid="dry-run-button"]').trigger('click')
    await flushPromises()
    const panel = wrapper.find('[data-testid="launch-preview"]')
    expect(panel.attributes('data-backend')).toBe('local')
    const problem = panel.find('[data-testid="preview-problem"]')
    expect(problem.attributes('role')).toBe('alert')
    expect(problem.text()).toContain('the dataset files:/nowhere/*.root matches no file')
    expect(panel.find('[data-testid="preview-script"]').exists()).toBe(false)
    expect(panel.findAll('[data-testid="preview-argv"] li').map((li) => li.text())).toEqual(['echo', 'launch'])
    expect(panel.find('[data-testid="preview-target"]').text()).toContain('this machine')
  })

  it('"Launch this" launches for real with the same inputs under a new key, and closes the preview', async () => {
    const { wrapper, bridge } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      campaignHandlers({
        'submissions:launch': (input) => (input.dryRun ? result({ preview: remotePreview() }) : result({ submission: submission(6, { status: 'New' }) })),
      }),
    )
    await wrapper.findAll('[data-testid="dry-run-button"]')[1]!.trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="preview-launch-button"]').trigger('click')
    await flushPromises()

    const [dry, real] = bridge.callsTo('submissions:launch')
    expect(real).toMatchObject({ stageId: stages[1]!.id, test: false, dryRun: false })
    expect(real!.idempotencyKey).not.toBe(dry!.idempotencyKey)
    expect(wrapper.find('[data-testid="launch-preview"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="launch-outcome"]').attributes('data-outcome')).toBe('launched')
    expect(wrapper.find('[data-testid="launch-outcome"]').text()).toContain('s-000006')
  })

  it('puts the keyboard on the preview and closes it with Escape', async () => {
    const { wrapper } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers({ 'submissions:launch': () => result({ preview: remotePreview() }) }), {
      attachTo: document.body,
    })
    await wrapper.find('[data-testid="dry-run-button"]').trigger('click')
    await flushPromises()
    expect(document.activeElement?.textContent).toBe('Dry run: gen')
    await wrapper.find('[data-testid="launch-preview"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[data-testid="launch-preview"]').exists()).toBe(false)
  })
})

describe('Stage holds on the campaign page', () => {
  it('holds a stage through stages:hold and shows who holds it', async () => {
    const { wrapper, bridge } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      campaignHandlers({
        'stages:hold': (input) => {
          stages = stages.map((s) => (s.id === input.id ? { ...s, rev: s.rev + 1, hold: input.held ? { by: 'alice', role: 'production', at: T0 } : null } : s))
          return stages.find((s) => s.id === input.id)!
        },
      }),
    )
    const row = () => wrapper.find(`[data-testid="stage-row"][data-stage-name="reco"]`)
    expect(row().find('[data-testid="stage-hold-badge"]').exists()).toBe(false)
    expect(row().find('[data-testid="stage-release-button"]').exists()).toBe(false)

    await row().find('[data-testid="stage-hold-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('stages:hold')).toEqual([{ experiment: 'samdev', role: 'production', id: stages[1]!.id, held: true }])
    expect(row().attributes('data-held')).toBe('true')
    expect(row().find('[data-testid="stage-hold-badge"]').text()).toBe('held by alice')
    expect(row().find('[data-testid="stage-hold-badge"]').attributes('title')).toContain('acting as production')
    expect(row().find('[data-testid="stage-hold-button"]').exists()).toBe(false)

    await row().find('[data-testid="stage-release-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('stages:hold')[1]).toMatchObject({ id: stages[1]!.id, held: false })
    expect(row().find('[data-testid="stage-hold-badge"]').exists()).toBe(false)
    // The other stage was never touched.
    expect(wrapper.find(`[data-testid="stage-row"][data-stage-name="gen"]`).attributes('data-held')).toBe('false')
  })

  it('says a held launch was queued and links to the queued launches', async () => {
    stages = [stage(2, CAMPAIGN.id, { name: 'gen', hold: { by: 'bob', role: 'production', at: T0 } })]
    const { wrapper } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      campaignHandlers({ 'submissions:launch': () => result({ held: held(50, stages[0]!.id) }) }),
    )
    expect(wrapper.find('[data-testid="stage-hold-badge"]').text()).toBe('held by bob')
    await wrapper.find('[data-testid="launch-button"]').trigger('click')
    await flushPromises()
    const outcome = wrapper.find('[data-testid="launch-outcome"]')
    expect(outcome.attributes('data-outcome')).toBe('held')
    expect(outcome.text()).toContain('Launches of gen are on hold: the launch was queued')
    expect(outcome.find('[data-testid="launch-outcome-queued-link"]').attributes('href')).toBe('/queued-launches')
  })

  it('says so when the launch was queued because every launch is held', async () => {
    const { wrapper } = await mountAt(
      `/campaigns/${CAMPAIGN.id}`,
      CampaignView,
      campaignHandlers({ 'submissions:launch': () => result({ held: held(50, stages[0]!.id, { test: true }) }) }),
    )
    await wrapper.find('[data-testid="test-launch-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="launch-outcome"]').text()).toContain('All launches are on hold: the test launch of gen was queued')
  })

  it('disables hold and dry run for a role that may not act on the stage', async () => {
    stages = [stage(2, CAMPAIGN.id, { name: 'gen' })]
    const { wrapper } = await mountAt(`/campaigns/${CAMPAIGN.id}`, CampaignView, campaignHandlers())
    useSessionStore().selectRole('analysis')
    await flushPromises()
    expect(wrapper.find('[data-testid="stage-hold-button"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="dry-run-button"]').attributes('disabled')).toBeDefined()
  })
})

describe('Global launch hold in the header', () => {
  async function mountApp(handlers: Handlers) {
    const bridge = new FakeBridge({
      'campaigns:list': () => ({ items: [], nextCursor: null }),
      'tasks:list': () => [],
      ...handlers,
    })
    installApi(bridge)
    const pinia = createPinia()
    setActivePinia(pinia)
    const router = createAppRouter(createMemoryHistory())
    await router.push('/campaigns')
    const loaded = useSessionStore().load()
    const wrapper = mount(App, { global: { plugins: [pinia, router] } })
    await loaded
    await flushPromises()
    return { bridge, wrapper }
  }

  it('shows launches allowed, holds them all on click, and says who held them', async () => {
    let hold = { held: false, by: null as string | null, at: null as number | null }
    const { wrapper, bridge } = await mountApp({
      'session:get': () => session({ user: { username: 'alice', displayName: 'Alice', root: true } }),
      'launches:getHold': () => hold,
      'launches:setHold': (input) => (hold = { held: input.held, by: 'alice', at: T0 }),
    })
    const toggle = () => wrapper.find('[data-testid="global-hold-toggle"]')
    expect(toggle().attributes('data-held')).toBe('false')
    expect(wrapper.find('[data-testid="global-hold-state"]').text()).toBe('Launches: allowed')
    expect(toggle().text()).toBe('Hold all launches')

    await toggle().trigger('click')
    await flushPromises()
    expect(bridge.callsTo('launches:setHold')).toEqual([{ held: true }])
    expect(toggle().attributes('data-held')).toBe('true')
    expect(wrapper.find('[data-testid="global-hold-state"]').text()).toBe('Launches: HELD')
    expect(wrapper.find('[data-testid="global-hold-state"]').classes()).toContain('tone-held')
    expect(wrapper.find('[data-testid="global-hold-by"]').text()).toContain('by alice')
    expect(wrapper.find('[data-testid="global-hold-by"] time').attributes('datetime')).toBe(new Date(T0).toISOString())

    await toggle().trigger('click')
    await flushPromises()
    expect(bridge.callsTo('launches:setHold')[1]).toEqual({ held: false })
    expect(toggle().attributes('data-held')).toBe('false')
  })

  it('shows the hold to everyone but lets only root or a superuser change it', async () => {
    const { wrapper } = await mountApp({
      'session:get': () => session(),
      'launches:getHold': () => ({ held: true, by: 'root', at: T0 }),
    })
    expect(wrapper.find('[data-testid="global-hold-state"]').text()).toBe('Launches: HELD')
    expect(wrapper.find('[data-testid="global-hold-toggle"]').attributes('disabled')).toBeDefined()
  })
})

describe('Queued launches', () => {
  it('lists queued launches with their stage, and releases one into a new submission', async () => {
    const gen = stages[0]!
    let queue = [held(50, gen.id), held(51, uuid(77), { test: true, launcher: 'bob', datasetOverride: 'files:/redo/*.root' })]
    const { wrapper, bridge } = await mountAt('/queued-launches', QueuedLaunchesView, {
      'heldLaunches:list': () => queue,
      'launches:getHold': () => ({ held: false, by: null, at: null }),
      'stages:get': (input) => {
        if (input.id === gen.id) return gen
        throw new AppError('NOT_FOUND', `stage ${input.id} was not found`)
      },
      'heldLaunches:release': (input) => {
        queue = queue.filter((h) => h.id !== input.id)
        return result({ submission: submission(9, { status: 'New' }), taskId: 't1' })
      },
    })
    const rows = wrapper.findAll('[data-testid="queued-launch-row"]')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.text()).toContain('gen')
    expect(rows[0]!.find('a').attributes('href')).toBe(`/campaigns/${CAMPAIGN.id}`)
    // A stage that cannot be read is shown by its id.
    expect(rows[1]!.text()).toContain(uuid(77))
    expect(rows[1]!.text()).toContain('test')
    expect(rows[1]!.text()).toContain('files:/redo/*.root')

    await rows[0]!.find('[data-testid="release-queued-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('heldLaunches:release')).toEqual([{ experiment: 'samdev', role: 'production', id: uuid(50) }])
    const link = wrapper.find('[data-testid="released-submission-link"]')
    expect(link.text()).toBe('s-000009')
    expect(link.attributes('href')).toBe(`/submissions/${uuid(9)}`)
    expect(wrapper.findAll('[data-testid="queued-launch-row"]')).toHaveLength(1)
  })

  it('drops a queued launch only after the inline confirmation', async () => {
    let queue = [held(50, uuid(2))]
    const { wrapper, bridge } = await mountAt('/queued-launches', QueuedLaunchesView, {
      'heldLaunches:list': () => queue,
      'launches:getHold': () => ({ held: true, by: 'root', at: T0 }),
      'stages:get': () => stages[0]!,
      'heldLaunches:drop': (input) => {
        queue = []
        return { id: input.id, dropped: true }
      },
    })
    expect(wrapper.find('[data-testid="queued-global-hold"]').text()).toContain('All launches are held by root')
    await wrapper.find('[data-testid="drop-queued-button"]').trigger('click')
    expect(bridge.callsTo('heldLaunches:drop')).toHaveLength(0)
    await wrapper.find('[data-testid="drop-queued-button-confirm"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('heldLaunches:drop')).toEqual([{ experiment: 'samdev', role: 'production', id: uuid(50) }])
    expect(wrapper.find('[data-testid="queued-empty"]').exists()).toBe(true)
  })

  it('says when a released launch was queued again because launches are still held', async () => {
    const { wrapper } = await mountAt('/queued-launches', QueuedLaunchesView, {
      'heldLaunches:list': () => [held(50, uuid(2))],
      'launches:getHold': () => ({ held: false, by: null, at: null }),
      'stages:get': () => stages[0]!,
      'heldLaunches:release': () => result({ held: held(52, uuid(2)) }),
    })
    await wrapper.find('[data-testid="release-queued-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="released-outcome"]').text()).toContain('still held')
  })
})
