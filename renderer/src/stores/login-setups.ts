import { defineStore } from 'pinia'
import type { ConnectionTest } from '../../../shared/api/contract'
import { MAX_PAGE_SIZE } from '../../../shared/api/paging'
import type { LoginSetup, LoginSetupInput } from '../../../shared/domain/login-setup'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { fetchAllPages, useLoader } from './loader'
import { useSessionStore } from './session'

/** What `loginSetups:setSecret` keeps in the secret store for a setup. */
export type SecretKind = 'privateKey' | 'passphrase'

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

  /** Connects to the setup's host with a fresh connection, runs its setup text and reports each step. */
  const testConnection = (id: string): Promise<ConnectionTest> => api.call('loginSetups:test', { ...session.requireScope(), id })

  /**
   * Stores a private key or passphrase in the secret store (null removes it). The answer carries only
   * the reference (`secretRef`): no call ever returns a secret's value.
   */
  const setSecret = (id: string, kind: SecretKind, value: string | null): Promise<LoginSetup> =>
    api.call('loginSetups:setSecret', { ...session.requireScope(), id, kind, value })

  refetchOnChange({ events: ['loginSetups:changed'], refetch: () => listShown && fetchList() })

  return { items: list.data, loading: list.loading, error: list.error, fetchList, get, create, update, testConnection, setSecret }
})
