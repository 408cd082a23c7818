import { nextTick, ref } from 'vue'

/** After a failed submit, put the keyboard on the first field that needs fixing. */
export function useFocusFirstError() {
  const formElement = ref<HTMLFormElement | null>(null)

  async function focusFirstError(): Promise<void> {
    await nextTick()
    formElement.value?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
  }

  return { formElement, focusFirstError }
}
