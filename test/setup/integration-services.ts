import type { TestProject } from 'vitest/node'
import { SERVICE_NAMES, startServices, type ServiceName, type ServiceState } from '../services/services'

declare module 'vitest' {
  export interface ProvidedContext {
    services: Record<ServiceName, ServiceState>
  }
}

/**
 * Starts the test hosts once for the integration project and stops them (by pid) afterwards. A host
 * that cannot start is recorded with its reason: every test that needs it then fails with that
 * reason (test/helpers/services.ts requireService), nothing is skipped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // A developer may start only some hosts (POMS_TEST_SERVICES=sshd,slurm); tests needing the others then fail, saying why.
  const only = process.env.POMS_TEST_SERVICES?.split(',').map((s) => s.trim())
  const wanted = SERVICE_NAMES.filter((n) => !only || only.includes(n))
  const started = await startServices(wanted)
  const notStarted: ServiceState = { ok: false, error: `not started: POMS_TEST_SERVICES=${process.env.POMS_TEST_SERVICES ?? ''}` }
  const services = Object.fromEntries(SERVICE_NAMES.map((n) => [n, started.states[n] ?? notStarted])) as Record<ServiceName, ServiceState>
  project.provide('services', services)
  return () => started.stop()
}
