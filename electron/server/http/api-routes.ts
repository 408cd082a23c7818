import type { FastifyInstance } from 'fastify'
import { isChannel, type Channel } from '../../../shared/api/channels'
import { fail, ok, type Result } from '../../../shared/api/envelope'
import type { CoreApi } from '../../core/core-api'
import type { Logger } from '../../core/ports'
import { CHANNEL_ROUTE, HEALTH_PATH } from './api-paths'
import { sendError, sendResult } from './envelope-replies'

export interface ApiRouteOptions {
  core: CoreApi
  version: string
  logger: Logger
}

/** The transport trusts nothing: core.dispatch promises never to throw, and this keeps it so. */
async function dispatchSafely(core: CoreApi, channel: Channel, input: unknown, logger: Logger): Promise<Result<unknown>> {
  try {
    return await core.dispatch(channel, input, { username: core.localUsername, face: 'web' })
  } catch (err) {
    logger.error('core.dispatch threw', { channel, err: err instanceof Error ? err.stack : String(err) })
    return fail({ code: 'INTERNAL', message: 'Internal server error.' })
  }
}

/** `POST /api/v1/<channel>` → core.dispatch → the envelope; plus health and a 405 for other methods. */
export function registerApiRoutes(app: FastifyInstance, opts: ApiRouteOptions): void {
  const { core, version, logger } = opts

  app.get(HEALTH_PATH, async (_request, reply) => sendResult(reply, ok({ status: 'ok', version })))

  app.post<{ Params: { channel: string } }>(CHANNEL_ROUTE, async (request, reply) => {
    const { channel } = request.params
    if (!isChannel(channel)) return sendError(reply, 'NOT_FOUND', `There is no channel ${JSON.stringify(channel)}.`)
    // No body at all means "no input": `curl -X POST …/session:get` works without `-d '{}'`.
    const input = request.body === undefined ? {} : request.body
    return sendResult(reply, await dispatchSafely(core, channel, input, logger))
  })

  app.route<{ Params: { channel: string } }>({
    method: ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    url: CHANNEL_ROUTE,
    handler: async (request, reply) => {
      reply.header('allow', 'POST')
      return sendResult(reply, fail({ code: 'BAD_INPUT', message: `Method ${request.method} is not allowed here: use POST.` }), 405)
    },
  })
}
