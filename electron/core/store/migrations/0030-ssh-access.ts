import type { Migration } from '../migrate'

/** SSH access for remote login setups: how to authenticate, and the host keys people confirmed. */
export const m0030SshAccess: Migration = {
  version: 30,
  name: 'ssh-access',
  up: (db) =>
    db.exec(`
ALTER TABLE login_setups ADD COLUMN auth_method TEXT NOT NULL DEFAULT 'agent' CHECK (auth_method IN ('agent', 'key-file', 'stored-key'));
ALTER TABLE login_setups ADD COLUMN key_file TEXT NOT NULL DEFAULT '';
ALTER TABLE login_setups ADD COLUMN secret_ref TEXT;

-- Pinned host keys: a connection is refused unless the presented key matches (architecture.md §8).
CREATE TABLE ssh_host_keys (
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  key_type TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  pinned_at INTEGER NOT NULL,
  pinned_by TEXT NOT NULL,
  PRIMARY KEY (host, port)
) STRICT;
`),
}
