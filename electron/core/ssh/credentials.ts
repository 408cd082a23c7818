import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { SecretStore } from '../ports'
import { SshError } from './ssh-errors'
import type { SshCredentials } from './ssh-pool'

/** Secret-store entries of a login setup: `<ref>:key` (stored private key) and `<ref>:passphrase`. */
export const secretIds = (ref: string) => ({ key: `${ref}:key`, passphrase: `${ref}:passphrase` })

const expandHome = (path: string): string => (path === '~' ? homedir() : path.startsWith('~/') ? join(homedir(), path.slice(2)) : path)

/**
 * The SSH credentials of a login setup: the user's agent, a key file on this machine, or a key kept
 * in the secret store — with its passphrase from the secret store when there is one. Key material is
 * read when a connection opens and never stored in SQLite, logs or snapshots.
 */
export async function credentialsFor(setup: Pick<LoginSetup, 'name' | 'authMethod' | 'keyFile' | 'secretRef'>, secrets: SecretStore, env: NodeJS.ProcessEnv = process.env): Promise<SshCredentials> {
  const passphrase = setup.secretRef ? ((await secrets.get(secretIds(setup.secretRef).passphrase)) ?? undefined) : undefined
  switch (setup.authMethod) {
    case 'agent':
      if (!env.SSH_AUTH_SOCK) throw new SshError('auth', `login setup ${setup.name} uses the ssh-agent, but no agent is running (SSH_AUTH_SOCK is not set)`)
      return { agent: env.SSH_AUTH_SOCK }
    case 'key-file': {
      const file = expandHome(setup.keyFile)
      const privateKey = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new SshError('auth', `login setup ${setup.name}: cannot read the key file ${file} (${err.code ?? err.message})`)
      })
      return { privateKey, passphrase }
    }
    case 'stored-key': {
      const privateKey = setup.secretRef ? await secrets.get(secretIds(setup.secretRef).key) : null
      if (!privateKey) throw new SshError('auth', `login setup ${setup.name} has no private key in the secret store yet`)
      return { privateKey, passphrase }
    }
  }
}
