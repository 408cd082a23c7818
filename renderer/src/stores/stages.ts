import { defineStore } from 'pinia'
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
    const changed = await api.call('stages:hold', { ...session.requireScope(), id, held })
    list.data.value = list.data.value.map((stage) => (stage.id === changed.id ? changed : stage))
    return changed
  }

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
  }
})
