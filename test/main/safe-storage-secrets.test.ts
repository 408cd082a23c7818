import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { FileSecretStore } from '../../electron/core/secrets/file-secret-store'
import { createSafeStorageSecretStore, SECRETS_FILE } from '../../electron/main/safe-storage-secrets'
import { fakeSafeStorage } from '../setup/electron-mock'

const PASSPHRASE = 'correct horse battery staple'
let dataDir: string

beforeEach(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'poms-secrets-')), 'data')
})
afterEach(async () => {
  await rm(join(dataDir, '..'), { recursive: true, force: true })
})

const secretsFile = () => join(dataDir, SECRETS_FILE)

describe('secret store on safeStorage with an OS keyring', () => {
  it('round-trips values and forgets deleted ones', async () => {
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    expect(await store.get('ssh-key:novagpvm01')).toBeNull()
    await store.set('ssh-key:novagpvm01', PASSPHRASE)
    await store.set('token:sam', 'ünïcödé ✓ token')
    expect(await store.get('ssh-key:novagpvm01')).toBe(PASSPHRASE)
    expect(await store.get('token:sam')).toBe('ünïcödé ✓ token')
    await store.delete('ssh-key:novagpvm01')
    expect(await store.get('ssh-key:novagpvm01')).toBeNull()
    expect(await store.get('token:sam')).toBe('ünïcödé ✓ token')
  })

  it('keeps only encrypted bytes on disk, in a mode-0600 file', async () => {
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    await store.set('ssh-key:novagpvm01', PASSPHRASE)
    expect((await stat(secretsFile())).mode & 0o777).toBe(0o600)
    const text = await readFile(secretsFile(), 'utf8')
    expect(text).not.toContain(PASSPHRASE)
    expect(text).not.toContain(Buffer.from(PASSPHRASE).toString('base64'))
    expect(JSON.parse(text).secrets['ssh-key:novagpvm01'].scheme).toBe('safeStorage')
    expect(fakeSafeStorage.encryptStringAsync).toHaveBeenCalledWith(PASSPHRASE)
  })

  it('says it encrypts, and with which backend', async () => {
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    expect(store.encrypted).toBe(true)
    expect(store.description).toContain('gnome_libsecret')
    expect(store.description).not.toMatch(/WARNING/)
  })

  it('loses no value when many are written at once', async () => {
    const store = await createSafeStorageSecretStore(dataDir, 'darwin')
    const ids = Array.from({ length: 25 }, (_, i) => `token:${i}`)
    await Promise.all(ids.map((id) => store.set(id, `value ${id}`)))
    for (const id of ids) expect(await store.get(id)).toBe(`value ${id}`)
  })

  it('re-encrypts a value when safeStorage asks for it (key rotation)', async () => {
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    await store.set('token:sam', PASSPHRASE)
    const before = await readFile(secretsFile(), 'utf8')
    fakeSafeStorage.decryptStringAsync.mockResolvedValueOnce({ shouldReEncrypt: true, result: PASSPHRASE })
    fakeSafeStorage.encryptStringAsync.mockResolvedValueOnce(Buffer.from('sealed:rotated'))
    expect(await store.get('token:sam')).toBe(PASSPHRASE)
    const after = JSON.parse(await readFile(secretsFile(), 'utf8'))
    expect(after.secrets['token:sam'].data).toBe(Buffer.from('sealed:rotated').toString('base64'))
    expect(after).not.toEqual(JSON.parse(before))
  })

  it("lives beside the server's clear-text secrets.json without touching it", async () => {
    const server = new FileSecretStore(dataDir)
    await server.set('token:sam', 'server value')
    const desktop = await createSafeStorageSecretStore(dataDir, 'linux')
    await desktop.set('token:sam', PASSPHRASE)
    expect(await desktop.get('token:sam')).toBe(PASSPHRASE)
    expect(await server.get('token:sam')).toBe('server value')
    expect(JSON.parse(await readFile(join(dataDir, 'secrets.json'), 'utf8'))).toEqual({ 'token:sam': 'server value' })
  })

  it('reports a damaged secrets file instead of treating it as empty', async () => {
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    await store.set('a', 'b')
    await writeFile(secretsFile(), '{ not json')
    await expect(store.get('a')).rejects.toMatchObject({ code: 'INTERNAL' })
    await expect(store.set('c', 'd')).rejects.toBeInstanceOf(AppError)
  })
})

describe("secret store on safeStorage's clear-text fallback", () => {
  it('flags the Linux basic_text backend as not encrypted, with a warning, and still works', async () => {
    fakeSafeStorage.getSelectedStorageBackend.mockReturnValue('basic_text')
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    expect(store.encrypted).toBe(false)
    expect(store.description).toMatch(/WARNING/)
    expect(store.description).toContain('basic_text')
    await store.set('token:sam', PASSPHRASE)
    expect(await store.get('token:sam')).toBe(PASSPHRASE)
    expect((await stat(secretsFile())).mode & 0o777).toBe(0o600)
  })

  it('only asks for the backend on Linux (where the fallback exists)', async () => {
    fakeSafeStorage.getSelectedStorageBackend.mockReturnValue('basic_text')
    const store = await createSafeStorageSecretStore(dataDir, 'win32')
    expect(store.encrypted).toBe(true)
    expect(fakeSafeStorage.getSelectedStorageBackend).not.toHaveBeenCalled()
  })

  it('keeps values in clear text (mode 0600) with a warning when there is no encryption at all', async () => {
    fakeSafeStorage.isAsyncEncryptionAvailable.mockResolvedValue(false)
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    expect(store.encrypted).toBe(false)
    expect(store.description).toMatch(/WARNING.*clear text/)
    await store.set('token:sam', PASSPHRASE)
    expect(await store.get('token:sam')).toBe(PASSPHRASE)
    expect(fakeSafeStorage.encryptStringAsync).not.toHaveBeenCalled()
    expect(JSON.parse(await readFile(secretsFile(), 'utf8')).secrets['token:sam'].scheme).toBe('plain')
    expect((await stat(secretsFile())).mode & 0o777).toBe(0o600)
  })

  it('refuses, rather than returning garbage, a value encrypted earlier when encryption has gone away', async () => {
    await (await createSafeStorageSecretStore(dataDir, 'linux')).set('token:sam', PASSPHRASE)
    fakeSafeStorage.isAsyncEncryptionAvailable.mockResolvedValue(false)
    const store = await createSafeStorageSecretStore(dataDir, 'linux')
    await expect(store.get('token:sam')).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
