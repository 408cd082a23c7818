import { computed, ref } from 'vue'
import type { z } from 'zod'
import { fieldErrorsFromZod, type FieldErrors } from '../lib/field-errors'

/**
 * Client-side checks with the same zod schema the server applies, merged with the field errors
 * the server sent back, so both appear in the same place next to each field.
 */
export function useFormValidation<S extends z.ZodType>(schema: S, serverErrors: () => FieldErrors | undefined) {
  const clientErrors = ref<FieldErrors>({})
  const errors = computed<FieldErrors>(() => ({ ...(serverErrors() ?? {}), ...clientErrors.value }))

  /**
   * The parsed value, or null after recording every issue. `formErrors` are problems only the
   * form can see (two rows with one keyword name collapse into one record entry).
   */
  function validate(candidate: unknown, formErrors: FieldErrors = {}): z.output<S> | null {
    const result = schema.safeParse(candidate)
    clientErrors.value = { ...(result.success ? {} : fieldErrorsFromZod(result.error)), ...formErrors }
    return result.success && Object.keys(formErrors).length === 0 ? result.data : null
  }

  return { errors, validate }
}
