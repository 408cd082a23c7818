import type { Database } from 'better-sqlite3'
import type { LoginSetup } from '../../../../shared/domain/login-setup'
import { createEntityTable, createNameIndex } from '../entity-table'

export function createLoginSetupRepo(db: Database) {
  const table = createEntityTable<LoginSetup>(db, {
    table: 'login_setups',
    shortIdKind: 'loginSetup',
    label: 'login setup',
    nameScope: 'experiment',
    fields: {
      name: { column: 'name' },
      backend: { column: 'backend' },
      host: { column: 'host' },
      port: { column: 'port' },
      account: { column: 'account' },
      setup: { column: 'setup' },
      hostTimezone: { column: 'host_timezone' },
      active: { column: 'active', codec: 'bool' },
      authMethod: { column: 'auth_method' },
      keyFile: { column: 'key_file' },
      secretRef: { column: 'secret_ref' },
    },
  })
  const setSecretRef = db.prepare('UPDATE login_setups SET secret_ref = ?, updater = ?, updated_at = ?, rev = rev + 1 WHERE id = ?')
  return {
    ...table,
    ...createNameIndex(db, 'login_setups', table.decode),
    /** Records which secret-store entry holds this setup's key material (never the material itself). */
    setSecretRef: (id: string, ref: string | null, updater: string, now: number): void => {
      setSecretRef.run(ref, updater, now, id)
    },
  }
}
export type LoginSetupRepo = ReturnType<typeof createLoginSetupRepo>
