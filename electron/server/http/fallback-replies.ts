import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { fail } from '../../../shared/api/envelope'
import type { Logger } from '../../core/ports'
import { isApiRequest } from './api-paths'
import { sendError, sendResult, wireErrorFromFramework } from './envelope-replies'

const plainText = (reply: FastifyReply, status: number, message: string): FastifyReply =>
  reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`)

/**
 * Replaces fastify's own error format: under /api every answer is the envelope (so clients parse
 * one shape), elsewhere plain text. Server faults are logged here and reach the client as INTERNAL.
 */
export function answerError(logger: Logger) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const wire = wireErrorFromFramework(err)
    if (wire.code === 'INTERNAL') logger.error('request failed', { url: request.url, err: err.stack ?? String(err) })
    if (isApiRequest(request)) return sendResult(reply, fail(wire))
    return plainText(reply, wire.code === 'INTERNAL' ? 500 : (err.statusCode ?? 400), wire.message)
  }
}

export function answerNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isApiRequest(request)) return sendError(reply, 'NOT_FOUND', `No API route ${request.method} ${request.url.split('?', 1)[0]}.`)
  return plainText(reply, 404, 'Not found.')
}
