import { createHash } from 'node:crypto'
import { SshError, type HostKeyDetails } from './ssh-errors'

/** OpenSSH's SHA256 fingerprint of a raw public key blob. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`
}

/** The key type named at the start of an SSH wire-format key blob (`ssh-ed25519`, …). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown'
  const length = keyBlob.readUInt32BE(0)
  return length > 0 && length < 64 && keyBlob.length >= 4 + length ? keyBlob.subarray(4, 4 + length).toString('latin1') : 'unknown'
}

/** Pinned host keys: the store behind verification (SQLite in the app, memory in tests). */
export interface HostKeyStore {
  get(host: string, port: number): { keyType: string; fingerprint: string } | null
  pin(details: HostKeyDetails): void
}

/**
 * Verification policy: a pinned key must match exactly; an unknown key is refused until a person
 * confirms it (then pinned). Nothing is trusted silently.
 */
export function verifyHostKey(store: HostKeyStore, host: string, port: number, keyBlob: Buffer): void {
  const presented: HostKeyDetails = { host, port, keyType: keyTypeOf(keyBlob), fingerprint: fingerprintOf(keyBlob) }
  const pinned = store.get(host, port)
  if (!pinned) {
    throw new SshError(
      'host-key-unknown',
      `the host key of ${host}:${port} is not yet trusted: ${presented.keyType} ${presented.fingerprint}. Confirm it (compare with the host's administrator) to pin it.`,
      presented,
    )
  }
  if (pinned.fingerprint !== presented.fingerprint) {
    throw new SshError(
      'host-key-mismatch',
      `the host key of ${host}:${port} has CHANGED: pinned ${pinned.keyType} ${pinned.fingerprint}, presented ${presented.keyType} ${presented.fingerprint}. ` +
        'Refusing to connect; if the host was reinstalled, confirm the new key.',
      { ...presented, expected: pinned.fingerprint },
    )
  }
}

export function memoryHostKeyStore(initial: HostKeyDetails[] = []): HostKeyStore & { all(): HostKeyDetails[] } {
  const keys = new Map(initial.map((k) => [`${k.host}:${k.port}`, k]))
  return {
    get: (host, port) => keys.get(`${host}:${port}`) ?? null,
    pin: (details) => void keys.set(`${details.host}:${details.port}`, details),
    all: () => [...keys.values()],
  }
}
