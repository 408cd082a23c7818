import type { EventName } from '../../shared/api/channels'
import type { EventPayload } from '../../shared/api/events'
import type { CoreEventListener } from './core-api'

/** Core's event bus. Services emit after their transaction commits, never inside it. */
export function createEventBus() {
  const listeners = new Set<CoreEventListener>()
  return {
    emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
      for (const listener of listeners) {
        try {
          listener(name, payload)
        } catch {
          // A faulty listener (a closed window, a dropped socket) must not break the others.
        }
      }
    },
    on(listener: CoreEventListener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
export type EventBus = ReturnType<typeof createEventBus>
