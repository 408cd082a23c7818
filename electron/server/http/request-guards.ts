import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Logger } from '../../core/ports'
import type { ErrorCode } from '../../../shared/errors'
import { isAllowedHost, isAllowedOrigin } from './allowed-hosts'
import { isApiRequest, ROUTES_WITHOUT_TOKEN } from './api-paths'
import { bearerToken, tokensMatch, type TokenSource } from './bearer-token'
import { sendError } from './envelope-replies'

function refuse(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, status: number, message: string): FastifyReply {
  if (isApiRequest(request)) return sendError(reply, code, message)
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`)
}

/**
 * Host and Origin must name this server (no DNS rebinding, no cross-site calls). Runs for every
 * request, the WebSocket upgrade included, before anything else looks at it.
 */
export function guardHostAndOrigin(app: FastifyInstance, allowed: () => ReadonlySet<string>, logger: Logger): void {
  app.addHook('onRequest', async (request, reply) => {
    const hosts = allowed()
    const { host, origin } = request.headers
    if (isAllowedHost(host, hosts) && isAllowedOrigin(origin, hosts)) return
    logger.warn('refused a request for another host or from another origin', { host, origin })
    return refuse(request, reply, 'FORBIDDEN', 403, 'Forbidden: this server answers only to its own host name and origin.')
  })
}

/** Every API route but health and the event socket needs `Authorization: Bearer <token>`. */
export function requireBearerToken(app: FastifyInstance, token: TokenSource): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!isApiRequest(request) || ROUTES_WITHOUT_TOKEN.has(request.routeOptions.url ?? '')) return
    const given = bearerToken(request.headers.authorization)
    if (given !== null && tokensMatch(given, token())) return
    const message =
      given === null
        ? 'Send the server token as Authorization: Bearer <token> (`poms token` prints it).'
        : 'The token is not valid; it may have been rotated (`poms token` prints the current one).'
    return refuse(request, reply, 'UNAUTHENTICATED', 401, message)
  })
}
