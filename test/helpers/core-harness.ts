import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Channel } from '../../shared/api/channels'
import type { Input, Output } from '../../shared/api/contract'
import { AppError } from '../../shared/errors'
import type { CallContext } from '../../electron/core/core-api'
import { createCore, type CoreOptions } from '../../electron/core/create-core'
import { silentLogger } from '../../electron/core/logging/logger'
import type { Ports, SecretStore } from '../../electron/core/ports'
import { systemClock } from '../../electron/core/ports'

export const REPO_ROOT = resolve(__dirname, '..', '..')

export function memorySecrets(): SecretStore {
  const values = new Map<string, string>()
  return {
    description: 'in memory (tests)',
    encrypted: false,
    get: async (id) => values.get(id) ?? null,
    set: async (id, value) => void values.set(id, value),
    delete: async (id) => void values.delete(id),
  }
}

export function testPorts(dataDir: string, overrides: Partial<Ports> = {}): Ports {
  return {
    paths: { dataDir, resourcesDir: join(REPO_ROOT, 'resources') },
    secrets: memorySecrets(),
    clock: systemClock,
    logger: silentLogger,
    ...overrides,
  }
}

export const tempDataDir = (prefix = 'poms-test-'): string => mkdtempSync(join(tmpdir(), prefix))

/** A real core on a fresh data directory, with a typed `call` that throws AppError on failure. */
export async function startCore(opts: Partial<CoreOptions> & { dataDir?: string; ports?: Partial<Ports> } = {}) {
  const dataDir = opts.dataDir ?? tempDataDir()
  const core = await createCore(testPorts(dataDir, opts.ports), { purpose: 'vitest', pollIntervalMs: 200, ...opts })
  const ctx: CallContext = { username: core.localUsername, face: 'cli' }
  async function call<C extends Channel>(channel: C, input: Input<C>, as: CallContext = ctx): Promise<Output<C>> {
    const result = await core.dispatch(channel, input, as)
    if (!result.ok) throw AppError.fromWire(result.error)
    return result.value
  }
  return {
    core,
    dataDir,
    call,
    ctx,
    async stop(remove = true) {
      await core.close()
      if (remove) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
