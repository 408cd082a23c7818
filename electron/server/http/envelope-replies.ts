import type { FastifyError, FastifyReply } from 'fastify'
import type { Result } from '../../../shared/api/envelope'
import { HTTP_STATUS_BY_CODE, type ErrorCode, type WireError } from '../../../shared/errors'

/** Largest accepted request body; campaign imports are the big ones. */
export const BODY_LIMIT_BYTES = 10 * 1024 * 1024

export const statusOf = (result: Result<unknown>): number =>
  result.ok ? 200 : (HTTP_STATUS_BY_CODE[result.error.code] ?? 500)

/** Every API answer is the contract's envelope, with the HTTP status mapped from the error code. */
export function sendResult(reply: FastifyReply, result: Result<unknown>, status = statusOf(result)): FastifyReply {
  return reply.code(status).send(result)
}

export function sendError(reply: FastifyReply, code: ErrorCode, message: string, extra: Omit<WireError, 'code' | 'message'> = {}): FastifyReply {
  return sendResult(reply, { ok: false, error: { code, message, ...extra } })
}

/** What to tell a client about fastify's own request errors (parsing, limits, malformed URLs). */
const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: `The request body is larger than ${BODY_LIMIT_BYTES / 1024 / 1024} MB.`,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Send the input as JSON, with Content-Type: application/json.',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty; send {} for a channel without input.',
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON.',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The request body does not match its Content-Length.',
  FST_ERR_BAD_URL: 'The request URL is malformed.',
}

/**
 * A fastify error as a wire error: the client's mistakes (4xx) are BAD_INPUT, anything else is
 * INTERNAL with no detail (the detail goes to the log, not to the client).
 */
export function wireErrorFromFramework(err: FastifyError): WireError {
  const status = err.statusCode ?? 500
  if (status >= 500) return { code: 'INTERNAL', message: 'Internal server error.' }
  return { code: 'BAD_INPUT', message: FRAMEWORK_MESSAGES[err.code] ?? err.message }
}
