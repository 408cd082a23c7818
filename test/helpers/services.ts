import { inject } from 'vitest'
import type { ServiceName } from '../services/services'

/** The connection details of a test host started by the integration setup; fails the test if it is down. */
export function requireService(name: ServiceName): Record<string, string> {
  const state = inject('services')?.[name]
  if (!state) throw new Error(`the ${name} test host was not started (is this test in the integration project?)`)
  if (!state.ok) throw new Error(state.error)
  return state.env
}
