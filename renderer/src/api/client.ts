import type { Channel, EventName } from '../../../shared/api/channels'
import type { Input, Output } from '../../../shared/api/contract'
import type { EventPayload } from '../../../shared/api/events'
import { AppError, isErrorCode } from '../../../shared/errors'
import { plainCopy } from '../lib/clone'
import type { ResyncingBridge } from './bridge'

/** What stores use: typed calls that return the value or throw AppError, and events. */
export interface ApiClient {
  call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>>
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** Called when events may have been missed (a reconnect): refetch whatever is shown. */
  onResync(listener: () => void): () => void
  /** Sees every failed call first, e.g. to notice that the access token stopped working. */
  onError(listener: (error: AppError) => void): () => void
}

export function createApiClient(bridge: ResyncingBridge): ApiClient {
  const errorListeners = new Set<(error: AppError) => void>()

  async function call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
    let error: AppError
    try {
      // Inputs often come from reactive state; Vue proxies cannot cross Electron's structured clone.
      const result = await bridge.invoke(channel, plainCopy(input))
      if (result.ok) return result.value
      error = isErrorCode(result.error.code)
        ? AppError.fromWire(result.error)
        : new AppError('INTERNAL', `${result.error.message} (unknown error code ${String(result.error.code)})`)
    } catch (thrown) {
      // Bridges answer with envelopes; a throw means the transport itself broke.
      error = new AppError('UNAVAILABLE', thrown instanceof Error ? thrown.message : String(thrown))
    }
    for (const listener of [...errorListeners]) listener(error)
    throw error
  }

  return {
    call,
    on: (event, listener) => bridge.on(event, listener),
    onResync: (listener) => bridge.onResync?.(listener) ?? (() => {}),
    onError(listener) {
      errorListeners.add(listener)
      return () => {
        errorListeners.delete(listener)
      }
    },
  }
}
