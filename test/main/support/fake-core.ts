import { vi } from 'vitest'
import type { EventName } from '../../../shared/api/channels'
import type { CoreApi, CoreEventListener } from '../../../electron/core/core-api'
import type { Logger } from '../../../electron/core/ports'

/** A CoreApi whose calls are recorded and whose events the test fires by hand. */
export function createFakeCore(username = 'alice') {
  const listeners = new Set<CoreEventListener>()
  const core = {
    localUsername: username,
    dataDir: '/tmp/poms-test',
    dispatch: vi.fn(async (_channel: string, input: unknown) => ({ ok: true as const, value: { echoed: input } })),
    onEvent: vi.fn((listener: CoreEventListener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    }),
    close: vi.fn(async () => undefined),
  }
  const emit = (name: EventName, payload: unknown): void => {
    for (const listener of listeners) listener(name, payload)
  }
  return { core: core as typeof core & CoreApi, emit, listenerCount: () => listeners.size }
}

/** A Logger that remembers what it was told. */
export function createRecordingLogger() {
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = []
  const make = (): Logger => ({
    debug: (msg, data) => void lines.push({ level: 'debug', msg, data }),
    info: (msg, data) => void lines.push({ level: 'info', msg, data }),
    warn: (msg, data) => void lines.push({ level: 'warn', msg, data }),
    error: (msg, data) => void lines.push({ level: 'error', msg, data }),
    child: () => make(),
  })
  return { logger: make(), lines }
}
