import type { PomsBridge } from '../../../shared/api/bridge'

/**
 * A transport that can lose events (a WebSocket that reconnects) tells its listeners when it is
 * back, so what they show is refetched instead of trusted. The contract's PomsBridge has no such
 * notion because the Electron bridge cannot miss events; this is the renderer's own extension.
 */
export interface ResyncingBridge extends PomsBridge {
  onResync?(listener: () => void): () => void
}
