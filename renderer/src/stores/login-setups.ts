import { defineStore } from 'pinia'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { LoginSetup, LoginSetupInput } from '../../../shared/domain/login-setup'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { fetchAllPages, useLoader } from './loader'
import { useSessionStore } from './session'

export const useLoginSetupsStore = defineStore('loginSetups', () => {
  const api = useApi()
  const session = useSessionStore()
  const list = useLoader<LoginSetup[]>([])
  let listShown = false

  /** All of them, inactive included: the list shows them and pickers must name a stage's current one. */
  async function fetchList(): Promise<void> {
    listShown = true
    await list.run(() => {
      const scope = session.requireScope()
      const filter = { includeInactive: true }
      return fetchAllPages((cursor) => api.call('loginSetups:list', { ...scope, filter, cursor, limit: MAX_PAGE_SIZE }))
    })
  }

  const get = (ref: string): Promise<LoginSetup> => api.call('loginSetups:get', { ...session.requireScope(), id: ref })

  const create = (value: LoginSetupInput): Promise<LoginSetup> =>
    api.call('loginSetups:create', { ...session.requireScope(), value })

  const update = (id: string, expectedRev: number, value: LoginSetupInput): Promise<LoginSetup> =>
    api.call('loginSetups:update', { ...session.requireScope(), id, expectedRev, value })

  refetchOnChange({ events: ['loginSetups:changed'], refetch: () => listShown && fetchList() })

  return { items: list.data, loading: list.loading, error: list.error, fetchList, get, create, update }
})
