import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Input, LaunchResult, Output } from '../../../shared/api/contract'
import type { Page } from '../../../shared/api/paging'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { Job } from '../../../shared/domain/job'
import type { Submission, SubmissionDetail } from '../../../shared/domain/submission'
import type { SubmissionStatus } from '../../../shared/domain/submission-status'
import { useApi } from '../api'
import { newIdempotencyKey } from '../lib/ids'
import { idsInEvent, refetchOnChange } from './live'
import { useLoader } from './loader'
import { useSessionStore } from './session'

export type SubmissionFilter = NonNullable<Input<'submissions:list'>['filter']>
export type TextBlob = Output<'submissions:launchOutput'>

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
  }

  async function loadMore(): Promise<void> {
    const shown = list.data.value
    if (shown.nextCursor === null) return
    await list.run(async () => {
      const page = await fetchPage(shown.nextCursor, SUBMISSIONS_PAGE_SIZE)
      return { items: [...shown.items, ...page.items], nextCursor: page.nextCursor }
    })
  }

  /** Refetches as many rows as are shown, so "Load more" pages survive a live update. */
  async function refreshList(): Promise<void> {
    if (filter.value === null) return
    const limit = Math.min(Math.max(list.data.value.items.length, SUBMISSIONS_PAGE_SIZE), MAX_PAGE_SIZE)
    await list.run(() => fetchPage(null, limit))
  }

  // --- the one submission SubmissionView shows ---
  const detailRef = ref<string | null>(null)
  const detail = useLoader<SubmissionDetail | null>(null)
  const jobs = useLoader<Job[]>([])
  const launchOutput = useLoader<TextBlob | null>(null)
  /** The full id once known: routes may carry a short id, events always carry full ones. */
  const detailId = computed(() => detail.data.value?.submission.id ?? detailRef.value)

  async function open(ref: string): Promise<void> {
    if (detailRef.value !== ref) {
      detail.reset(null)
      jobs.reset([])
      launchOutput.reset(null)
    }
    detailRef.value = ref
    await Promise.all([fetchDetail(), fetchJobs(), fetchLaunchOutput()])
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

  const fetchJobLog = (id: string, index: number): Promise<TextBlob> =>
    api.call('submissions:jobLog', { ...session.requireScope(), id, index })

  const concernsDetail = (payload: Parameters<typeof idsInEvent>[0]) =>
    detailId.value !== null && idsInEvent(payload).includes(detailId.value)

  refetchOnChange({ events: ['submissions:changed', 'jobs:changed'], refetch: refreshList })
  refetchOnChange({ events: ['submissions:changed'], isRelevant: concernsDetail, refetch: fetchDetail })
  refetchOnChange({ events: ['jobs:changed'], isRelevant: concernsDetail, refetch: fetchJobs })
  refetchOnChange({ events: ['launchOutput:appended'], isRelevant: concernsDetail, refetch: fetchLaunchOutput })

  return {
    filter,
    items: computed(() => list.data.value.items),
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
    open,
    launch,
    kill,
    setStatus,
    control,
    abort,
    fetchJobLog,
  }
})
