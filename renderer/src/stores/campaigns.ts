import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Output } from '../../../shared/api/contract'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { Campaign, CampaignInput } from '../../../shared/domain/campaign'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { fetchAllPages, useLoader } from './loader'
import { useSessionStore } from './session'

export type CampaignPlan = Output<'campaigns:plan'>
export type PlanStep = CampaignPlan['steps'][number]

export const useCampaignsStore = defineStore('campaigns', () => {
  const api = useApi()
  const session = useSessionStore()
  const includeInactive = ref(false)
  const list = useLoader<Campaign[]>([])
  const current = useLoader<Campaign | null>(null)
  let listShown = false
  let currentRef: string | null = null

  async function fetchList(): Promise<void> {
    listShown = true
    await list.run(() => {
      const scope = session.requireScope()
      const filter = { includeInactive: includeInactive.value }
      return fetchAllPages((cursor) => api.call('campaigns:list', { ...scope, filter, cursor, limit: MAX_PAGE_SIZE }))
    })
  }

  /** Shows one campaign; `ref` is its id or short id. */
  async function open(ref: string): Promise<void> {
    if (currentRef !== ref) current.reset(null)
    currentRef = ref
    await current.run(() => api.call('campaigns:get', { ...session.requireScope(), id: ref }))
  }

  const get = (ref: string): Promise<Campaign> => api.call('campaigns:get', { ...session.requireScope(), id: ref })

  const create = (value: CampaignInput): Promise<Campaign> => api.call('campaigns:create', { ...session.requireScope(), value })

  const update = (id: string, expectedRev: number, value: CampaignInput): Promise<Campaign> =>
    api.call('campaigns:update', { ...session.requireScope(), id, expectedRev, value })

  const remove = (id: string, expectedRev: number) => api.call('campaigns:delete', { ...session.requireScope(), id, expectedRev })

  /** The campaign (or one of its published revisions) as a POMS .ini file. */
  const exportFile = (id: string, revision?: number): Promise<{ fileName: string; text: string }> =>
    api.call('campaigns:export', { ...session.requireScope(), id, ...(revision === undefined ? {} : { revision }) })

  /** A copy under a new name, with POMS's from → to text replacements applied in order. */
  const clone = (id: string, name: string, replace: { from: string; to: string }[]): Promise<Campaign> =>
    api.call('campaigns:clone', { ...session.requireScope(), id, name, replace })

  /** The campaign's next launches, stage by stage, with the recoveries and dependents they would bring. */
  const plan = (id: string, launches: number): Promise<CampaignPlan> => api.call('campaigns:plan', { ...session.requireScope(), id, launches })

  refetchOnChange({ events: ['campaigns:changed'], refetch: () => listShown && fetchList() })
  refetchOnChange({
    events: ['campaigns:changed'],
    isRelevant: (payload) => 'ids' in payload && current.data.value !== null && payload.ids.includes(current.data.value.id),
    refetch: () => currentRef !== null && open(currentRef),
  })

  return {
    includeInactive,
    items: list.data,
    loading: list.loading,
    error: list.error,
    current: current.data,
    currentLoading: current.loading,
    currentError: current.error,
    fetchList,
    open,
    get,
    create,
    update,
    remove,
    exportFile,
    clone,
    plan,
  }
})
