import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Channel } from '../../shared/api/channels'
import type { Input, Output } from '../../shared/api/contract'
import type { SubmissionDetail } from '../../shared/domain/submission'
import type { SubmissionStatus } from '../../shared/domain/submission-status'
import { AppError } from '../../shared/errors'
import type { CallContext } from '../../electron/core/core-api'
import { createCore, type CoreOptions } from '../../electron/core/create-core'
import { silentLogger } from '../../electron/core/logging/logger'
import type { Ports, SecretStore } from '../../electron/core/ports'
import { systemClock } from '../../electron/core/ports'
import type { Migration } from '../../electron/core/store/migrate'
import { openStore, type Store } from '../../electron/core/store/open-store'

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

/** A store opened the way the core opens it, on a temp data directory unless one is given. */
export function openTestStore(opts: { dataDir?: string; migrations?: readonly Migration[]; purpose?: string } = {}): Store {
  return openStore({
    dataDir: opts.dataDir ?? tempDataDir('poms-store-'),
    clock: systemClock,
    logger: silentLogger,
    purpose: opts.purpose ?? 'vitest',
    migrations: opts.migrations,
  })
}

/** The pid of a process that has already exited (for stale-lock tests). */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  if (child.pid === undefined || child.status !== 0) throw new Error('could not run a short-lived child')
  return child.pid
}

/** A live process in another pid; `stop()` kills it by its pid and waits until it is gone. */
export function sleepingChild(seconds = 30): { pid: number; stop(): Promise<void> } {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' })
  if (child.pid === undefined) throw new Error('could not start sleep')
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/** True while a process with this pid exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export type CoreHarness = Awaited<ReturnType<typeof startCore>>

/** Statuses a submission rests in once nothing more is running for it. */
export const SETTLED_STATUSES: readonly SubmissionStatus[] = ['Completed', 'Failed', 'LaunchFailed', 'Cancelled', 'Located', 'Removed']

/** Polls submissions:get until `done` holds (by default: the submission has settled). */
export function waitForSubmission(
  h: CoreHarness,
  id: string,
  done: (detail: SubmissionDetail) => boolean = (d) => SETTLED_STATUSES.includes(d.submission.status),
  opts: { experiment?: string; timeoutMs?: number } = {},
): Promise<SubmissionDetail> {
  return waitFor(
    async () => {
      const detail = await h.call('submissions:get', { experiment: opts.experiment ?? 'demo', id })
      return done(detail) && detail
    },
    opts.timeoutMs ?? 30_000,
    `submission ${id}`,
  )
}

/** Pids of the live processes in a process group (Linux /proc), to prove a kill took a job's children too. */
export function processGroupMembers(pgid: number): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Fields after the parenthesised command: state, ppid, pgrp, …
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') pids.push(Number(entry))
    } catch {
      /* the process ended while we looked */
    }
  }
  return pids
}
