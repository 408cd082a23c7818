import { computed, ref, shallowRef } from 'vue'
import type { ConnectionTest } from '../../../shared/api/contract'
import type { WireError } from '../../../shared/errors'
import { toAppError } from '../lib/errors'
import { useLoginSetupsStore } from '../stores/login-setups'
import { useSshHostsStore } from '../stores/ssh-hosts'
import { useToastsStore } from '../stores/toasts'

/**
 * "Test connection" for one login setup at a time: run the test, and when the host key is not yet
 * trusted (or changed), let the person confirm exactly the key that was shown, then test again.
 */
export function useConnectionTest() {
  const loginSetups = useLoginSetupsStore()
  const sshHosts = useSshHostsStore()
  const toasts = useToastsStore()

  /** The setup the shown result belongs to. */
  const setupId = ref<string | null>(null)
  const result = shallowRef<ConnectionTest | null>(null)
  const error = shallowRef<WireError | null>(null)
  const testing = ref(false)
  const trusting = ref(false)
  /** The person closed the host-key question without trusting; the result still says why it stopped. */
  const declined = ref(false)
  let newest = 0

  /** The key to confirm, while the question is open. */
  const hostKeyToConfirm = computed(() => (!testing.value && !declined.value ? (result.value?.hostKey ?? null) : null))

  async function run(id: string): Promise<void> {
    const request = ++newest
    setupId.value = id
    result.value = null
    error.value = null
    declined.value = false
    testing.value = true
    try {
      const answer = await loginSetups.testConnection(id)
      if (request === newest) result.value = answer
    } catch (thrown) {
      if (request === newest) error.value = toAppError(thrown).toWire()
    } finally {
      if (request === newest) testing.value = false
    }
  }

  /** Pins the key the dialog showed, then runs the test again with it. */
  async function trust(): Promise<void> {
    const key = hostKeyToConfirm.value
    const id = setupId.value
    if (!key || id === null) return
    trusting.value = true
    try {
      await sshHosts.trust(key)
      toasts.push('info', `Trusted the ${key.keyType} key of ${key.host}:${key.port}`, [key.fingerprint])
    } catch (thrown) {
      toasts.pushError(thrown)
      return
    } finally {
      trusting.value = false
    }
    await run(id)
  }

  function decline(): void {
    declined.value = true
  }

  function clear(): void {
    newest++
    setupId.value = null
    result.value = null
    error.value = null
    testing.value = false
    declined.value = false
  }

  return { setupId, result, error, testing, trusting, hostKeyToConfirm, run, trust, decline, clear }
}
