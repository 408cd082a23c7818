import { enableAutoUnmount, flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Submission, SubmissionSnapshot } from '../../shared/domain/submission'
import { LIVE_REFETCH_DELAY_MS } from '../../renderer/src/stores/live'
import { useToastsStore } from '../../renderer/src/stores/toasts'
import SubmissionView from '../../renderer/src/views/SubmissionView.vue'
import type { Handlers } from './support/fake-bridge'
import { counts, detail, job, jobType, loginSetup, stage, submission, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const SETUP = 'source /opt/condor/setup.sh\ncd ~/poms-e2e'

function remoteSnapshot(): SubmissionSnapshot {
  return {
    campaign: null,
    stage: stage(2, uuid(1)),
    jobType: jobType(3, { launchScript: 'condor_submit -terse four.sub' }),
    loginSetup: loginSetup(4, { backend: 'htcondor', host: 'gpvm01.example.org', port: 2222, account: 'samdevpro' }),
    launch: {
      test: false,
      datasetOverride: null,
      launchParamOverrides: [],
      params: [],
      command: 'condor_submit -terse four.sub',
      argv: ['condor_submit', '-terse', 'four.sub'],
      env: { POMS_TASK_ID: uuid(7) },
      dataset: '',
      files: [],
      jobCount: 4,
      splitCursorBefore: null,
      splitCursorAfter: null,
      target: { host: 'gpvm01.example.org', port: 2222, account: 'samdevpro', timezone: 'America/Chicago' },
      setup: SETUP,
      tags: { POMS4_SUBMISSION_ID: 's-000007', POMS4_CAMPAIGN_STAGE_NAME: 'gen' },
      group: 'samdev',
      role: 'Production',
      variables: { experiment: 'samdev' },
    },
    takenAt: Date.UTC(2025, 0, 15),
  }
}

let sub: Submission
let output: string

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'submissions:get': () => detail(sub, { snapshot: remoteSnapshot() }),
    'submissions:jobs': () => [
      job(0, sub.id, { state: 'held', exitCode: null, holdReason: 'via condor_hold (by user pomstest)', host: 'slot1@condor' }),
      job(1, sub.id, { state: 'running', exitCode: null, host: 'slot2@condor' }),
    ],
    'submissions:launchOutput': () => ({ text: output, truncated: false, bytes: output.length }),
    ...overrides,
  }
}

enableAutoUnmount(afterEach)
beforeEach(() => {
  localStorage.clear()
  sub = submission(7, { backend: 'htcondor', batchId: '17', status: 'Running', jobCounts: counts({ held: 1, running: 1 }) })
  output = '== process_id: 4242 ==\n'
})
afterEach(() => {
  vi.useRealTimers()
})

describe('Submission job control', () => {
  it('holds and releases the jobs through their channels and shows the backend’s message', async () => {
    const { wrapper, bridge } = await mountAt(
      `/submissions/${sub.id}`,
      SubmissionView,
      handlers({
        'submissions:hold': () => ({ submission: { ...sub, status: 'Held' }, message: 'condor_hold: all jobs of cluster 17 held' }),
        'submissions:release': () => ({ submission: sub, message: 'condor_release: all jobs of cluster 17 released' }),
      }),
    )
    await wrapper.find('[data-testid="hold-jobs-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:hold')).toEqual([{ experiment: 'samdev', role: 'production', id: sub.id }])
    expect(useToastsStore().toasts.at(-1)).toMatchObject({ kind: 'info', lines: ['condor_hold: all jobs of cluster 17 held'] })
    // The page refetches what changed.
    expect(bridge.callsTo('submissions:jobs')).toHaveLength(2)

    await wrapper.find('[data-testid="release-jobs-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:release')).toEqual([{ experiment: 'samdev', role: 'production', id: sub.id }])
    expect(useToastsStore().toasts.at(-1)).toMatchObject({ kind: 'info', lines: ['condor_release: all jobs of cluster 17 released'] })
  })

  it('offers no hold or release for a finished submission', async () => {
    sub = { ...sub, status: 'Completed' }
    const { wrapper } = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers())
    expect(wrapper.find('[data-testid="hold-jobs-button"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="release-jobs-button"]').attributes('disabled')).toBeDefined()
  })

  it('shows Abort launch only while the launch runs, and aborts after the confirmation', async () => {
    sub = { ...sub, launchState: 'launching', batchId: null, status: 'New' }
    const { wrapper, bridge } = await mountAt(
      `/submissions/${sub.id}`,
      SubmissionView,
      handlers({
        'submissions:abort': () => (sub = { ...sub, launchState: 'failed', status: 'LaunchFailed', launchError: 'aborted by alice' }),
      }),
    )
    expect(wrapper.find('[data-testid="submission-launch-state"]').attributes('data-launch-state')).toBe('launching')
    await wrapper.find('[data-testid="abort-launch-button"]').trigger('click')
    expect(bridge.callsTo('submissions:abort')).toHaveLength(0)
    await wrapper.find('[data-testid="abort-launch-button-confirm"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:abort')).toEqual([{ experiment: 'samdev', role: 'production', id: sub.id }])
    // The refetched submission has launched no more: the button goes, the reason shows.
    expect(wrapper.find('[data-testid="abort-launch-button"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="launch-error"]').text()).toContain('aborted by alice')
    // Kill stays.
    expect(wrapper.find('[data-testid="kill-button"]').exists()).toBe(true)
  })

  it('offers Abort for a pending launch too, but not once it launched', async () => {
    sub = { ...sub, launchState: 'pending' }
    const pending = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers())
    expect(pending.wrapper.find('[data-testid="abort-launch-button"]').exists()).toBe(true)
    pending.wrapper.unmount()

    sub = { ...sub, launchState: 'launched' }
    const launched = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers())
    expect(launched.wrapper.find('[data-testid="abort-launch-button"]').exists()).toBe(false)
  })
})

