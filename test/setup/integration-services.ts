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
  const started = await startServices(SERVICE_NAMES)
  const services = Object.fromEntries(SERVICE_NAMES.map((n) => [n, started.states[n]!])) as Record<ServiceName, ServiceState>
  project.provide('services', services)
  return () => started.stop()
}
