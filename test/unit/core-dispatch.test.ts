import { describe, expect, it } from 'vitest'
import type { Channel } from '../../shared/api/channels'
import { AppError } from '../../shared/errors'
import type { CallContext } from '../../electron/core/core-api'
import { createDispatcher } from '../../electron/core/dispatch'
import type { Handlers } from '../../electron/core/handlers'
import type { Logger } from '../../electron/core/ports'

const CALL: CallContext = { username: 'alice', face: 'cli' }
const UUID = '01234567-89ab-7def-8123-456789abcdef'

function recordingLogger() {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = []
  const logger: Logger = {
    debug: (msg, data) => lines.push({ level: 'debug', msg, data }),
    info: (msg, data) => lines.push({ level: 'info', msg, data }),
    warn: (msg, data) => lines.push({ level: 'warn', msg, data }),
    error: (msg, data) => lines.push({ level: 'error', msg, data }),
    child: () => logger,
  }
  return { logger, lines }
}

/** A dispatcher over just the handlers a test needs; every call they receive is recorded. */
function setup(handlers: Partial<Record<Channel, (input: unknown, call: CallContext) => unknown>>, checkOutputs = true) {
  const { logger, lines } = recordingLogger()
  const calls: { channel: string; input: unknown; call: CallContext }[] = []
  const wrapped = Object.fromEntries(
    Object.entries(handlers).map(([channel, fn]) => [
      channel,
      (input: unknown, call: CallContext) => {
        calls.push({ channel, input, call })
        return fn!(input, call)
      },
    ]),
  )
  return { dispatch: createDispatcher(wrapped as unknown as Handlers, logger, { checkOutputs }), calls, lines }
}

describe('dispatch', () => {
  it('passes the parsed input, with defaults and normalised ids, and the caller to the handler', async () => {
    const { dispatch, calls } = setup({ 'submissions:get': () => ({ never: 'checked' }) }, false)
    const result = await dispatch('submissions:get', { experiment: ' DEMO ', id: 's-7kq2mx' }, CALL)
    expect(result.ok).toBe(true)
    expect(calls).toEqual([{ channel: 'submissions:get', input: { experiment: 'demo', id: 's-7KQ2MX' }, call: CALL }])
  })

  it('answers BAD_INPUT with field paths for invalid input, without calling the handler', async () => {
    const { dispatch, calls } = setup({ 'stages:create': () => null })
    const result = await dispatch('stages:create', { experiment: 'demo', value: { campaignId: 'nope', name: '', completionPct: 300 } }, CALL)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('BAD_INPUT')
    expect(result.error.fields?.map((f) => f.path).sort()).toEqual(['value.campaignId', 'value.completionPct', 'value.name'])
    expect(result.error.message).toContain('value.completionPct')
    expect(calls).toEqual([])
  })

  it('reports a wrong top-level shape as (input)', async () => {
    const { dispatch } = setup({ 'tasks:list': () => [] })
    const result = await dispatch('tasks:list', 'a string', CALL)
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT', fields: [{ path: '(input)' }] } })
  })

  it('treats a missing input as an empty object', async () => {
    const { dispatch } = setup({ 'tasks:list': () => [] })
    expect(await dispatch('tasks:list', undefined, CALL)).toEqual({ ok: true, value: [] })
  })

  it('answers NOT_FOUND for an unknown channel', async () => {
    const { dispatch } = setup({})
    const result = await dispatch('campaigns:drop' as Channel, {}, CALL)
    expect(result).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'unknown channel campaigns:drop' } })
  })

  it('passes an AppError through as it is', async () => {
    const { dispatch } = setup({
      'campaigns:delete': () => {
        throw new AppError('CONFLICT', 'changed by someone else', { details: { currentRev: 3, expectedRev: 2 } })
      },
    })
    const result = await dispatch('campaigns:delete', { experiment: 'demo', id: UUID, expectedRev: 2 }, CALL)
    expect(result).toEqual({ ok: false, error: { code: 'CONFLICT', message: 'changed by someone else', details: { currentRev: 3, expectedRev: 2 } } })
  })

  it('passes a rejected AppError from an async handler through too', async () => {
    const { dispatch } = setup({
      'tasks:cancel': async () => {
        await Promise.resolve()
        throw new AppError('NOT_FOUND', 'no such task')
      },
    })
    expect(await dispatch('tasks:cancel', { id: 't1' }, CALL)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'no such task' } })
  })

  it.each([
    ['throws', () => {
      throw new TypeError('secret /home/alice/.ssh/id_rsa is unreadable')
    }],
    ['rejects', async () => {
      throw new Error('secret /home/alice/.ssh/id_rsa is unreadable')
    }],
  ])('turns a handler that %s unexpectedly into INTERNAL with an incident id, logging the stack only', async (_how, handler) => {
    const { dispatch, lines } = setup({ 'tasks:list': handler })
    const result = await dispatch('tasks:list', {}, CALL)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('INTERNAL')
    expect(result.error.message).not.toContain('secret')
    expect(result.error.message).not.toContain('id_rsa')
    expect(result.error.message).not.toMatch(/\n\s+at /)
    expect(Object.keys(result.error)).toEqual(['code', 'message'])
    const incident = /incident ([0-9a-f-]{36})/.exec(result.error.message)?.[1]
    expect(incident).toBeDefined()
    const logged = lines.find((l) => l.level === 'error')
    expect(logged?.data).toMatchObject({ channel: 'tasks:list', incident })
    expect(String(logged?.data?.error)).toContain('id_rsa')
    expect(String(logged?.data?.error)).toMatch(/\n\s+at /)
  })

  it('never throws, even for a channel with no handler', async () => {
    const { dispatch } = setup({})
    await expect(dispatch('tasks:list', {}, CALL)).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  })

  it('catches a reply that does not match the contract when outputs are checked', async () => {
    const { dispatch, lines } = setup({ 'tasks:list': () => [{ id: 'x', title: 42 }] })
    const result = await dispatch('tasks:list', {}, CALL)
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    if (result.ok) return
    expect(result.error.message).toMatch(/reply to tasks:list does not match the contract/)
    const logged = lines.find((l) => l.msg === 'reply does not match the contract')
    expect(logged?.data?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: '0.title' })]))
  })

  it('lets a matching reply through when outputs are checked', async () => {
    const task = { id: 'x', title: 'Launch', state: 'running', progress: null, message: null, cancellable: false, startedAt: 1, finishedAt: null, subject: null }
    const { dispatch } = setup({ 'tasks:list': () => [task] })
    expect(await dispatch('tasks:list', {}, CALL)).toEqual({ ok: true, value: [task] })
  })

  it('does not check replies when told not to', async () => {
    const { dispatch } = setup({ 'tasks:list': () => ({ not: 'an array' }) }, false)
    expect(await dispatch('tasks:list', {}, CALL)).toEqual({ ok: true, value: { not: 'an array' } })
  })
})
