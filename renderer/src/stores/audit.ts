import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { Input } from '../../../shared/api/contract'
import type { Page } from '../../../shared/api/paging'
import type { AuditEntry } from '../../../shared/domain/submission'
import { useApi } from '../api'
import { useLoader } from './loader'
import { useSessionStore } from './session'

export type AuditFilter = NonNullable<Input<'audit:list'>['filter']>

export const AUDIT_PAGE_SIZE = 100

export const useAuditStore = defineStore('audit', () => {
  const api = useApi()
  const session = useSessionStore()
  const filter = ref<AuditFilter>({})
  const list = useLoader<Page<AuditEntry>>({ items: [], nextCursor: null })

  const fetchPage = (cursor: string | null) =>
    api.call('audit:list', { ...session.requireScope(), filter: filter.value, cursor, limit: AUDIT_PAGE_SIZE })

  async function query(next: AuditFilter): Promise<void> {
    filter.value = next
    list.reset({ items: [], nextCursor: null })
    await list.run(() => fetchPage(null))
  }

  async function loadMore(): Promise<void> {
    const shown = list.data.value
    if (shown.nextCursor === null) return
    await list.run(async () => {
      const page = await fetchPage(shown.nextCursor)
      return { items: [...shown.items, ...page.items], nextCursor: page.nextCursor }
    })
  }

  return {
    filter,
    items: computed(() => list.data.value.items),
    hasMore: computed(() => list.data.value.nextCursor !== null),
    loading: list.loading,
    error: list.error,
    query,
    loadMore,
  }
})
