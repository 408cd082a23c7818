import { WS_CLOSE_UNAUTHENTICATED } from '../../../shared/api/event-socket'
import type { Channel, EventName } from '../../../shared/api/channels'
import { isEventName } from '../../../shared/api/channels'
import type { Input, Output } from '../../../shared/api/contract'
import type { Result } from '../../../shared/api/envelope'
import type { EventPayload } from '../../../shared/api/events'
import { HTTP_STATUS_BY_CODE, isErrorCode, type ErrorCode } from '../../../shared/errors'
import type { ResyncingBridge } from './bridge'

/** Where the access token lives for the tab's lifetime (architecture.md §2). */
export const TOKEN_STORAGE_KEY = 'poms.token'

/** The few WebSocket members the bridge uses, so tests can hand in a fake. */
export interface WebSocketLike {
  send(data: string): void
  close(): void
  onopen: ((event: Event) => void) | null
  onmessage: ((event: MessageEvent) => void) | null
  onclose: ((event: CloseEvent) => void) | null
  onerror: ((event: Event) => void) | null
}
export type WebSocketFactory = new (url: string) => WebSocketLike

export interface HttpBridgeOptions {
  location: Pick<Location, 'hash' | 'host' | 'protocol' | 'pathname' | 'search'>
  history: Pick<History, 'replaceState' | 'state'>
  storage: Pick<Storage, 'getItem' | 'setItem'>
  fetch: typeof fetch
  WebSocket: WebSocketFactory
  /** Reconnect delays: doubling from `initialMs`, never above `maxMs`. */
  reconnect?: { initialMs: number; maxMs: number }
}

const DEFAULT_RECONNECT = { initialMs: 500, maxMs: 30_000 }

export { WS_CLOSE_UNAUTHENTICATED }

/**
 * The token arrives once in the URL fragment (`#token=…`, printed by `poms serve`). It is moved to
 * sessionStorage and the fragment is cleared at once, so it is neither bookmarked nor left in the
 * history; a reload then finds it in sessionStorage.
 */
export function takeToken(options: Pick<HttpBridgeOptions, 'location' | 'history' | 'storage'>): string | null {
  const { location, history, storage } = options
  // `#/token=…` too: the hash router rewrites a bare fragment that arrives after it started.
  const fragment = new URLSearchParams(location.hash.replace(/^#\/?/, ''))
  const fromUrl = fragment.get('token')
  if (fromUrl) {
    storage.setItem(TOKEN_STORAGE_KEY, fromUrl)
    history.replaceState(history.state, '', location.pathname + location.search)
    return fromUrl
  }
  return storage.getItem(TOKEN_STORAGE_KEY)
}

const CODE_BY_HTTP_STATUS = new Map<number, ErrorCode>(
  Object.entries(HTTP_STATUS_BY_CODE).map(([code, status]) => [status, code as ErrorCode]),
)

function codeForHttpStatus(status: number): ErrorCode {
  return CODE_BY_HTTP_STATUS.get(status) ?? (status >= 500 ? 'UNAVAILABLE' : 'INTERNAL')
}

function isEnvelope(body: unknown): body is Result<unknown> {
  if (typeof body !== 'object' || body === null) return false
  const candidate = body as { ok?: unknown; error?: { code?: unknown; message?: unknown } }
  if (candidate.ok === true) return 'value' in candidate
  return candidate.ok === false && isErrorCode(candidate.error?.code) && typeof candidate.error?.message === 'string'
}

/** Browser mode: `POST /api/v1/<channel>` for calls, one WebSocket for events. */
export function createHttpBridge(options: HttpBridgeOptions): Required<ResyncingBridge> {
  const token = takeToken(options)
  const events = createEventSocket(options, token)

  async function invoke<C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (token) headers.authorization = `Bearer ${token}`
    let response: Response
    try {
      response = await options.fetch(`/api/v1/${channel}`, { method: 'POST', headers, body: JSON.stringify(input) })
    } catch (thrown) {
      const reason = thrown instanceof Error ? thrown.message : String(thrown)
      return { ok: false, error: { code: 'UNAVAILABLE', message: `cannot reach the POMS server (${reason})` } }
    }
    // The server answers every status with the envelope; anything else came from something in between.
    const body: unknown = await response.json().catch(() => undefined)
    if (isEnvelope(body)) return body as Result<Output<C>>
    return {
      ok: false,
      error: { code: codeForHttpStatus(response.status), message: `the server answered HTTP ${response.status} without an API reply` },
    }
  }

  return { invoke, on: events.on, onResync: events.onResync }
}

type ServerMessage = { type: 'ready' } | { type: 'event'; name: string; payload: unknown } | { type: string }

function parseMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null
  try {
    const message: unknown = JSON.parse(data)
    return typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string'
      ? (message as ServerMessage)
      : null
  } catch {
    return null
  }
}

/**
 * One WebSocket for all events, opened on the first subscription. It authenticates in its first
 * message, reconnects with capped exponential backoff, and after a reconnect tells resync
 * listeners to refetch, because events sent while it was away are lost.
 */
function createEventSocket(options: HttpBridgeOptions, token: string | null) {
  const { initialMs, maxMs } = options.reconnect ?? DEFAULT_RECONNECT
  const url = `${options.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${options.location.host}/api/v1/events`
  const listeners = new Map<EventName, Set<(payload: never) => void>>()
  const resyncListeners = new Set<() => void>()
  let started = false
  let failures = 0
  let wasReady = false

  function connect(): void {
    const socket = new options.WebSocket(url)
    socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: token ?? '' }))
    socket.onmessage = (event) => {
      const message = parseMessage(event.data)
      if (message?.type === 'ready') {
        failures = 0
        if (wasReady) for (const listener of [...resyncListeners]) listener()
        wasReady = true
      } else if (message?.type === 'event') {
        const { name, payload } = message as { name: unknown; payload: unknown }
        if (!isEventName(name)) return
        for (const listener of [...(listeners.get(name) ?? [])]) listener(payload as never)
      }
    }
    socket.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    }
    socket.onclose = (event) => {
      // A refused token will not become valid by retrying; a new one arrives with a page load.
      if (event.code === WS_CLOSE_UNAUTHENTICATED) return
      const delay = Math.min(initialMs * 2 ** failures, maxMs)
      failures++
      setTimeout(connect, delay)
    }
  }

  function start(): void {
    if (started) return
    started = true
    connect()
  }

  return {
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
      start()
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const stored = listener as (payload: never) => void
      set.add(stored)
      return () => {
        set.delete(stored)
      }
    },
    onResync(listener: () => void): () => void {
      start()
      resyncListeners.add(listener)
      return () => {
        resyncListeners.delete(listener)
      }
    },
  }
}
