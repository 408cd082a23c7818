import { watch } from 'vue'
import { useSessionStore } from '../stores/session'

/**
 * Runs `load` now and again whenever the experiment or acting role changes, since everything a
 * view shows is scoped by them. Nothing runs while no experiment is chosen.
 */
export function useScopedLoad(load: () => unknown): void {
  const session = useSessionStore()
  watch(
    () => session.scopeKey,
    (key) => {
      if (key !== '') void load()
    },
    { immediate: true },
  )
}
