import { defineStore } from 'pinia'
import type { z } from 'zod'
import type { HostKeyInfo, PinnedHostKey } from '../../../shared/api/contract'
import { useApi } from '../api'
import { useLoader } from './loader'

export type HostKey = z.infer<typeof HostKeyInfo>
export type PinnedKey = z.infer<typeof PinnedHostKey>

/** SSH host keys this store has pinned: confirmed once, then required on every connection. */
export const useSshHostsStore = defineStore('sshHosts', () => {
  const api = useApi()
  const list = useLoader<PinnedKey[]>([])
  let listShown = false

  async function fetchList(): Promise<void> {
    listShown = true
    await list.run(() => api.call('sshHosts:list', {}))
  }

  /** Pins exactly the key the person saw (host, port, type, fingerprint); never anything else. */
  async function trust(key: HostKey): Promise<PinnedKey> {
    const { host, port, keyType, fingerprint } = key
    const pinned = await api.call('sshHosts:trust', { host, port, keyType, fingerprint })
    if (listShown) void fetchList()
    return pinned
  }

  async function forget(host: string, port: number): Promise<boolean> {
    const { forgotten } = await api.call('sshHosts:forget', { host, port })
    if (listShown) void fetchList()
    return forgotten
  }

  // No event announces pinned keys; a reconnect may have missed a change made elsewhere.
  api.onResync(() => listShown && void fetchList())

  return { items: list.data, loading: list.loading, error: list.error, fetchList, trust, forget }
})
