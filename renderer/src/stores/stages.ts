import { defineStore } from 'pinia'
import type { SplitPreview } from '../../../shared/api/contract'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { Dependency, Stage, StageInput } from '../../../shared/domain/stage'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { fetchAllPages, useLoader } from './loader'
import { useSessionStore } from './session'

/** A campaign's stages and the dependencies between them. */
export const useStagesStore = defineStore('stages', () => {
  const api = useApi()
  const session = useSessionStore()
  const list = useLoader<Stage[]>([])
  const dependencies = useLoader<Dependency[]>([])
  let shownCampaignId: string | null = null

  async function fetchForCampaign(campaignId: string): Promise<void> {
    if (shownCampaignId !== campaignId) {
      list.reset([])
      dependencies.reset([])
    }
    shownCampaignId = campaignId
    await Promise.all([fetchStages(campaignId), fetchDependencies(campaignId)])
  }

  function fetchStages(campaignId: string): Promise<void> {
    return list.run(() => {
      const scope = session.requireScope()
      return fetchAllPages((cursor) =>
        api.call('stages:list', { ...scope, filter: { campaignId }, sort: 'name', cursor, limit: MAX_PAGE_SIZE }),
      )
    })
  }

  function fetchDependencies(campaignId: string): Promise<void> {
    return dependencies.run(() => api.call('dependencies:list', { ...session.requireScope(), campaignId }))
  }

  const get = (ref: string): Promise<Stage> => api.call('stages:get', { ...session.requireScope(), id: ref })

  const create = (value: StageInput): Promise<Stage> => api.call('stages:create', { ...session.requireScope(), value })

  const update = (id: string, expectedRev: number, value: StageInput): Promise<Stage> =>
    api.call('stages:update', { ...session.requireScope(), id, expectedRev, value })

  const remove = (id: string, expectedRev: number) => api.call('stages:delete', { ...session.requireScope(), id, expectedRev })

  /** Holds or releases a stage's launches; launches asked for meanwhile are queued. The list shows the answer at once. */
  async function hold(id: string, held: boolean): Promise<Stage> {
    return patch(await api.call('stages:hold', { ...session.requireScope(), id, held }))
  }

  /** The list shows a changed stage at once, before the event's refetch. */
  function patch(changed: Stage): Stage {
    list.data.value = list.data.value.map((stage) => (stage.id === changed.id ? changed : stage))
    return changed
  }

  /** The next `count` launches of the stage's split, with no side effect (poms-reference.md §4). */
  const previewSplit = (stageId: string, options: { count: number; test: boolean; filesPerSlice: number }): Promise<SplitPreview> =>
    api.call('splits:preview', { ...session.requireScope(), stageId, ...options })

  /** Starts the split over: the next launch takes the first slice. */
  const resetSplit = async (id: string): Promise<Stage> => patch(await api.call('stages:resetSplit', { ...session.requireScope(), id }))

  /**
   * Sets the split cursor to a typed value, or to the cursor an earlier submission's launch left
   * (its snapshot's cursor after) — the value itself, not a snapshot id as POMS stores.
   */
  const setSplitCursor = async (id: string, target: { cursor: number | null } | { fromSubmissionId: string }): Promise<Stage> =>
    patch(await api.call('stages:setSplitCursor', { ...session.requireScope(), id, ...target }))

  refetchOnChange({ events: ['stages:changed'], refetch: () => shownCampaignId !== null && fetchStages(shownCampaignId) })
  refetchOnChange({
    events: ['dependencies:changed'],
    refetch: () => shownCampaignId !== null && fetchDependencies(shownCampaignId),
  })

  return {
    items: list.data,
    loading: list.loading,
    error: list.error,
    dependencies: dependencies.data,
    dependenciesError: dependencies.error,
    fetchForCampaign,
    get,
    create,
    update,
    remove,
    hold,
    previewSplit,
    resetSplit,
    setSplitCursor,
  }
})
