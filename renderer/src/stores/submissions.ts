import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Input, LaunchResult, Output } from '../../../shared/api/contract'
import type { Page } from '../../../shared/api/paging'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { Job } from '../../../shared/domain/job'
import type { RecoveryType } from '../../../shared/domain/job-type'
import type { Submission, SubmissionDetail } from '../../../shared/domain/submission'
import type { SubmissionStatus } from '../../../shared/domain/submission-status'
import { useApi } from '../api'
import { newIdempotencyKey } from '../lib/ids'
import { parentIdOf, type ParentSummary } from '../lib/lineage'
import { idsInEvent, refetchOnChange } from './live'
import { useLoader } from './loader'
import { useSessionStore } from './session'

export type SubmissionFilter = NonNullable<Input<'submissions:list'>['filter']>
export type TextBlob = Output<'submissions:launchOutput'>
export type FileAccounting = Output<'submissions:files'>
export type RecoveryPreview = Output<'submissions:recoveryPreview'>

/** At most this many parents outside the shown page are looked up per refresh, to name child rows. */
const PARENT_LOOKUPS = 20
/** How many of a campaign's newest submissions are searched for a submission's children. */
const CHILD_SEARCH = 200

export const SUBMISSIONS_PAGE_SIZE = 50

const emptyPage = (): Page<Submission> => ({ items: [], nextCursor: null })

