import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LIVE_REFETCH_DELAY_MS } from '../../renderer/src/stores/live'
import SubmissionView from '../../renderer/src/views/SubmissionView.vue'
import type { Job } from '../../shared/domain/job'
import type { SubmissionSnapshot } from '../../shared/domain/submission'
import { counts, detail, job, jobType, loginSetup, stage, submission, uuid } from './support/fixtures'
import type { Handlers } from './support/fake-bridge'
import { mountAt } from './support/harness'

const SUB = submission(7, { status: 'Running', jobCounts: counts({ completed: 2, failed: 1, running: 1 }) })

function snapshot(): SubmissionSnapshot {
  return {
    campaign: null,
    stage: stage(2, uuid(1)),
    jobType: jobType(3),
    loginSetup: loginSetup(4),
    launch: {
      test: false,
      datasetOverride: null,
      launchParamOverrides: [],
      params: [['-Oglobal.release=', 'v1']],
      command: 'echo launch -Oglobal.release=v1',
      argv: ['echo', 'launch', '-Oglobal.release=v1'],
      env: { POMS_TASK_ID: uuid(7) },
      dataset: 'files:/data/*.root',
      files: ['/data/a.root', '/data/b.root'],
      jobCount: 4,
      splitCursorBefore: 0,
      splitCursorAfter: 2,
      target: null,
      setup: "",
      tags: { POMS4_SUBMISSION_ID: "s1" },
      group: "demo",
      role: "Production",
      variables: { experiment: 'samdev' },
    },
    takenAt: Date.UTC(2025, 0, 15),
  }
}

let jobs: Job[]

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'submissions:get': () => detail(SUB, { snapshot: snapshot() }),
    'submissions:jobs': () => jobs,
    'submissions:launchOutput': () => ({ text: 'Submitting job(s)....\nJobsubJobId of first job: 1.0@schedd', truncated: true, bytes: 2_000_000 }),
    'submissions:jobLog': (input) => ({ text: `log of job ${input.index}`, truncated: false, bytes: 14 }),
    ...overrides,
  }
}

beforeEach(() => {
  localStorage.clear()
  jobs = [
    job(0, SUB.id),
    job(1, SUB.id, { state: 'failed', exitCode: 137, holdReason: null }),
    job(2, SUB.id, { state: 'running', exitCode: null, finishedAt: null }),
    job(3, SUB.id, { state: 'completed', exitCode: 2 }),
  ]
})
afterEach(() => {
  vi.useRealTimers()
})

describe('SubmissionView', () => {
  it('lists the jobs and marks the failed ones, by state or by exit code', async () => {
    const { wrapper } = await mountAt(`/submissions/${SUB.id}`, SubmissionView, handlers())
    const rows = wrapper.findAll('[data-testid="job-row"]')
    expect(rows.map((row) => row.attributes('data-state'))).toEqual(['completed', 'failed', 'running', 'completed'])
    expect(rows.map((row) => row.attributes('data-exit-code'))).toEqual(['0', '137', undefined, '2'])
    expect(rows.map((row) => row.classes('job-failed'))).toEqual([false, true, false, true])
    expect(rows[0]!.text()).toContain('1m')
  })

  it('shows the status badge, short id, history, launch output and snapshot', async () => {
    const { wrapper } = await mountAt(`/submissions/${SUB.id}`, SubmissionView, handlers())
    const badge = wrapper.find('h1 [data-testid="submission-status"]')
    expect(badge.text()).toBe('Running')
    expect(badge.classes()).toContain('tone-running')
    expect(wrapper.find('[data-testid="submission-short-id"]').text()).toBe('s-000007')
    expect(wrapper.text()).toContain('3/4 done, 1 failed, 1 running')
    expect(wrapper.findAll('[data-testid="status-history-row"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="launch-output"]').text()).toContain('JobsubJobId of first job')
    expect(wrapper.find('[data-testid="launch-output-truncated"]').text()).toContain('1.9 MB')
    expect(wrapper.find('[data-testid="snapshot-command"]').text()).toContain('echo launch -Oglobal.release=v1')
    expect(wrapper.find('[data-testid="snapshot-env"]').text()).toContain('POMS_TASK_ID')
    expect(wrapper.find('[data-testid="launch-error"]').exists()).toBe(false)
  })

  it('puts a launch error at the top', async () => {
    const failed = submission(8, { status: 'LaunchFailed', launchError: 'ssh: host key for gpvm01 changed' })
    const { wrapper } = await mountAt(`/submissions/${failed.id}`, SubmissionView, {
      ...handlers(),
      'submissions:get': () => detail(failed),
      'submissions:jobs': () => [],
    })
    expect(wrapper.find('[data-testid="launch-error"]').text()).toContain('ssh: host key for gpvm01 changed')
    expect(wrapper.find('[data-testid="kill-button"]').attributes('disabled')).toBeDefined()
  })

  it('kills only after the inline confirmation', async () => {
    const { wrapper, bridge } = await mountAt(
      `/submissions/${SUB.id}`,
      SubmissionView,
      handlers({ 'submissions:kill': () => ({ ...SUB, status: 'Cancelled' }) }),
    )
    await wrapper.find('[data-testid="kill-button"]').trigger('click')
    expect(bridge.callsTo('submissions:kill')).toHaveLength(0)
    await wrapper.find('[data-testid="kill-button-confirm"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:kill')).toEqual([{ experiment: 'samdev', role: 'production', id: SUB.id }])
  })

  it('sets a status with a reason, offering only transitions a person may make', async () => {
    const { wrapper, bridge } = await mountAt(
      `/submissions/${SUB.id}`,
      SubmissionView,
      handlers({ 'submissions:setStatus': (input) => ({ ...SUB, status: input.status }) }),
    )
    const options = wrapper.findAll('[data-testid="set-status-select"] option').map((o) => o.text())
    expect(options).toContain('Located')
    expect(options).not.toContain('Running')
    await wrapper.find('[data-testid="set-status-select"]').setValue('Located')
    await wrapper.find('[data-testid="set-status-reason"]').setValue('files checked by hand')
    await wrapper.find('[data-testid="set-status-form"]').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('submissions:setStatus')[0]).toMatchObject({ id: SUB.id, status: 'Located', reason: 'files checked by hand' })
  })

  it('opens one job log on demand', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${SUB.id}`, SubmissionView, handlers())
    await wrapper.findAll('[data-testid="job-log-button"]')[1]!.trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:jobLog')[0]).toMatchObject({ id: SUB.id, index: 1 })
    expect(wrapper.find('[data-testid="job-log"]').text()).toBe('log of job 1')
  })

  it('refetches its jobs on jobs:changed for this submission only', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${SUB.shortId}`, SubmissionView, handlers())
    vi.useFakeTimers()
    bridge.emit('jobs:changed', { experiment: 'samdev', submissionIds: [uuid(99)] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('submissions:jobs')).toHaveLength(1)

    jobs = jobs.map((j) => ({ ...j, state: 'failed' as const, exitCode: 1 }))
    bridge.emit('jobs:changed', { experiment: 'samdev', submissionIds: [SUB.id] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS)
    expect(bridge.callsTo('submissions:jobs')).toHaveLength(2)
    expect(wrapper.findAll('[data-testid="job-row"].job-failed')).toHaveLength(4)
  })
})