describe('Where a remote submission ran', () => {
  it('shows the target and batch id, the remote parts of the snapshot, and hold reasons and hosts of jobs', async () => {
    const { wrapper } = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers())
    expect(wrapper.find('[data-testid="submission-target"]').text()).toBe('samdevpro@gpvm01.example.org:2222')
    expect(wrapper.find('[data-testid="submission-batch-id"]').text()).toBe('17')
    expect(wrapper.find('[data-testid="snapshot-target"]').text()).toContain('America/Chicago')
    expect(wrapper.find('[data-testid="snapshot-setup"]').text()).toBe(SETUP)
    expect(wrapper.find('[data-testid="snapshot-tags"]').text()).toContain('POMS4_SUBMISSION_ID')
    expect(wrapper.find('[data-testid="snapshot-remote"]').text()).toContain('Production')
    const rows = wrapper.findAll('[data-testid="job-row"]')
    expect(rows[0]!.find('[data-testid="job-hold-reason"]').text()).toBe('via condor_hold (by user pomstest)')
    expect(rows.map((row) => row.find('[data-testid="job-host"]').text())).toEqual(['slot1@condor', 'slot2@condor'])
  })

  it('says a local submission ran on this machine', async () => {
    sub = { ...sub, backend: 'local', batchId: null }
    const { wrapper } = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers({ 'submissions:get': () => detail(sub) }))
    expect(wrapper.find('[data-testid="submission-target"]').text()).toBe('this machine')
    expect(wrapper.find('[data-testid="submission-batch-id"]').text()).toBe('—')
  })
})

describe('Live launch output', () => {
  /** happy-dom lays nothing out: give the output box a height and a content height. */
  function fakeLayout(element: HTMLElement, layout: { client: number; content: () => number }) {
    Object.defineProperty(element, 'clientHeight', { configurable: true, get: () => layout.client })
    Object.defineProperty(element, 'scrollHeight', { configurable: true, get: layout.content })
  }

  it('refetches the output on launchOutput:appended for this submission only, debounced', async () => {
    sub = { ...sub, launchState: 'launching' }
    const { wrapper, bridge } = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers())
    vi.useFakeTimers()
    bridge.emit('launchOutput:appended', { experiment: 'samdev', submissionId: uuid(99) })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('submissions:launchOutput')).toHaveLength(1)

    output += '1 job(s) submitted to cluster 17.\n'
    for (let i = 0; i < 5; i++) bridge.emit('launchOutput:appended', { experiment: 'samdev', submissionId: sub.id })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS)
    // A burst of appends is one refetch.
    expect(bridge.callsTo('submissions:launchOutput')).toHaveLength(2)
    expect(wrapper.find('[data-testid="launch-output"]').text()).toContain('submitted to cluster 17')
  })

  it('keeps the end of the output in view unless the person scrolled up to read', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${sub.id}`, SubmissionView, handlers())
    const pre = wrapper.find('[data-testid="launch-output"]')
    const element = pre.element as HTMLElement
    let lines = 1
    fakeLayout(element, { client: 100, content: () => lines * 20 })

    vi.useFakeTimers()
    const append = async (text: string) => {
      output += text
      lines++
      bridge.emit('launchOutput:appended', { experiment: 'samdev', submissionId: sub.id })
      await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS)
      await flushPromises()
    }
    for (let i = 0; i < 10; i++) await append(`line ${i}\n`)
    expect(element.scrollTop).toBe(lines * 20)
    expect(pre.attributes('data-following')).toBe('true')

    // The person scrolls up: new output no longer moves the view.
    element.scrollTop = 40
    await pre.trigger('scroll')
    await append('more\n')
    expect(element.scrollTop).toBe(40)
    expect(pre.attributes('data-following')).toBe('false')

    // "Follow" jumps to the end and follows again.
    await wrapper.find('[data-testid="launch-output-follow"]').trigger('click')
    expect(element.scrollTop).toBe(lines * 20)
    await append('last\n')
    expect(element.scrollTop).toBe(lines * 20)
    expect(wrapper.find('[data-testid="launch-output-follow"]').exists()).toBe(false)
  })
})
