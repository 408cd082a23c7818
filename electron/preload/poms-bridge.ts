import type { IpcRenderer, IpcRendererEvent } from 'electron'
import type { PomsBridge } from '../../shared/api/bridge'
import { isChannel, isEventName } from '../../shared/api/channels'
import type { Result } from '../../shared/api/envelope'
import { ELECTRON_EVENT_CHANNEL as EVENT_CHANNEL } from '../../shared/api/channels'

type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>

/**
 * The renderer's whole view of Electron: `invoke` for the contract's channels and `on` for its
 * events, nothing else. Unknown names are refused here; inputs are checked against the schemas in
 * main (this file stays free of zod so the sandboxed preload is one small bundle).
 */
export function createPomsBridge(ipc: IpcRendererLike): PomsBridge {
  return {
    invoke(channel, input) {
      if (!isChannel(channel)) return Promise.reject(new Error(`unknown channel: ${String(channel)}`))
      return ipc.invoke(channel, input).catch(
        // Main answers every call with an envelope; only a broken transport rejects.
        (err: unknown): Result<never> => ({
          ok: false,
          error: { code: 'UNAVAILABLE', message: `the desktop app did not answer ${channel}: ${String(err)}` },
        }),
      )
    },

    on(event, listener) {
      if (!isEventName(event)) throw new Error(`unknown event: ${String(event)}`)
      if (typeof listener !== 'function') throw new TypeError('listener must be a function')
      // The Electron event object (with its sender) never reaches the page.
      const relay = (_electronEvent: IpcRendererEvent, name: unknown, payload: unknown): void => {
        if (name === event) listener(payload as Parameters<typeof listener>[0])
      }
      ipc.on(EVENT_CHANNEL, relay)
      return () => {
        ipc.removeListener(EVENT_CHANNEL, relay)
      }
    },
  }
}
