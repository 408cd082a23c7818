import type { FastifyInstance } from 'fastify'
import { SERVER_CSP } from '../../../shared/api/content-security-policy'
import { isApiRequest } from './api-paths'

/** The shared renderer policy plus `frame-ancestors`, which only a header can deliver. */
export const SERVER_CONTENT_SECURITY_POLICY = SERVER_CSP

export const SECURITY_HEADERS = {
  'content-security-policy': SERVER_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const

/** Every response carries the security headers; API answers are never cached (they hold live data). */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.headers(SECURITY_HEADERS)
    if (isApiRequest(request)) reply.header('cache-control', 'no-store')
    return payload
  })
}
