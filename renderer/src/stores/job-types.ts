import { defineStore } from 'pinia'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { JobType, JobTypeInput } from '../../../shared/domain/job-type'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { fetchAllPages, useLoader } from './loader'
import { useSessionStore } from './session'

export const useJobTypesStore = defineStore('jobTypes', () => {
  const api = useApi()
  const session = useSessionStore()
  const list = useLoader<JobType[]>([])
  let listShown = false

  /** All of them, inactive included: the list shows them and pickers must name a stage's current one. */
  async function fetchList(): Promise<void> {
    listShown = true
    await list.run(() => {
      const scope = session.requireScope()
      const filter = { includeInactive: true }
      return fetchAllPages((cursor) => api.call('jobTypes:list', { ...scope, filter, cursor, limit: MAX_PAGE_SIZE }))
    })
  }

  const get = (ref: string): Promise<JobType> => api.call('jobTypes:get', { ...session.requireScope(), id: ref })

  const create = (value: JobTypeInput): Promise<JobType> => api.call('jobTypes:create', { ...session.requireScope(), value })

  const update = (id: string, expectedRev: number, value: JobTypeInput): Promise<JobType> =>
    api.call('jobTypes:update', { ...session.requireScope(), id, expectedRev, value })

  refetchOnChange({ events: ['jobTypes:changed'], refetch: () => listShown && fetchList() })

  return { items: list.data, loading: list.loading, error: list.error, fetchList, get, create, update }
})
