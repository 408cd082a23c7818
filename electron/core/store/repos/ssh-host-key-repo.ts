import type { Database } from 'better-sqlite3'
import type { HostKeyStore } from '../../ssh/host-keys'
import type { HostKeyDetails } from '../../ssh/ssh-errors'

export interface PinnedHostKey {
  host: string
  port: number
  keyType: string
  fingerprint: string
  pinnedAt: number
  pinnedBy: string
}

/** Host keys people confirmed; the SSH layer refuses every other key (ssh/host-keys.ts). */
export function createSshHostKeyRepo(db: Database) {
  const get = db.prepare('SELECT key_type AS keyType, fingerprint FROM ssh_host_keys WHERE host = ? AND port = ?')
  const upsert = db.prepare(
    'INSERT INTO ssh_host_keys (host, port, key_type, fingerprint, pinned_at, pinned_by) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (host, port) DO UPDATE SET key_type = excluded.key_type, fingerprint = excluded.fingerprint, pinned_at = excluded.pinned_at, pinned_by = excluded.pinned_by',
  )
  const list = db.prepare('SELECT host, port, key_type AS keyType, fingerprint, pinned_at AS pinnedAt, pinned_by AS pinnedBy FROM ssh_host_keys ORDER BY host, port')
  const remove = db.prepare('DELETE FROM ssh_host_keys WHERE host = ? AND port = ?')
  return {
    get: (host: string, port: number) => (get.get(host, port) as { keyType: string; fingerprint: string } | undefined) ?? null,
    pin: (key: HostKeyDetails, by: string, now: number): void => {
      upsert.run(key.host, key.port, key.keyType, key.fingerprint, now, by)
    },
    list: (): PinnedHostKey[] => list.all() as PinnedHostKey[],
    forget: (host: string, port: number): boolean => remove.run(host, port).changes > 0,
    /** The view the SSH layer verifies against; pinning happens only through a person's confirmation. */
    asStore(): HostKeyStore {
      return {
        get: (host, port) => (get.get(host, port) as { keyType: string; fingerprint: string } | undefined) ?? null,
        pin: () => {
          throw new Error('host keys are pinned by a person (sshHosts:trust), never by the connection')
        },
      }
    },
  }
}
export type SshHostKeyRepo = ReturnType<typeof createSshHostKeyRepo>
