/**
 * The events WebSocket (`/api/v1/events`): the client's first message authenticates, then the
 * server pushes core events. Both ends use these names and codes.
 */
export const EVENTS_PATH = '/api/v1/events'

export type EventSocketClientMessage = { type: 'auth'; token: string } | { type: 'ping' }

export type EventSocketServerMessage =
  | { type: 'ready' }
  | { type: 'pong' }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'error'; error: { code: string; message: string } }

/** Close code for a refused or missing token (4000–4999 belong to the application; 4401 echoes HTTP 401). */
export const WS_CLOSE_UNAUTHENTICATED = 4401
/** Close code for a client too slow to keep up; it reconnects and refetches. */
export const WS_CLOSE_TOO_SLOW = 1013
