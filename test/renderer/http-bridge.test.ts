import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createHttpBridge, TOKEN_STORAGE_KEY, WS_CLOSE_UNAUTHENTICATED, type HttpBridgeOptions, type WebSocketLike } from '../../renderer/src/api/bridge-http'

/** A WebSocket the test drives by hand; every instance is kept in `sockets`. */
class FakeSocket implements WebSocketLike {
  static sockets: FakeSocket[] = []
  readonly sent: unknown[] = []
  onopen: ((event: Event) => void) | null = null
  onmessage: ((event: MessageEvent) => void) | null = null
  onclose: ((event: CloseEvent) => void) | null = null
  onerror: ((event: Event) => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.sockets.push(this)
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  close(code = 1006): void {
    this.onclose?.({ code } as CloseEvent)
  }
  open(): void {
    this.onopen?.({} as Event)
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent)
  }
}

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial))
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items }
}

function options(overrides: Partial<HttpBridgeOptions> & { hash?: string } = {}) {
  const storage = memoryStorage()
  const replaceState = vi.fn()
  const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: true, value: 'pong' }), { status: 200 }))
  const built: HttpBridgeOptions = {
    location: { hash: overrides.hash ?? '', host: '127.0.0.1:4000', protocol: 'http:', pathname: '/', search: '' },
    history: { replaceState, state: null },
    storage,
    fetch: fetch as unknown as typeof globalThis.fetch,
    WebSocket: FakeSocket,
    reconnect: { initialMs: 100, maxMs: 1000 },
    ...overrides,
  }
  return { built, storage, replaceState, fetch }
}

beforeEach(() => {
  FakeSocket.sockets = []
})
afterEach(() => {
  vi.useRealTimers()
})

describe('token handling', () => {
  it('moves a #token= fragment into sessionStorage and clears the fragment', async () => {
    const { built, storage, replaceState, fetch } = options({ hash: '#token=s3cret' })
    const bridge = createHttpBridge(built)
    expect(storage.items.get(TOKEN_STORAGE_KEY)).toBe('s3cret')
    expect(replaceState).toHaveBeenCalledWith(null, '', '/')
    await bridge.invoke('session:get', {})
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer s3cret')
  })

  it('reads the token from sessionStorage when the URL has none, and leaves the URL alone', async () => {
    const storage = memoryStorage({ [TOKEN_STORAGE_KEY]: 'kept' })
    const { built, replaceState, fetch } = options({ storage })
    await createHttpBridge(built).invoke('session:get', {})
    expect(replaceState).not.toHaveBeenCalled()
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer kept')
  })

  it('sends no authorization header at all without a token', async () => {
    const { built, fetch } = options()
    await createHttpBridge(built).invoke('session:get', {})
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(init.headers).not.toHaveProperty('authorization')
  })
})

describe('invoke', () => {
  it('POSTs the input as JSON to /api/v1/<channel> and returns the envelope', async () => {
    const { built, fetch } = options({ hash: '#token=t' })
    const result = await createHttpBridge(built).invoke('campaigns:get', { experiment: 'samdev', id: 'c-ABCDEF' })
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/campaigns:get')
    expect(init.method).toBe('POST')
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json')
    expect(JSON.parse(init.body as string)).toEqual({ experiment: 'samdev', id: 'c-ABCDEF' })
    expect(result).toEqual({ ok: true, value: 'pong' })
  })

  it('returns the error envelope of a non-2xx answer as it is', async () => {
    const envelope = { ok: false, error: { code: 'CONFLICT', message: 'stale revision 3' } }
    const { built } = options({ fetch: (async () => new Response(JSON.stringify(envelope), { status: 409 })) as typeof fetch })
    expect(await createHttpBridge(built).invoke('session:get', {})).toEqual(envelope)
  })

  it('keeps BAD_INPUT fields from a 400 answer', async () => {
    const envelope = { ok: false, error: { code: 'BAD_INPUT', message: 'bad', fields: [{ path: 'value.name', message: 'required' }] } }
    const { built } = options({ fetch: (async () => new Response(JSON.stringify(envelope), { status: 400 })) as typeof fetch })
    expect(await createHttpBridge(built).invoke('session:get', {})).toEqual(envelope)
  })

  it('makes an envelope from the HTTP status when something in between answered with no JSON', async () => {
    const { built } = options({ fetch: (async () => new Response('<html>Bad gateway</html>', { status: 503 })) as typeof fetch })
    const result = await createHttpBridge(built).invoke('session:get', {})
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })

  it('turns a network failure into UNAVAILABLE', async () => {
    const { built } = options({
      fetch: (async () => {
        throw new TypeError('Failed to fetch')
      }) as typeof fetch,
    })
    const result = await createHttpBridge(built).invoke('session:get', {})
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('UNAVAILABLE')
      expect(result.error.message).toContain('Failed to fetch')
    }
  })
})

