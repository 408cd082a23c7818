import { shallowRef, ref } from 'vue'
import type { WireError } from '../../../shared/errors'
import { toAppError } from '../lib/errors'
import { useEntityEditor } from './useEntityEditor'
import { useScopedLoad } from './useScopedLoad'

interface Editable {
  id: string
  rev: number
}

/**
 * Load → edit → save for one entity, create or update: the update names the revision it was based
 * on, so a stale edit comes back as CONFLICT, and "reload" fetches the newest revision.
 */
export function useEditView<T extends Editable, V>(options: {
  /** The id or short id from the route; undefined when creating. */
  id: () => string | undefined
  get: (ref: string) => Promise<T>
  create: (value: V) => Promise<T>
  update: (id: string, expectedRev: number, value: V) => Promise<T>
}) {
  const source = shallowRef<T | null>(null)
  const loading = ref(false)
  const loadError = shallowRef<WireError | null>(null)
  const editor = useEntityEditor()

  async function load(): Promise<void> {
    const ref = options.id()
    editor.clear()
    if (ref === undefined) {
      source.value = null
      return
    }
    loading.value = true
    try {
      source.value = await options.get(ref)
      loadError.value = null
    } catch (thrown) {
      loadError.value = toAppError(thrown).toWire()
    } finally {
      loading.value = false
    }
  }

  useScopedLoad(load)

  /** The saved entity, or null when the save failed (and the editor says why). */
  function save(value: V): Promise<T | null> {
    const current = source.value
    return editor.save(() => (current ? options.update(current.id, current.rev, value) : options.create(value)))
  }

  return {
    source,
    loading,
    loadError,
    saving: editor.saving,
    serverErrors: editor.serverErrors,
    conflict: editor.conflict,
    failure: editor.failure,
    isNew: () => options.id() === undefined,
    load,
    save,
  }
}
