import type { Channel, EventName } from './channels'
import type { Input, Output } from './contract'
import type { Result } from './envelope'
import type { EventPayload } from './events'

/**
 * What a transport offers the renderer: the Electron preload bridge and the HTTP/WebSocket bridge
 * both implement it, so nothing above the API client knows which one it runs on.
 */
export interface PomsBridge {
  invoke<C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
}

/** The preload's global, as `window.poms`. */
export const BRIDGE_GLOBAL = 'poms'
