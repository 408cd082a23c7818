import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { Session } from '../../../shared/api/contract'
import type { Role } from '../../../shared/domain/roles'
import { AppError, type WireError } from '../../../shared/errors'
import { useApi } from '../api'
import { toAppError } from '../lib/errors'
import { readPreference, writePreference } from '../lib/preferences'

export type SessionStatus = 'loading' | 'ready' | 'error' | 'unauthenticated'

/** What every experiment-scoped call carries. */
export interface Scope {
  experiment: string
  role: Role
}

const EXPERIMENT_PREFERENCE = 'experiment'

export const useSessionStore = defineStore('session', () => {
  const api = useApi()
  const session = shallowRef<Session | null>(null)
  const status = ref<SessionStatus>('loading')
  const error = shallowRef<WireError | null>(null)
  const experiment = ref<string | null>(null)
  const role = ref<Role | null>(null)

  const memberships = computed(() => session.value?.memberships ?? [])
  const membership = computed(() => memberships.value.find((m) => m.experiment === experiment.value) ?? null)
  const actingRoles = computed<Role[]>(() => membership.value?.actingRoles ?? [])
  const username = computed(() => session.value?.user.username ?? '')
  /**
   * Root, or a superuser of some experiment: the core lets only them pin or forget SSH host keys
   * and hold or allow every launch, since both affect the whole store.
   */
  const isStoreAdmin = computed(
    () => session.value !== null && (session.value.user.root || memberships.value.some((m) => m.role === 'superuser')),
  )
  const scope = computed<Scope | null>(() =>
    experiment.value !== null && role.value !== null ? { experiment: experiment.value, role: role.value } : null,
  )
  /** Changes whenever what the user may see changes; views refetch on it. */
  const scopeKey = computed(() => (scope.value ? `${scope.value.experiment}/${scope.value.role}` : ''))

  function requireScope(): Scope {
    if (!scope.value) throw new AppError('BAD_INPUT', 'Choose an experiment first: you are not acting in any experiment.')
    return scope.value
  }

  function selectExperiment(code: string): void {
    const chosen = memberships.value.find((m) => m.experiment === code)
    if (!chosen) return
    experiment.value = chosen.experiment
    role.value = chosen.role
    writePreference(EXPERIMENT_PREFERENCE, chosen.experiment)
  }

  function selectRole(next: Role): void {
    if (actingRoles.value.includes(next)) role.value = next
  }

  /** The remembered experiment if still a member, else the server's default, else the first. */
  function pickInitialExperiment(loaded: Session): string | null {
    const codes = loaded.memberships.map((m) => m.experiment)
    const remembered = readPreference(EXPERIMENT_PREFERENCE)
    if (remembered !== null && codes.includes(remembered)) return remembered
    if (loaded.defaultExperiment !== null && codes.includes(loaded.defaultExperiment)) return loaded.defaultExperiment
    return codes[0] ?? null
  }

  async function load(): Promise<void> {
    status.value = 'loading'
    try {
      const loaded = await api.call('session:get', {})
      session.value = loaded
      const initial = pickInitialExperiment(loaded)
      if (initial !== null) selectExperiment(initial)
      status.value = 'ready'
    } catch (thrown) {
      const failure = toAppError(thrown)
      error.value = failure.toWire()
      status.value = failure.code === 'UNAUTHENTICATED' ? 'unauthenticated' : 'error'
    }
  }

  // A token that stops working mid-session (rotated with `poms token --rotate`) ends the session.
  api.onError((failure) => {
    if (failure.code === 'UNAUTHENTICATED') {
      error.value = failure.toWire()
      status.value = 'unauthenticated'
    }
  })

  return {
    session,
    status,
    error,
    experiment,
    role,
    memberships,
    actingRoles,
    username,
    isStoreAdmin,
    scope,
    scopeKey,
    requireScope,
    selectExperiment,
    selectRole,
    load,
  }
})