export const useSubmissionsStore = defineStore('submissions', () => {
  const api = useApi()
  const session = useSessionStore()

  // --- the list one view shows (all submissions, or a campaign's) ---
  const filter = ref<SubmissionFilter | null>(null)
  const list = useLoader<Page<Submission>>(emptyPage())

  function fetchPage(cursor: string | null, limit: number): Promise<Page<Submission>> {
    return api.call('submissions:list', { ...session.requireScope(), filter: filter.value ?? {}, cursor, limit })
  }

  async function query(next: SubmissionFilter): Promise<void> {
    filter.value = next
    list.reset(emptyPage())
    await list.run(() => fetchPage(null, SUBMISSIONS_PAGE_SIZE))
    await nameParents()
  }

  /** Recoveries and dependents whose parent is not on the shown page still show its short id. */
  const parents = ref<ReadonlyMap<string, ParentSummary>>(new Map())

  async function nameParents(): Promise<void> {
    const shown = new Set(list.data.value.items.map((item) => item.id))
    const missing = [
      ...new Set(
        list.data.value.items
          .map((item) => parentIdOf(item))
          .filter((id): id is string => id !== null && !shown.has(id) && !parents.value.has(id)),
      ),
    ].slice(0, PARENT_LOOKUPS)
    if (missing.length === 0) return
    const scope = session.requireScope()
    const found = await Promise.all(
      missing.map((id) =>
        api.call('submissions:get', { ...scope, id }).then(
          ({ submission: parent }) => [id, { id: parent.id, shortId: parent.shortId, stageId: parent.stageId }] as const,
          // Gone or not visible in this role: the row then says only that it has a parent.
          () => null,
        ),
      ),
    )
    parents.value = new Map([...parents.value, ...found.filter((entry) => entry !== null)])
  }

  async function loadMore(): Promise<void> {
    const shown = list.data.value
    if (shown.nextCursor === null) return
    await list.run(async () => {
      const page = await fetchPage(shown.nextCursor, SUBMISSIONS_PAGE_SIZE)
      return { items: [...shown.items, ...page.items], nextCursor: page.nextCursor }
    })
    await nameParents()
  }

  /** Refetches as many rows as are shown, so "Load more" pages survive a live update. */
  async function refreshList(): Promise<void> {
    if (filter.value === null) return
    const limit = Math.min(Math.max(list.data.value.items.length, SUBMISSIONS_PAGE_SIZE), MAX_PAGE_SIZE)
    await list.run(() => fetchPage(null, limit))
    await nameParents()
  }

  // --- the one submission SubmissionView shows ---
  const detailRef = ref<string | null>(null)
  const detail = useLoader<SubmissionDetail | null>(null)
  const jobs = useLoader<Job[]>([])
  const launchOutput = useLoader<TextBlob | null>(null)
  const files = useLoader<FileAccounting | null>(null)
  /** The full id once known: routes may carry a short id, events always carry full ones. */
  const detailId = computed(() => detail.data.value?.submission.id ?? detailRef.value)

  async function open(ref: string): Promise<void> {
    if (detailRef.value !== ref) {
      detail.reset(null)
      jobs.reset([])
      launchOutput.reset(null)
      files.reset(null)
    }
    detailRef.value = ref
    await Promise.all([fetchDetail(), fetchJobs(), fetchLaunchOutput(), fetchFiles()])
  }

  /** `{experiment, role, id}` of the shown submission, or null when none is shown. */
  const detailInput = () => (detailRef.value === null ? null : { ...session.requireScope(), id: detailRef.value })

  async function fetchDetail(): Promise<void> {
    const input = detailInput()
    if (input) await detail.run(() => api.call('submissions:get', input))
  }

  async function fetchJobs(): Promise<void> {
    const input = detailInput()
    if (input) await jobs.run(() => api.call('submissions:jobs', input))
  }

  async function fetchLaunchOutput(): Promise<void> {
    const input = detailInput()
    if (input) await launchOutput.run(() => api.call('submissions:launchOutput', input))
  }

  /** Per-file accounting of the shown submission's input (delivered, consumed, failed…) and its outputs. */
  async function fetchFiles(): Promise<void> {
    const input = detailInput()
    if (input) await files.run(() => api.call('submissions:files', input))
  }

  // --- actions ---
  /**
   * One click, one idempotency key: a retried request never launches twice. With `dryRun` the
   * answer is only a preview of what would run, and nothing changes.
   */
  function launch(stageId: string, options: { test: boolean; dryRun?: boolean }): Promise<LaunchResult> {
    return api.call('submissions:launch', {
      ...session.requireScope(),
      stageId,
      test: options.test,
      dryRun: options.dryRun ?? false,
      idempotencyKey: newIdempotencyKey(),
    })
  }

  async function kill(id: string): Promise<Submission> {
    const killed = await api.call('submissions:kill', { ...session.requireScope(), id })
    if (detailId.value === killed.id) void fetchDetail()
    return killed
  }

  async function setStatus(id: string, status: SubmissionStatus, reason: string | null): Promise<Submission> {
    const changed = await api.call('submissions:setStatus', { ...session.requireScope(), id, status, reason })
    if (detailId.value === changed.id) void fetchDetail()
    return changed
  }

  /** Holds or releases the submission's jobs on the batch system; the message says what the backend did. */
  async function control(id: string, action: 'hold' | 'release'): Promise<{ submission: Submission; message: string }> {
    const channel = action === 'hold' ? 'submissions:hold' : 'submissions:release'
    const answer = await api.call(channel, { ...session.requireScope(), id })
    if (detailId.value === answer.submission.id) void Promise.all([fetchDetail(), fetchJobs()])
    return answer
  }

  /** Stops a launch that is still running (its process group on the launch host). */
  async function abort(id: string): Promise<Submission> {
    const aborted = await api.call('submissions:abort', { ...session.requireScope(), id })
    if (detailId.value === aborted.id) void Promise.all([fetchDetail(), fetchLaunchOutput()])
    return aborted
  }

  /** The files a recovery would take and why, launching nothing: the plan's next step, or `type`. */
  const recoveryPreview = (id: string, type: RecoveryType | null): Promise<RecoveryPreview> =>
    api.call('submissions:recoveryPreview', { ...session.requireScope(), id, ...(type === null ? {} : { type }) })

  /** A manual recovery (POMS's launch_recovery_for) under a fresh idempotency key: one click, one launch. */
  async function recover(id: string, type: RecoveryType | null): Promise<LaunchResult> {
    const result = await api.call('submissions:recover', {
      ...session.requireScope(),
      id,
      ...(type === null ? {} : { type }),
      idempotencyKey: newIdempotencyKey(),
    })
    if (detailId.value === id) void Promise.all([fetchDetail(), fetchFiles()])
    return result
  }

  /** Approval stages: approve (→ Completed, dependents follow) or reject (→ Removed) with a reason. */
  async function approve(id: string): Promise<Submission> {
    const approved = await api.call('submissions:approve', { ...session.requireScope(), id })
    if (detailId.value === approved.id) void fetchDetail()
    return approved
  }

  async function reject(id: string, reason: string | null): Promise<Submission> {
    const rejected = await api.call('submissions:reject', { ...session.requireScope(), id, reason })
    if (detailId.value === rejected.id) void fetchDetail()
    return rejected
  }

  /** One wrap-up cycle now (completion, recoveries, dependents); the engine also runs it by itself. */
  async function runWrapup(): Promise<string[]> {
    const { report } = await api.call('wrapup:run', {})
    void refreshList()
    if (detailRef.value !== null) void fetchDetail()
    return report
  }

  /** One submission, without showing it (a parent named by a recovery, say). */
  const getOne = (ref: string): Promise<SubmissionDetail> => api.call('submissions:get', { ...session.requireScope(), id: ref })

  /** The newest submissions of a stage or a campaign, without touching the list a view shows. */
  async function listWhere(where: { stageId: string } | { campaignId: string }, limit = MAX_PAGE_SIZE): Promise<Submission[]> {
    const page = await api.call('submissions:list', { ...session.requireScope(), filter: where, sort: '-createdAt', cursor: null, limit })
    return page.items
  }

  /**
   * Recoveries and dependents launched from a submission. The list has no filter by parent, so
   * this reads the newest CHILD_SEARCH submissions of its campaign (or stage) and keeps its children.
   */
  async function childrenOf(parent: Submission): Promise<Submission[]> {
    const where = parent.campaignId !== null ? { campaignId: parent.campaignId } : { stageId: parent.stageId }
    const items = await listWhere(where, CHILD_SEARCH)
    return items.filter((item) => parentIdOf(item) === parent.id).sort((a, b) => a.createdAt - b.createdAt)
  }

  const fetchJobLog = (id: string, index: number): Promise<TextBlob> =>
    api.call('submissions:jobLog', { ...session.requireScope(), id, index })

  const concernsDetail = (payload: Parameters<typeof idsInEvent>[0]) =>
    detailId.value !== null && idsInEvent(payload).includes(detailId.value)

  refetchOnChange({ events: ['submissions:changed', 'jobs:changed'], refetch: refreshList })
  refetchOnChange({ events: ['submissions:changed'], isRelevant: concernsDetail, refetch: fetchDetail })
  refetchOnChange({ events: ['submissions:changed', 'jobs:changed'], isRelevant: concernsDetail, refetch: fetchFiles })
  refetchOnChange({ events: ['jobs:changed'], isRelevant: concernsDetail, refetch: fetchJobs })
  refetchOnChange({ events: ['launchOutput:appended'], isRelevant: concernsDetail, refetch: fetchLaunchOutput })

  return {
    filter,
    items: computed(() => list.data.value.items),
    parents: computed(() => parents.value),
    hasMore: computed(() => list.data.value.nextCursor !== null),
    loading: list.loading,
    error: list.error,
    query,
    loadMore,
    refreshList,
    detail: detail.data,
    detailLoading: detail.loading,
    detailError: detail.error,
    jobs: jobs.data,
    jobsError: jobs.error,
    launchOutput: launchOutput.data,
    launchOutputError: launchOutput.error,
    files: files.data,
    filesError: files.error,
    open,
    launch,
    kill,
    setStatus,
    control,
    abort,
    fetchJobLog,
    recoveryPreview,
    recover,
    approve,
    reject,
    runWrapup,
    getOne,
    listWhere,
    childrenOf,
  }
})
