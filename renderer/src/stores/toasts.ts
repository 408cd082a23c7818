import { defineStore } from 'pinia'
import { ref } from 'vue'
import { describeError, toAppError } from '../lib/errors'

export type ToastKind = 'info' | 'error'

export interface Toast {
  id: number
  kind: ToastKind
  title: string
  lines: string[]
}

/** Errors stay longer than confirmations: they usually need reading. */
const LIFETIME_MS: Record<ToastKind, number> = { info: 5_000, error: 15_000 }

export const useToastsStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([])
  let nextId = 1

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((toast) => toast.id !== id)
  }

  function push(kind: ToastKind, title: string, lines: string[] = []): void {
    const id = nextId++
    toasts.value = [...toasts.value, { id, kind, title, lines }]
    setTimeout(() => dismiss(id), LIFETIME_MS[kind])
  }

  function pushError(thrown: unknown): void {
    const { title, lines } = describeError(toAppError(thrown))
    push('error', title, lines)
  }

  return { toasts, push, pushError, dismiss }
})
