import { watch } from 'vue'
import type { SessionStatus } from './stores/session'

/**
 * `body[data-app-state]` tells end-to-end tests when the app is usable: `ready` once the session
 * has loaded, `error` when it could not (including a missing token).
 */
export function reflectAppState(status: () => SessionStatus, body: HTMLElement): void {
  watch(
    status,
    (now) => {
      body.dataset.appState = now === 'ready' ? 'ready' : now === 'loading' ? 'loading' : 'error'
    },
    { immediate: true },
  )
}
