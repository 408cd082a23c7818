import { flushPromises } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import SubmissionView from '../../renderer/src/views/SubmissionView.vue'
import SubmissionsView from '../../renderer/src/views/SubmissionsView.vue'
import type { Output } from '../../shared/api/contract'
import type { RecoveryType } from '../../shared/domain/job-type'
import type { Submission } from '../../shared/domain/submission'
import { AppError } from '../../shared/errors'
import type { Handlers } from './support/fake-bridge'
import { counts, detail, session, submission, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

type Files = Output<'submissions:files'>
type Preview = Output<'submissions:recoveryPreview'>

const PARENT = submission(7, { status: 'Completed', jobCounts: counts({ completed: 4, failed: 1 }) })
const FILES: Files = { submitted: 20, delivered: 20, consumed: 16, failed: 4, skipped: 0, unknown: 0, outputs: 16, project: null }

function previewOf(type: RecoveryType, files: string[], position: number | null = 0): Preview {
  return {
    submissionId: PARENT.id,
    type,
    position,
    dataset: files.length > 0 ? `poms_recover_x_${PARENT.shortId}_${position ?? 'manual'}` : null,
    count: files.length,
    files,
    detail: `${files.length} files given to job 3, which failed (exit code 3): not consumed`,
  }
}

const FAILED_FILES = ['/data/run0001_subrun012.dat', '/data/run0001_subrun013.dat', '/data/run0001_subrun014.dat', '/data/run0001_subrun015.dat']

let shown: Submission
let list: Submission[]

function handlers(overrides: Handlers = {}): Handlers {
  return {
    'submissions:get': (input) => detail([shown, PARENT, ...list].find((s) => s.id === input.id || s.shortId === input.id) ?? shown),
    'submissions:jobs': () => [],
    'submissions:launchOutput': () => ({ text: '', truncated: false, bytes: 0 }),
    'submissions:files': () => FILES,
    'submissions:list': () => ({ items: list, nextCursor: null }),
    'submissions:recoveryPreview': (input) => (input.type === 'added_files' ? previewOf('added_files', [], null) : previewOf(input.type ?? 'consumed_status', FAILED_FILES, input.type ? null : 0)),
    'submissions:recover': () => ({ submission: submission(8, { status: 'New', parentSubmissionId: PARENT.id }), held: null, taskId: null, replayed: false, preview: null }),
    ...overrides,
  }
}

beforeEach(() => {
  localStorage.clear()
  shown = PARENT
  list = []
})

describe('submission files', () => {
  it('shows what happened to the input files, with a bar and the project', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${PARENT.id}`, SubmissionView, handlers())
    expect(bridge.callsTo('submissions:files')).toEqual([{ experiment: 'samdev', role: 'production', id: PARENT.id }])
    const files = wrapper.find('[data-testid="submission-files"]')
    expect(files.attributes('data-consumed')).toBe('16')
    expect(files.attributes('data-failed')).toBe('4')
    expect(files.find('[data-testid="files-submitted"]').text()).toBe('Submitted20')
    expect(files.find('[data-testid="files-outputs"]').text()).toBe('Outputs16')
    expect(files.find('[data-testid="files-skipped"]').text()).toBe('Skipped0')
    const parts = files.findAll('.files-bar-part')
    expect(parts.map((part) => [part.attributes('title'), part.attributes('style')])).toEqual([
      ['16 consumed', 'width: 80%;'],
      ['4 failed', 'width: 20%;'],
    ])
    expect(files.find('[data-testid="files-project"]').text()).toContain('none')
  })
})

describe('recovery', () => {
  it('previews the plan’s next step: the files it would take and why', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${PARENT.id}`, SubmissionView, handlers())
    expect(bridge.callsTo('submissions:recoveryPreview')).toEqual([{ experiment: 'samdev', role: 'production', id: PARENT.id }])
    const preview = wrapper.find('[data-testid="recovery-preview"]')
    expect(preview.attributes('data-count')).toBe('4')
    expect(preview.attributes('data-type')).toBe('consumed_status')
    expect(wrapper.findAll('[data-testid="recovery-file"]').map((li) => li.text())).toEqual(FAILED_FILES)
    expect(preview.find('[data-testid="recovery-detail"]').text()).toContain('job 3, which failed')
    expect(preview.find('[data-testid="recovery-dataset"]').text()).toBe('poms_recover_x_s-000007_0')
    expect(preview.text()).toContain('step 1 of the job type’s recovery plan')
    expect(wrapper.find('[data-testid="launch-recovery-button"]').text()).toBe('Launch recovery (4 files)')
  })

  it('previews a chosen type with its meaning; nothing to recover means nothing to launch', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${PARENT.id}`, SubmissionView, handlers())
    const select = wrapper.find('[data-testid="recovery-type-select"]')
    expect(select.findAll('option').map((o) => o.attributes('value'))).toEqual(['', 'added_files', 'consumed_status', 'delivered_not_consumed', 'pending_files', 'process_status'])
    await select.setValue('added_files')
    await flushPromises()
    expect(bridge.callsTo('submissions:recoveryPreview').at(-1)).toEqual({ experiment: 'samdev', role: 'production', id: PARENT.id, type: 'added_files' })
    expect(wrapper.find('[data-testid="recovery-type-meaning"]').text()).toContain('added to the input dataset')
    expect(wrapper.find('[data-testid="recovery-preview"]').attributes('data-count')).toBe('0')
    expect(wrapper.find('[data-testid="recovery-nothing"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="launch-recovery-button"]').attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('a manual recovery of the chosen type')
  })

  it('launches the recovery with a fresh idempotency key per click and links to it', async () => {
    const { wrapper, bridge } = await mountAt(`/submissions/${PARENT.id}`, SubmissionView, handlers())
    await wrapper.find('[data-testid="recovery-type-select"]').setValue('process_status')
    await flushPromises()
    await wrapper.find('[data-testid="launch-recovery-button"]').trigger('click')
    await flushPromises()
    await wrapper.find('[data-testid="launch-recovery-button"]').trigger('click')
    await flushPromises()
    const calls = bridge.callsTo('submissions:recover')
    expect(calls).toHaveLength(2)
    expect(calls[0]).toMatchObject({ experiment: 'samdev', role: 'production', id: PARENT.id, type: 'process_status' })
    expect(calls[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/)
    expect(calls[1]!.idempotencyKey).not.toBe(calls[0]!.idempotencyKey)
    const link = wrapper.find('[data-testid="recovery-launched-link"]')
    expect(link.text()).toBe('s-000008')
    expect(link.attributes('href')).toBe(`/submissions/${uuid(8)}`)
  })

  it('asks for a type when the job type’s plan has no next step', async () => {
    const { wrapper } = await mountAt(
      `/submissions/${PARENT.id}`,
      SubmissionView,
      handlers({
        'submissions:recoveryPreview': (input) => {
          if (!input.type) throw new AppError('BAD_INPUT', 'the recovery plan of s-000007 is used up (1 step evaluated); choose a recovery type')
          return previewOf(input.type, FAILED_FILES, null)
        },
      }),
    )
    expect(wrapper.find('[data-testid="recovery-choose-type"]').text()).toContain('choose a recovery type')
    expect(wrapper.find('[data-testid="recovery-section"] [data-testid="error-banner"]').exists()).toBe(false)
    await wrapper.find('[data-testid="recovery-type-select"]').setValue('consumed_status')
    await flushPromises()
    expect(wrapper.find('[data-testid="recovery-choose-type"]').exists()).toBe(false)
    expect(wrapper.findAll('[data-testid="recovery-file"]')).toHaveLength(4)
  })

  it('waits for the submission to finish before computing a recovery', async () => {
    shown = submission(9, { status: 'Running' })
    const { wrapper, bridge } = await mountAt(`/submissions/${shown.id}`, SubmissionView, handlers())
    expect(wrapper.find('[data-testid="recovery-not-yet"]').text()).toContain('it is Running')
    expect(bridge.callsTo('submissions:recoveryPreview')).toHaveLength(0)
  })
})

describe('lineage', () => {
  it('links a dependent to the submission whose outputs it took', async () => {
    shown = submission(8, { status: 'Running', stageId: uuid(3), dataset: `poms_depends_${PARENT.id}_1` })
    const { wrapper } = await mountAt(`/submissions/${shown.id}`, SubmissionView, handlers())
    expect(wrapper.find('[data-testid="lineage-parent"]').attributes('data-relation')).toBe('dependent')
    expect(wrapper.find('[data-testid="lineage-parent"]').text()).toContain('Launched on the outputs of')
    expect(wrapper.find('[data-testid="recovery-parent-link"]').text()).toBe('s-000007')
  })

  it('links a recovery to its parent', async () => {
    shown = submission(8, { status: 'Completed', parentSubmissionId: PARENT.id })
    const { wrapper } = await mountAt(`/submissions/${shown.id}`, SubmissionView, handlers())
    const parent = wrapper.find('[data-testid="lineage-parent"]')
    expect(parent.attributes('data-relation')).toBe('recovery')
    expect(parent.text()).toContain('A recovery of')
    const link = wrapper.find('[data-testid="recovery-parent-link"]')
    expect(link.text()).toBe('s-000007')
    expect(link.attributes('href')).toBe(`/submissions/${PARENT.id}`)
  })

  it('lists the recoveries and dependents launched from a submission, found among its campaign’s submissions', async () => {
    list = [
      // A dependent names its parent only in its dataset, as the engine launches it.
      submission(12, { stageId: uuid(3), stageName: 'process', dataset: `poms_depends_${PARENT.id}_1`, status: 'Running' }),
      submission(11, { parentSubmissionId: PARENT.id, status: 'Located' }),
      submission(10, { parentSubmissionId: uuid(99) }),
      PARENT,
    ]
    const { wrapper, bridge } = await mountAt(`/submissions/${PARENT.id}`, SubmissionView, handlers())
    expect(bridge.callsTo('submissions:list')[0]).toMatchObject({ filter: { campaignId: PARENT.campaignId }, limit: 200 })
    expect(wrapper.findAll('[data-testid="recovery-child-link"]').map((a) => a.text())).toEqual(['s-000011'])
    expect(wrapper.findAll('[data-testid="dependent-child-link"]').map((a) => a.text())).toEqual(['s-000012'])
    expect(wrapper.find('[data-testid="lineage-parent"]').exists()).toBe(false)
  })
})

describe('approval', () => {
  it('offers Approve and Reject only while a submission awaits approval', async () => {
    const { wrapper } = await mountAt(`/submissions/${PARENT.id}`, SubmissionView, handlers())
    expect(wrapper.find('[data-testid="approve-button"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="reject-button"]').exists()).toBe(false)
  })

  it('approves, and rejects with a reason', async () => {
    shown = submission(20, { status: 'Awaiting Approval', jobCounts: counts({}) })
    const { wrapper, bridge } = await mountAt(
      `/submissions/${shown.id}`,
      SubmissionView,
      handlers({
        'submissions:approve': () => ({ ...shown, status: 'Completed' }),
        'submissions:reject': () => ({ ...shown, status: 'Removed' }),
      }),
    )
    await wrapper.find('[data-testid="approve-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('submissions:approve')).toEqual([{ experiment: 'samdev', role: 'production', id: shown.id }])

    await wrapper.find('[data-testid="reject-button"]').trigger('click')
    expect(bridge.callsTo('submissions:reject')).toHaveLength(0)
    await wrapper.find('[data-testid="reject-reason-input"]').setValue('  wrong calibration  ')
    await wrapper.find('[data-testid="reject-form"]').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('submissions:reject')).toEqual([{ experiment: 'samdev', role: 'production', id: shown.id, reason: 'wrong calibration' }])
  })

  it('lets nobody act who may not act on the submission', async () => {
    shown = submission(21, { status: 'Awaiting Approval', creatorRole: 'analysis', creator: 'bob' })
    const { wrapper } = await mountAt(`/submissions/${shown.id}`, SubmissionView, {
      ...handlers(),
      'session:get': () => session({ memberships: [{ experiment: 'samdev', role: 'analysis', actingRoles: ['analysis'] }] }),
    })
    expect(wrapper.find('[data-testid="approve-button"]').attributes('disabled')).toBeDefined()
    expect(wrapper.find('[data-testid="reject-button"]').attributes('disabled')).toBeDefined()
  })
})

describe('submissions list lineage and wrap-up', () => {
  it('puts recoveries (↺) and dependents (↳) under their parent, naming parents that are not shown', async () => {
    const outside = submission(30, { shortId: 's-OUT030', status: 'Located' })
    list = [
      submission(13, { parentSubmissionId: outside.id }),
      submission(12, { stageId: uuid(3), stageName: 'process', dataset: `poms_depends_${PARENT.id}_1`, createdAt: PARENT.createdAt + 2 }),
      submission(11, { parentSubmissionId: PARENT.id, createdAt: PARENT.createdAt + 1 }),
      PARENT,
    ]
    const { wrapper, bridge } = await mountAt('/submissions', SubmissionsView, {
      ...handlers(),
      'submissions:get': (input) => detail(input.id === outside.id ? outside : PARENT),
    })
    expect(bridge.callsTo('submissions:get').map((call) => call.id)).toEqual([outside.id])
    const rows = wrapper.findAll('[data-testid="submission-row"]')
    // Children follow their parent, oldest first; the one whose parent is not listed keeps its place.
    expect(rows.map((row) => [row.find('[data-testid="submission-link"]').text(), row.attributes('data-depth'), row.attributes('data-relation')])).toEqual([
      ['s-000013', '0', 'recovery'],
      ['s-000007', '0', undefined],
      ['s-000011', '1', 'recovery'],
      ['s-000012', '1', 'dependent'],
    ])
    expect(rows[0]!.find('[data-testid="submission-relation"]').text()).toBe('↺ s-OUT030')
    expect(rows[2]!.find('[data-testid="submission-relation"]').text()).toBe('↺ s-000007')
    expect(rows[2]!.find('[data-testid="submission-link"]').text()).toBe('s-000011')
    expect(rows[3]!.find('[data-testid="submission-relation"]').text()).toBe('↳ s-000007')
    expect(rows[3]!.classes()).toContain('child-row')
  })

  it('offers “Run wrap-up now” to superusers only and shows its report', async () => {
    const plain = await mountAt('/submissions', SubmissionsView, handlers())
    expect(plain.wrapper.find('[data-testid="wrapup-button"]').exists()).toBe(false)

    const { wrapper, bridge } = await mountAt('/submissions', SubmissionsView, {
      ...handlers(),
      'session:get': () => session({ memberships: [{ experiment: 'samdev', role: 'superuser', actingRoles: ['analysis', 'production-shifter', 'production', 'superuser'] }] }),
      'wrapup:run': () => ({ report: ['s-000007 Completed → Located (16 of 16 outputs)', 's-000007: recovery consumed_status launched as s-000008'] }),
    })
    await wrapper.find('[data-testid="wrapup-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('wrapup:run')).toEqual([{}])
    const report = wrapper.find('[data-testid="wrapup-report"]')
    expect(report.attributes('data-lines')).toBe('2')
    expect(report.text()).toContain('Completed → Located')
    expect(report.text()).toContain('launched as s-000008')
    // The list is refetched: the wrap-up may have launched or moved submissions.
    expect(bridge.callsTo('submissions:list').length).toBeGreaterThanOrEqual(2)
  })

  it('says so when wrap-up had nothing to do', async () => {
    const { wrapper } = await mountAt('/submissions', SubmissionsView, {
      ...handlers(),
      'session:get': () => session({ user: { username: 'alice', displayName: 'Alice', root: true } }),
      'wrapup:run': () => ({ report: [] }),
    })
    await wrapper.find('[data-testid="wrapup-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="wrapup-report"]').text()).toContain('Nothing to do')
  })
})
