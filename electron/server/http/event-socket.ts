import { WS_CLOSE_TOO_SLOW, WS_CLOSE_UNAUTHENTICATED } from '../../../shared/api/event-socket'

export { WS_CLOSE_TOO_SLOW, WS_CLOSE_UNAUTHENTICATED }
import type { FastifyInstance } from 'fastify'
import type { RawData, WebSocket } from 'ws'
import type { CoreApi } from '../../core/core-api'
import type { Logger } from '../../core/ports'
import { fail } from '../../../shared/api/envelope'
import { EVENTS_PATH } from './api-paths'
import { tokensMatch, type TokenSource } from './bearer-token'
import { sendResult } from './envelope-replies'

export const WS_CLOSE_GOING_AWAY = 1001

export const WS_AUTH_TIMEOUT_MS = 5000
/** Clients only send `auth` and `ping`; anything bigger is not ours. */
export const WS_MAX_CLIENT_MESSAGE_BYTES = 64 * 1024
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

export interface EventSocketOptions {
  core: CoreApi
  token: TokenSource
  logger: Logger
  authTimeoutMs?: number
}

function parseMessage(data: RawData): { type?: unknown; token?: unknown } | null {
  try {
    const value: unknown = JSON.parse(data.toString())
    return typeof value === 'object' && value !== null ? (value as { type?: unknown; token?: unknown }) : null
  } catch {
    return null
  }
}

/**
 * One event subscriber: silent until the first message authenticates it, then every core event
 * as `{type:'event', name, payload}`. Browsers cannot put a header on a WebSocket, hence the
 * auth message instead of the bearer header.
 */
function serveEvents(socket: WebSocket, opts: EventSocketOptions): void {
  const { core, token, logger } = opts
  let state: 'awaiting-auth' | 'ready' | 'refused' = 'awaiting-auth'
  let unsubscribe: (() => void) | null = null
  const send = (message: unknown) => socket.send(JSON.stringify(message))

  const refuse = (message: string) => {
    state = 'refused'
    clearTimeout(authTimer)
    send({ type: 'error', error: { code: 'UNAUTHENTICATED', message } })
    socket.close(WS_CLOSE_UNAUTHENTICATED, 'unauthenticated')
  }
  const authTimer = setTimeout(
    () => refuse('No auth message arrived in time; send {"type":"auth","token":"…"} first.'),
    opts.authTimeoutMs ?? WS_AUTH_TIMEOUT_MS,
  )

  const forward = (name: string, payload: unknown) => {
    if (socket.readyState !== socket.OPEN) return
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn('closing an event socket that does not keep up')
      socket.close(WS_CLOSE_TOO_SLOW, 'too slow; reconnect')
      return
    }
    send({ type: 'event', name, payload })
  }

  socket.on('message', (data) => {
    const message = parseMessage(data)
    if (state === 'awaiting-auth') {
      if (message?.type === 'auth' && typeof message.token === 'string' && tokensMatch(message.token, token())) {
        state = 'ready'
        clearTimeout(authTimer)
        unsubscribe = core.onEvent(forward)
        send({ type: 'ready' })
      } else {
        refuse('The first message must be {"type":"auth","token":"…"} with the server token.')
      }
    } else if (state === 'ready' && message?.type === 'ping') {
      send({ type: 'pong' })
    }
  })

  socket.on('close', () => {
    clearTimeout(authTimer)
    unsubscribe?.()
    unsubscribe = null
  })
}

/** `GET /api/v1/events`: the event WebSocket; a plain GET is told to upgrade. */
export function registerEventSocket(app: FastifyInstance, opts: EventSocketOptions): void {
  app.route({
    method: 'GET',
    url: EVENTS_PATH,
    handler: async (_request, reply) =>
      sendResult(reply, fail({ code: 'BAD_INPUT', message: 'This is a WebSocket endpoint: connect with a WebSocket and authenticate in the first message.' })),
    wsHandler: (socket) => serveEvents(socket, opts),
  })
}

/**
 * On shutdown, say goodbye to every event socket and do not wait long for the closing handshake:
 * a client that does not answer must not hold the server open.
 */
export function closeEventSockets(app: FastifyInstance, done: () => void): void {
  const wss = app.websocketServer
  for (const client of wss.clients) {
    client.close(WS_CLOSE_GOING_AWAY, 'server is shutting down')
    setTimeout(() => client.terminate(), 1000).unref()
  }
  wss.close(() => done())
}
