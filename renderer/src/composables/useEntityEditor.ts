import { ref, shallowRef } from 'vue'
import type { WireError } from '../../../shared/errors'
import { toAppError } from '../lib/errors'
import { fieldErrorsFromServer, type FieldErrors } from '../lib/field-errors'

/**
 * The save half of every edit view: runs the write, and sorts a failure into field messages
 * (BAD_INPUT), a stale-revision notice (CONFLICT) or a general error shown above the form.
 */
export function useEntityEditor() {
  const saving = ref(false)
  const serverErrors = ref<FieldErrors>({})
  const conflict = ref(false)
  const failure = shallowRef<WireError | null>(null)

  function clear(): void {
    serverErrors.value = {}
    conflict.value = false
    failure.value = null
  }

  async function save<T>(write: () => Promise<T>): Promise<T | null> {
    clear()
    saving.value = true
    try {
      return await write()
    } catch (thrown) {
      const error = toAppError(thrown)
      if (error.code === 'CONFLICT') conflict.value = true
      else failure.value = error.toWire()
      if (error.code === 'BAD_INPUT') serverErrors.value = fieldErrorsFromServer(error.fields)
      return null
    } finally {
      saving.value = false
    }
  }

  return { saving, serverErrors, conflict, failure, save, clear }
}
