import type { PomsBridge } from '../../../shared/api/bridge'
import type { Channel, EventName } from '../../../shared/api/channels'
import type { Input, Output } from '../../../shared/api/contract'
import type { Result } from '../../../shared/api/envelope'
import type { EventPayload } from '../../../shared/api/events'
import { AppError } from '../../../shared/errors'

export type Handler<C extends Channel> = (input: Input<C>) => Output<C> | Promise<Output<C>>
export type Handlers = { [C in Channel]?: Handler<C> }

export interface RecordedCall {
  channel: Channel
  input: unknown
}

/**
 * A PomsBridge backed by per-channel handlers: a handler returns the value, or throws an AppError
 * that travels back as `{ok:false, error}` exactly as the real transports send it.
 */
export class FakeBridge implements PomsBridge {
  readonly calls: RecordedCall[] = []
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>()
  private readonly resyncListeners = new Set<() => void>()

  constructor(private readonly handlers: Handlers = {}) {}

  handle<C extends Channel>(channel: C, handler: Handler<C>): this {
    ;(this.handlers as Record<string, unknown>)[channel] = handler
    return this
  }

  async invoke<C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>> {
    this.calls.push({ channel, input: structuredClone(input) })
    const handler = this.handlers[channel] as Handler<C> | undefined
    if (!handler) return { ok: false, error: { code: 'INTERNAL', message: `no fake handler for ${channel}` } }
    try {
      return { ok: true, value: await handler(input) }
    } catch (thrown) {
      if (thrown instanceof AppError) return { ok: false, error: thrown.toWire() }
      throw thrown
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    const stored = listener as (payload: never) => void
    set.add(stored)
    return () => {
      set.delete(stored)
    }
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener)
    return () => {
      this.resyncListeners.delete(listener)
    }
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as (payload: EventPayload<E>) => void)(payload)
  }

  resync(): void {
    for (const listener of this.resyncListeners) listener()
  }

  callsTo<C extends Channel>(channel: C): Input<C>[] {
    return this.calls.filter((call) => call.channel === channel).map((call) => call.input as Input<C>)
  }
}