describe('events over the WebSocket', () => {
  it('opens one socket on the first subscription and authenticates in its first message', () => {
    const { built } = options({ hash: '#token=abc' })
    const bridge = createHttpBridge(built)
    expect(FakeSocket.sockets).toHaveLength(0)
    bridge.on('campaigns:changed', () => {})
    bridge.on('jobs:changed', () => {})
    expect(FakeSocket.sockets).toHaveLength(1)
    const socket = FakeSocket.sockets[0]!
    expect(socket.url).toBe('ws://127.0.0.1:4000/api/v1/events')
    socket.open()
    expect(socket.sent).toEqual([{ type: 'auth', token: 'abc' }])
  })

  it('uses wss: on an https page', () => {
    const { built } = options()
    built.location = { ...built.location, protocol: 'https:' }
    createHttpBridge(built).on('campaigns:changed', () => {})
    expect(FakeSocket.sockets[0]!.url).toBe('wss://127.0.0.1:4000/api/v1/events')
  })

  it('delivers pushed events to the listeners of that event only, until they unsubscribe', () => {
    const { built } = options({ hash: '#token=abc' })
    const bridge = createHttpBridge(built)
    const campaigns: unknown[] = []
    const jobs: unknown[] = []
    const off = bridge.on('campaigns:changed', (payload) => campaigns.push(payload))
    bridge.on('jobs:changed', (payload) => jobs.push(payload))
    const socket = FakeSocket.sockets[0]!
    socket.open()
    socket.receive({ type: 'ready' })
    socket.receive({ type: 'event', name: 'campaigns:changed', payload: { experiment: 'samdev', ids: ['x'] } })
    socket.receive({ type: 'event', name: 'not-an-event', payload: {} })
    off()
    socket.receive({ type: 'event', name: 'campaigns:changed', payload: { experiment: 'samdev', ids: ['y'] } })
    expect(campaigns).toEqual([{ experiment: 'samdev', ids: ['x'] }])
    expect(jobs).toEqual([])
  })

  it('reconnects with doubling, capped delays and asks listeners to resync once it is ready again', async () => {
    vi.useFakeTimers()
    const { built } = options({ hash: '#token=abc' })
    const bridge = createHttpBridge(built)
    const resyncs: number[] = []
    bridge.onResync(() => resyncs.push(Date.now()))
    const first = FakeSocket.sockets[0]!
    first.open()
    first.receive({ type: 'ready' })
    expect(resyncs).toHaveLength(0)

    // Fails five times in a row: 100, 200, 400, 800, then capped at 1000 ms.
    let socket = first
    for (const delay of [100, 200, 400, 800, 1000]) {
      socket.close()
      const before = FakeSocket.sockets.length
      await vi.advanceTimersByTimeAsync(delay - 1)
      expect(FakeSocket.sockets).toHaveLength(before)
      await vi.advanceTimersByTimeAsync(1)
      expect(FakeSocket.sockets).toHaveLength(before + 1)
      socket = FakeSocket.sockets.at(-1)!
    }

    socket.open()
    expect(socket.sent).toEqual([{ type: 'auth', token: 'abc' }])
    socket.receive({ type: 'ready' })
    expect(resyncs).toHaveLength(1)

    // A successful connection resets the backoff.
    socket.close()
    await vi.advanceTimersByTimeAsync(100)
    expect(FakeSocket.sockets.at(-1)).not.toBe(socket)
  })

  it('stops reconnecting when the server refuses the token', async () => {
    vi.useFakeTimers()
    const { built } = options({ hash: '#token=wrong' })
    createHttpBridge(built).on('jobs:changed', () => {})
    FakeSocket.sockets[0]!.open()
    FakeSocket.sockets[0]!.close(WS_CLOSE_UNAUTHENTICATED)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(FakeSocket.sockets).toHaveLength(1)
  })
})
