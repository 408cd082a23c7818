import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { SecretStore } from '../ports'

export const SECRETS_FILE = 'secrets.json'
const FILE_MODE = 0o600

type SecretMap = Record<string, string>

/**
 * Secrets for servers and the CLI, where no OS secret store is at hand (architecture.md §4): a JSON
 * map in `<dataDir>/secrets.json`, mode 0600, replaced atomically on every change. The values are
 * clear text; the file's permissions are all that protects them, and `description` says so.
 */
export class FileSecretStore implements SecretStore {
  readonly encrypted = false
  readonly description: string
  private readonly file: string
  /** Writes run one after another, so two concurrent `set`s cannot lose each other's value. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly dataDir: string) {
    this.file = join(dataDir, SECRETS_FILE)
    this.description =
      `Secrets are kept in clear text in ${this.file}, protected only by its file permissions (owner read/write). ` +
      'Anyone who can read that file, or a backup of it, can read them.'
  }

  async get(id: string): Promise<string | null> {
    await this.queue
    return (await this.read())[id] ?? null
  }

  set(id: string, value: string): Promise<void> {
    return this.change((secrets) => {
      secrets[id] = value
      return true
    })
  }

  delete(id: string): Promise<void> {
    return this.change((secrets) => {
      if (!(id in secrets)) return false
      delete secrets[id]
      return true
    })
  }

  private change(apply: (secrets: SecretMap) => boolean): Promise<void> {
    const next = this.queue.then(async () => {
      const secrets = await this.read()
      if (apply(secrets)) await this.write(secrets)
    })
    // A failed write must not block the ones after it; the caller still sees its own failure.
    this.queue = next.catch(() => undefined)
    return next
  }

  private async read(): Promise<SecretMap> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null) as SecretMap
      throw err
    }
    // Refuse rather than start afresh: overwriting a damaged file would lose every secret in it.
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error(`${this.file} is not valid JSON; fix or remove it (its secrets would be lost).`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw new Error(`${this.file} is not a map of secret ids to strings; fix or remove it.`)
    }
    return Object.assign(Object.create(null) as SecretMap, parsed)
  }

  /** Temp file (created 0600, flushed to disk) then rename: a crash leaves the old file or the new, never a torn one. */
  private async write(secrets: SecretMap): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 })
    const temp = join(this.dataDir, `.${SECRETS_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    const handle = await open(temp, 'wx', FILE_MODE)
    try {
      await handle.writeFile(`${JSON.stringify(secrets, null, 2)}\n`, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await rename(temp, this.file)
    } catch (err) {
      await unlink(temp).catch(() => undefined)
      throw err
    }
  }
}
