import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { LaunchResult, Output } from '../../../shared/api/contract'
import type { HeldLaunch } from '../../../shared/domain/submission'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { useLoader } from './loader'
import { useSessionStore } from './session'

export type GlobalHold = Output<'launches:getHold'>

/** What the queued-launches list shows of a held launch's stage. */
export interface QueuedStage {
  name: string
  campaignId: string | null
}

/**
 * Holds on launching (poms-reference.md §3.7): the store-wide hold shown in the header, and the
 * launch requests queued while launches were held, which are released or dropped one by one.
 */
export const useLaunchHoldsStore = defineStore('launchHolds', () => {
  const api = useApi()
  const session = useSessionStore()

  // --- the global hold ---
  const globalHold = useLoader<GlobalHold | null>(null)
  const settingHold = ref(false)

  const fetchGlobalHold = () => globalHold.run(() => api.call('launches:getHold', {}))

  async function setGlobalHold(held: boolean): Promise<GlobalHold> {
    settingHold.value = true
    try {
      const value = await api.call('launches:setHold', { held })
      globalHold.reset(value)
      return value
    } finally {
      settingHold.value = false
    }
  }

  // --- queued launches ---
  const queued = useLoader<HeldLaunch[]>([])
  /** Stage names by id, fetched once per stage for the rows (a held launch names only its stage id). */
  const stages = ref<ReadonlyMap<string, QueuedStage>>(new Map())
  let queuedShown = false

  async function fetchQueued(): Promise<void> {
    queuedShown = true
    await queued.run(() => api.call('heldLaunches:list', { ...session.requireScope() }))
    await nameStages(queued.data.value.map((held) => held.stageId))
  }

  async function nameStages(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !stages.value.has(id))
    if (missing.length === 0) return
    const scope = session.requireScope()
    const found = await Promise.all(
      missing.map((id) =>
        api.call('stages:get', { ...scope, id }).then(
          (stage) => [id, { name: stage.name, campaignId: stage.campaignId }] as const,
          // A stage deleted since (or not visible in this role): the row shows its id instead.
          () => null,
        ),
      ),
    )
    stages.value = new Map([...stages.value, ...found.filter((entry) => entry !== null)])
  }

  /** Launches a queued request now, as the person who asked for it; it leaves the queue. */
  async function release(id: string): Promise<LaunchResult> {
    const result = await api.call('heldLaunches:release', { ...session.requireScope(), id })
    void fetchQueued()
    return result
  }

  async function drop(id: string): Promise<void> {
    await api.call('heldLaunches:drop', { ...session.requireScope(), id })
    void fetchQueued()
  }

  // Launches and stage holds change the queue; no event names the global hold, so a reconnect refetches it.
  refetchOnChange({ events: ['submissions:changed', 'stages:changed'], refetch: () => queuedShown && fetchQueued() })
  api.onResync(() => void fetchGlobalHold())

  return {
    globalHold: globalHold.data,
    globalHoldError: globalHold.error,
    settingHold,
    fetchGlobalHold,
    setGlobalHold,
    queued: queued.data,
    queuedLoading: queued.loading,
    queuedError: queued.error,
    stages: computed(() => stages.value),
    fetchQueued,
    release,
    drop,
  }
})
