import { ref, shallowRef, type Ref } from 'vue'
import type { Page } from '../../../shared/api/paging'
import type { WireError } from '../../../shared/errors'
import { toAppError } from '../lib/errors'

/**
 * Loading state for one thing a store shows. Only the newest request may write: a slow answer to
 * an older refetch must not overwrite a newer one.
 */
export function useLoader<T>(initial: T) {
  const data = ref(initial) as Ref<T>
  const loading = ref(false)
  const error = shallowRef<WireError | null>(null)
  let newest = 0

  async function run(fetch: () => Promise<T>): Promise<void> {
    const request = ++newest
    loading.value = true
    try {
      const value = await fetch()
      if (request === newest) {
        data.value = value
        error.value = null
      }
    } catch (thrown) {
      if (request === newest) error.value = toAppError(thrown).toWire()
    } finally {
      if (request === newest) loading.value = false
    }
  }

  function reset(value: T): void {
    newest++
    data.value = value
    error.value = null
    loading.value = false
  }

  return { data, loading, error, run, reset }
}

/** Small collections (login setups, job types, campaigns) are read whole, page by page. */
export async function fetchAllPages<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>, maxPages = 100): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  for (let pageNo = 0; pageNo < maxPages; pageNo++) {
    const page: Page<T> = await fetchPage(cursor)
    items.push(...page.items)
    if (page.nextCursor === null) break
    cursor = page.nextCursor
  }
  return items
}
