import { startServices, type ServiceState } from '../services/services'

/** Where the end-to-end specs find the HTCondor test host: JSON of a ServiceState, set before any worker starts. */
export const CONDOR_STATE_ENV = 'POMS_E2E_CONDOR'

/** The HTCondor chroot serves one run at a time; another run (the integration tests) may hold it for a while. */
const BUSY = /in use by another test run/
const WAIT_FOR_CHROOT_MS = 15 * 60_000
const RETRY_EVERY_MS = 20_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Playwright globalSetup: starts the loopback HTCondor host (test/services/condor.sh) once for the
 * run and stops exactly what it started afterwards. A host that cannot start is recorded with its
 * reason: the specs that need it fail with that reason (never skipped); the others still run.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const deadline = Date.now() + WAIT_FOR_CHROOT_MS
  for (;;) {
    const started = await startServices(['condor'])
    const state: ServiceState = started.states.condor ?? { ok: false, error: 'condor: startServices gave no answer' }
    if (state.ok) {
      process.env[CONDOR_STATE_ENV] = JSON.stringify(state)
      return () => started.stop()
    }
    // Stops only what this attempt claimed and started (condor.sh down leaves another run's host alone).
    await started.stop()
    if (BUSY.test(state.error) && Date.now() < deadline) {
      console.warn(`[e2e] ${state.error}; trying again in ${RETRY_EVERY_MS / 1000} s`)
      await sleep(RETRY_EVERY_MS)
      continue
    }
    console.error(`\n[e2e] THE HTCONDOR TEST HOST DID NOT START — the specs that need it will fail:\n  ${state.error}\n`)
    process.env[CONDOR_STATE_ENV] = JSON.stringify(state)
    return async () => {}
  }
}
