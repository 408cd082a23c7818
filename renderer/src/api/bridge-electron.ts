import type { PomsBridge } from '../../../shared/api/bridge'
import type { Channel } from '../../../shared/api/channels'
import type { Input, Output } from '../../../shared/api/contract'
import type { Result } from '../../../shared/api/envelope'

/** Whether a value looks like what the preload exposes as `window.poms`. */
export function isExposedBridge(value: unknown): value is PomsBridge {
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as Partial<Record<keyof PomsBridge, unknown>>
  return typeof candidate.invoke === 'function' && typeof candidate.on === 'function'
}

/**
 * The preload bridge, with its one gap closed: `ipcRenderer.invoke` rejects (instead of answering
 * with an envelope) when the preload refuses a channel or the main process is gone.
 */
export function createElectronBridge(exposed: PomsBridge): PomsBridge {
  return {
    async invoke<C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>> {
      try {
        return await exposed.invoke(channel, input)
      } catch (thrown) {
        const message = thrown instanceof Error ? thrown.message : String(thrown)
        return { ok: false, error: { code: 'INTERNAL', message: `the desktop bridge failed on ${channel}: ${message}` } }
      }
    },
    on: (event, listener) => exposed.on(event, listener),
  }
}
