import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import AuditView from '../../renderer/src/views/AuditView.vue'
import SubmissionsView from '../../renderer/src/views/SubmissionsView.vue'
import { counts, submission } from './support/fixtures'
import { mountAt } from './support/harness'

beforeEach(() => {
  localStorage.clear()
})

describe('SubmissionsView', () => {
  it('shows rows with their status, job summary and short id, and filters by status and activity', async () => {
    const { wrapper, bridge } = await mountAt('/submissions', SubmissionsView, {
      'submissions:list': (input) =>
        input.cursor === 'p2'
          ? { items: [submission(3, { status: 'Held' })], nextCursor: null }
          : {
              items: [
                submission(1, { status: 'Completed', jobCounts: counts({ completed: 4, failed: 1 }) }),
                submission(2, { status: 'LaunchFailed', jobCounts: counts({}) }),
              ],
              nextCursor: 'p2',
            },
    })
    const rows = wrapper.findAll('[data-testid="submission-row"]')
    expect(rows.map((row) => row.attributes('data-status'))).toEqual(['Completed', 'LaunchFailed'])
    expect(rows[0]!.text()).toContain('s-000001')
    expect(rows[0]!.text()).toContain('5/5 done, 1 failed')
    expect(rows[0]!.find('[data-testid="submission-status"]').classes()).toContain('tone-ok')
    expect(rows[1]!.find('[data-testid="submission-status"]').classes()).toContain('tone-bad')

    await wrapper.find('[data-testid="load-more-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="submission-row"]')).toHaveLength(3)
    expect(wrapper.find('[data-testid="load-more-button"]').exists()).toBe(false)

    await wrapper.find('[data-testid="status-filter-Running"]').setValue(true)
    await wrapper.find('[data-testid="active-only-filter"]').setValue(true)
    await flushPromises()
    expect(bridge.callsTo('submissions:list').at(-1)).toMatchObject({ filter: { status: ['Running'], activeOnly: true }, cursor: null })
  })

  it('opens a submission when its row is clicked', async () => {
    const { wrapper, router } = await mountAt('/submissions', SubmissionsView, {
      'submissions:list': () => ({ items: [submission(4)], nextCursor: null }),
    })
    await wrapper.find('[data-testid="submission-row"]').trigger('click')
    // The target view is a lazily loaded chunk, so navigation settles after its import.
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe(`/submissions/${submission(4).id}`))
  })
})

describe('AuditView', () => {
  it('pages through the audit log', async () => {
    const entry = (seq: number) => ({
      seq,
      at: 0,
      experiment: 'samdev',
      actor: 'alice',
      role: 'production',
      face: 'web' as const,
      action: 'create',
      entityType: 'campaign',
      entityId: null,
      summary: `entry ${seq}`,
    })
    const { wrapper, bridge } = await mountAt('/audit', AuditView, {
      'audit:list': (input) => (input.cursor ? { items: [entry(1)], nextCursor: null } : { items: [entry(3), entry(2)], nextCursor: 'more' }),
    })
    expect(wrapper.findAll('[data-testid="audit-row"]')).toHaveLength(2)
    await wrapper.find('[data-testid="load-more-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('[data-testid="audit-row"]').map((row) => row.text())).toEqual([
      expect.stringContaining('entry 3'),
      expect.stringContaining('entry 2'),
      expect.stringContaining('entry 1'),
    ])
    expect(bridge.callsTo('audit:list')[1]).toMatchObject({ cursor: 'more', experiment: 'samdev' })
  })
})
