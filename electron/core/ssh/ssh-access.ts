import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { Logger, SecretStore } from '../ports'
import type { SshHostKeyRepo } from '../store/repos/ssh-host-key-repo'
import { credentialsFor } from './credentials'
import { SshError } from './ssh-errors'
import { createSshPool, type SshEndpoint, type SshPool } from './ssh-pool'

/** What the SSH layer needs to know about how to log in, frozen with a launch (no secrets). */
export type LoginAuth = Pick<LoginSetup, 'name' | 'authMethod' | 'keyFile' | 'secretRef'>

const keyOf = (e: SshEndpoint) => `${e.username}@${e.host}:${e.port}`

/**
 * The app's one SSH pool, with credentials looked up per endpoint from the login setup that uses
 * it (registered whenever the engine is about to talk to a host) and host keys from the store.
 */
export function createSshAccess(opts: { hostKeys: SshHostKeyRepo; secrets: SecretStore; logger: Logger; connectTimeoutMs?: number }) {
  const authByEndpoint = new Map<string, LoginAuth>()
  const pool: SshPool = createSshPool({
    hostKeys: opts.hostKeys.asStore(),
    logger: opts.logger.child('ssh'),
    connectTimeoutMs: opts.connectTimeoutMs,
    credentials: async (endpoint) => {
      const auth = authByEndpoint.get(keyOf(endpoint))
      if (!auth) throw new SshError('auth', `no login setup is known for ${keyOf(endpoint)}`)
      return credentialsFor(auth, opts.secrets)
    },
  })
  return {
    pool,
    /** Records which login setup's credentials open connections to this endpoint. */
    remember(endpoint: SshEndpoint, auth: LoginAuth): void {
      const key = keyOf(endpoint)
      const previous = authByEndpoint.get(key)
      authByEndpoint.set(key, auth)
      // A different way of logging in needs a fresh connection.
      if (previous && (previous.authMethod !== auth.authMethod || previous.keyFile !== auth.keyFile || previous.secretRef !== auth.secretRef)) {
        pool.disconnect(endpoint)
      }
    },
    close: () => pool.close(),
  }
}
export type SshAccess = ReturnType<typeof createSshAccess>
