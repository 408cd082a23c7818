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
    },
  })
  return { ...table, ...createNameIndex(db, 'login_setups', table.decode) }
}
export type LoginSetupRepo = ReturnType<typeof createLoginSetupRepo>
