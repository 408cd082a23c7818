import type { Channel, EventName, Output } from '../../shared/api'
import type { Result } from '../../shared/api/envelope'

/** The face a call came through; recorded with every write. */
export type CallFace = 'desktop' | 'web' | 'cli'

/** Who is calling: the transport authenticates, the core authorises. */
export interface CallContext {
  username: string
  face: CallFace
}

export type CoreEventListener = (name: EventName, payload: unknown) => void

/** The core as every face sees it: one dispatcher for the contract, and its events. */
export interface CoreApi {
  /** Validates `input` against the contract, runs the handler, never throws. */
  dispatch<C extends Channel>(channel: C, input: unknown, ctx: CallContext): Promise<Result<Output<C>>>
  onEvent(listener: CoreEventListener): () => void
  /** The user this store was set up for on first start (the desktop's own user). */
  readonly localUsername: string
  readonly dataDir: string
  close(): Promise<void>
}
