import type { Database } from 'better-sqlite3'
import type { Experiment, Membership, User } from '../../../../shared/domain/experiment'
import type { Role } from '../../../../shared/domain/roles'
import { newId } from '../ids'
import { toBool } from '../row-codec'

const toExperiment = (r: Record<string, unknown>): Experiment => ({
  id: r.id as string,
  name: r.name as string,
  displayName: r.display_name as string,
  dataHandler: r.data_handler as Experiment['dataHandler'],
  active: toBool(r.active),
  rev: r.rev as number,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
})

const toUser = (r: Record<string, unknown>): User => ({
  id: r.id as string,
  username: r.username as string,
  displayName: r.display_name as string,
  root: toBool(r.root),
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
})

/** Experiments, users and memberships: who may do what where. */
export function createExperimentRepo(db: Database) {
  const listExperiments = db.prepare('SELECT * FROM experiments WHERE deleted_at IS NULL ORDER BY name')
  const getExperiment = db.prepare('SELECT * FROM experiments WHERE name = ? AND deleted_at IS NULL')
  const insertExperiment = db.prepare(
    'INSERT INTO experiments (id, name, display_name, data_handler, active, created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)',
  )
  const getUser = db.prepare('SELECT * FROM users WHERE username = ? AND deleted_at IS NULL')
  const insertUser = db.prepare('INSERT INTO users (id, username, display_name, root, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
  const membershipsOf = db.prepare(
    'SELECT m.experiment, m.username, m.role FROM memberships m JOIN experiments e ON e.name = m.experiment ' +
      'WHERE m.username = ? AND m.deleted_at IS NULL AND e.deleted_at IS NULL ORDER BY m.experiment',
  )
  const membership = db.prepare('SELECT role FROM memberships WHERE experiment = ? AND username = ? AND deleted_at IS NULL').pluck()
  const upsertMembership = db.prepare(
    'INSERT INTO memberships (id, experiment, username, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ' +
      'ON CONFLICT (experiment, username) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at, rev = rev + 1, deleted_at = NULL',
  )
  const countExperiments = db.prepare('SELECT count(*) FROM experiments').pluck()

  return {
    listExperiments: (): Experiment[] => (listExperiments.all() as Record<string, unknown>[]).map(toExperiment),
    getExperiment: (name: string): Experiment | null => {
      const row = getExperiment.get(name) as Record<string, unknown> | undefined
      return row ? toExperiment(row) : null
    },
    insertExperiment(e: { name: string; displayName: string; dataHandler: Experiment['dataHandler'] }, now: number): void {
      insertExperiment.run(newId(), e.name, e.displayName, e.dataHandler, now, now)
    },
    isEmpty: (): boolean => (countExperiments.get() as number) === 0,
    getUser: (username: string): User | null => {
      const row = getUser.get(username) as Record<string, unknown> | undefined
      return row ? toUser(row) : null
    },
    insertUser(u: { username: string; displayName: string; root: boolean }, now: number): void {
      insertUser.run(newId(), u.username, u.displayName, u.root ? 1 : 0, now, now)
    },
    membershipsOf: (username: string): Membership[] => membershipsOf.all(username) as Membership[],
    roleIn: (experiment: string, username: string): Role | null => (membership.get(experiment, username) as Role | undefined) ?? null,
    setMembership(experiment: string, username: string, role: Role, now: number): void {
      upsertMembership.run(newId(), experiment, username, role, now, now)
    },
  }
}
export type ExperimentRepo = ReturnType<typeof createExperimentRepo>
