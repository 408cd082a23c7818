import type { BrowserWindow } from 'electron'
import type { CoreApi } from '../core/core-api'
import { ELECTRON_EVENT_CHANNEL as EVENT_CHANNEL } from '../../shared/api/channels'

/**
 * Pushes every core event to every open window as `(name, payload)` on the one event channel; the
 * preload hands each subscriber only the events it asked for. Returns the unsubscribe.
 */
export function forwardCoreEvents(core: CoreApi, windows: () => BrowserWindow[]): () => void {
  return core.onEvent((name, payload) => {
    for (const window of windows()) {
      if (window.isDestroyed() || window.webContents.isDestroyed()) continue
      window.webContents.send(EVENT_CHANNEL, name, payload)
    }
  })
}
