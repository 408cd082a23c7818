import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { safeStorage } from 'electron'
import { AppError } from '../../shared/errors'
import type { SecretStore } from '../core/ports'

/**
 * The file, in the data directory, that holds the desktop's (encrypted) values; rows in the store hold
 * only ids. Not the server's `secrets.json` (clear text, core/secrets/file-secret-store.ts): the two
 * faces share the data directory, and only the desktop can decrypt what safeStorage encrypted.
 */
export const SECRETS_FILE = 'desktop-secrets.json'

type Scheme = 'safeStorage' | 'plain'

interface SecretsFile {
  version: 1
  /** id → value: `safeStorage` = bytes from safeStorage, `plain` = UTF-8 text; base64 either way. */
  secrets: Record<string, { scheme: Scheme; data: string }>
}

/**
 * A SecretStore on Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). Where safeStorage only
 * has its clear-text fallback (Linux without a keyring: backend `basic_text`, a built-in key) or no
 * encryption at all, the store still works but says so: `encrypted: false` and a warning in
 * `description`. The file is always mode 0600. Call after `app` is ready.
 */
export async function createSafeStorageSecretStore(
  dataDir: string,
  platform: NodeJS.Platform = process.platform,
): Promise<SecretStore> {
  const file = join(dataDir, SECRETS_FILE)
  const canEncrypt = await safeStorage.isAsyncEncryptionAvailable()
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null
  const onlyObfuscated = canEncrypt && backend === 'basic_text'

  const description = !canEncrypt
    ? `WARNING: the OS secret store is not available; secrets are kept in clear text in ${file} (mode 0600)`
    : onlyObfuscated
      ? `WARNING: no OS keyring was found (safeStorage backend "basic_text"); secrets in ${file} are only obfuscated with a built-in key and protected by file mode 0600`
      : `OS secret store (Electron safeStorage${backend ? `, ${backend}` : ''}); encrypted values in ${file}`

  // Writes are read-modify-write of one file: run them one after another so none is lost.
  let writes: Promise<unknown> = Promise.resolve()
  const serialise = <T>(work: () => Promise<T>): Promise<T> => {
    const next = writes.then(work, work)
    writes = next.catch(() => undefined)
    return next
  }

  async function encode(value: string): Promise<{ scheme: Scheme; data: string }> {
    if (!canEncrypt) return { scheme: 'plain', data: Buffer.from(value, 'utf8').toString('base64') }
    return { scheme: 'safeStorage', data: (await safeStorage.encryptStringAsync(value)).toString('base64') }
  }

  async function update(change: (secrets: SecretsFile['secrets']) => Promise<void>): Promise<void> {
    const content = await readSecretsFile(file)
    await change(content.secrets)
    await writeSecretsFile(dataDir, file, content)
  }

  return {
    description,
    encrypted: canEncrypt && !onlyObfuscated,

    async get(id) {
      const entry = (await readSecretsFile(file)).secrets[id]
      if (!entry) return null
      const bytes = Buffer.from(entry.data, 'base64')
      if (entry.scheme === 'plain') return bytes.toString('utf8')
      if (!canEncrypt) {
        throw new AppError('UNAVAILABLE', `secret ${id} was encrypted by the OS secret store, which is not available now`)
      }
      const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(bytes)
      if (shouldReEncrypt) {
        await serialise(() => update(async (secrets) => void (secrets[id] = await encode(result))))
      }
      return result
    },

    set(id, value) {
      return serialise(() => update(async (secrets) => void (secrets[id] = await encode(value))))
    },

    delete(id) {
      return serialise(() => update(async (secrets) => void delete secrets[id]))
    },
  }
}

async function readSecretsFile(file: string): Promise<SecretsFile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, secrets: {} }
    throw err
  }
  try {
    const parsed = JSON.parse(text) as Partial<SecretsFile>
    if (parsed.version !== 1 || typeof parsed.secrets !== 'object' || parsed.secrets === null) throw new Error('unknown layout')
    return { version: 1, secrets: parsed.secrets }
  } catch (err) {
    throw new AppError('INTERNAL', `the secrets file ${file} is damaged (${(err as Error).message})`)
  }
}

/** Written to a temporary file first, so a crash never leaves half a file; 0600 from the first byte. */
async function writeSecretsFile(dataDir: string, file: string, content: SecretsFile): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const temporary = `${file}.${process.pid}.tmp`
  const handle = await open(temporary, 'w', 0o600)
  try {
    await handle.chmod(0o600) // the file may be left over from a crash, with other permissions
    await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(temporary, file)
}
