import { randomUUID } from 'node:crypto'
import { type z } from 'zod'
import { isChannel, type Channel } from '../../shared/api/channels'
import { contract, type Output } from '../../shared/api/contract'
import type { Result } from '../../shared/api/envelope'
import { AppError, type FieldError } from '../../shared/errors'
import type { CallContext } from './core-api'
import type { Handlers } from './handlers'
import type { Logger } from './ports'

export const zodFieldErrors = (error: z.ZodError): FieldError[] =>
  error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(input)', message: issue.message }))

/**
 * Every face calls the core through here: the input is checked against the contract (BAD_INPUT
 * with field paths), the handler runs, and whatever happens comes back as an envelope — nothing is
 * thrown across the boundary. With `checkOutputs`, replies are checked too, so drift shows early.
 */
export function createDispatcher(handlers: Handlers, logger: Logger, opts: { checkOutputs: boolean }) {
  return async function dispatch<C extends Channel>(channel: C, input: unknown, call: CallContext): Promise<Result<Output<C>>> {
    if (!isChannel(channel)) return { ok: false, error: { code: 'NOT_FOUND', message: `unknown channel ${String(channel)}` } }
    const spec = contract[channel]
    const parsed = spec.input.safeParse(input ?? {})
    if (!parsed.success) {
      const fields = zodFieldErrors(parsed.error)
      return { ok: false, error: { code: 'BAD_INPUT', message: `invalid input for ${channel}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields } }
    }
    try {
      const handler = handlers[channel] as (input: unknown, call: CallContext) => unknown
      const value = await handler(parsed.data, call)
      if (opts.checkOutputs) {
        const checked = spec.output.safeParse(value)
        if (!checked.success) {
          const id = randomUUID()
          logger.error('reply does not match the contract', { channel, incident: id, issues: zodFieldErrors(checked.error) })
          return { ok: false, error: { code: 'INTERNAL', message: `internal error: the reply to ${channel} does not match the contract (incident ${id})` } }
        }
      }
      return { ok: true, value: value as Output<C> }
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: err.toWire() }
      const id = randomUUID()
      logger.error('handler failed', { channel, incident: id, error: (err as Error)?.stack ?? String(err) })
      return { ok: false, error: { code: 'INTERNAL', message: `internal error while handling ${channel} (incident ${id}; details are in the log)` } }
    }
  }
}
