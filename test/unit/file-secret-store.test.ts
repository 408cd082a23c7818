import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileSecretStore, SECRETS_FILE } from '../../electron/core/secrets/file-secret-store'

describe('FileSecretStore', () => {
  let dataDir: string
  let file: string
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'poms-secrets-')), 'data')
    file = join(dataDir, SECRETS_FILE)
  })
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }))

  it('says plainly that it keeps secrets in clear text behind file permissions', () => {
    const store = new FileSecretStore(dataDir)
    expect(store.encrypted).toBe(false)
    expect(store.description).toMatch(/clear text/)
    expect(store.description).toMatch(/permissions/)
    expect(store.description).toContain(file)
  })

  it('answers null for a secret it does not have, without creating the file', async () => {
    expect(await new FileSecretStore(dataDir).get('nope')).toBeNull()
    expect(() => statSync(file)).toThrow()
  })

  it('keeps values in secrets.json, mode 0600, readable by a later instance', async () => {
    await new FileSecretStore(dataDir).set('ssh-key-1', 'passphrase with spaces & "quotes"')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'ssh-key-1': 'passphrase with spaces & "quotes"' })
    expect(await new FileSecretStore(dataDir).get('ssh-key-1')).toBe('passphrase with spaces & "quotes"')
  })

  it('replaces and deletes values, leaving no temp files behind', async () => {
    const store = new FileSecretStore(dataDir)
    await store.set('a', '1')
    await store.set('b', '2')
    await store.set('a', '3')
    await store.delete('b')
    await store.delete('never-there')
    expect(await store.get('a')).toBe('3')
    expect(await store.get('b')).toBeNull()
    expect(readdirSync(dataDir)).toEqual([SECRETS_FILE])
  })

  it('loses no value when many writes run at once', async () => {
    const store = new FileSecretStore(dataDir)
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.set(`id-${i}`, `value-${i}`)))
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
    expect(Object.keys(saved)).toHaveLength(25)
    expect(await store.get('id-17')).toBe('value-17')
  })

  it('refuses to overwrite a damaged file (it would lose every secret in it)', async () => {
    await new FileSecretStore(dataDir).set('a', '1')
    writeFileSync(file, '{"a": "1", broken')
    const store = new FileSecretStore(dataDir)
    await expect(store.set('b', '2')).rejects.toThrow(/not valid JSON/)
    await expect(store.get('a')).rejects.toThrow(/not valid JSON/)
    expect(readFileSync(file, 'utf8')).toBe('{"a": "1", broken')
    writeFileSync(file, '{"a": 5}')
    await expect(store.get('a')).rejects.toThrow(/map of secret ids to strings/)
  })

  it('keeps working after a failed write', async () => {
    const store = new FileSecretStore(dataDir)
    await store.set('a', '1')
    writeFileSync(file, 'broken')
    await expect(store.set('b', '2')).rejects.toThrow()
    writeFileSync(file, '{}')
    await store.set('c', '3')
    expect(await store.get('c')).toBe('3')
  })
})
