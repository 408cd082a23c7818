import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The test hosts the integration tests use; each has an up/down script beside this file. */
export const SERVICE_NAMES = ['sshd', 'slurm', 'condor'] as const
export type ServiceName = (typeof SERVICE_NAMES)[number]

/** What a started service wrote to its `<name>.env`, or why it could not start. */
export type ServiceState = { ok: true; env: Record<string, string> } | { ok: false; error: string }

function parseEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return env
}

const script = (name: ServiceName) => join(__dirname, `${name}.sh`)

/** Starts services in one state directory; each result says how to reach it or why it failed. */
export async function startServices(names: readonly ServiceName[], stateDir = mkdtempSync(join(tmpdir(), 'poms-services-'))) {
  const states: Partial<Record<ServiceName, ServiceState>> = {}
  for (const name of names) {
    try {
      await run('bash', [script(name), 'up', stateDir], { timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 })
      states[name] = { ok: true, env: parseEnvFile(join(stateDir, name, `${name}.env`)) }
    } catch (err) {
      const e = err as { stderr?: string; message: string }
      states[name] = { ok: false, error: `${name} could not start: ${(e.stderr || e.message).trim().split('\n').slice(-5).join(' / ')}` }
    }
  }
  return {
    stateDir,
    states,
    async stop(): Promise<void> {
      for (const name of [...names].reverse()) {
        await run('bash', [script(name), 'down', stateDir], { timeout: 120_000 }).catch(() => undefined)
      }
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}
