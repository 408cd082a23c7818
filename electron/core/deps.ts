import type { Database } from 'better-sqlite3'
import type { EventBus } from './events'
import type { Clock, Logger, Paths, SecretStore } from './ports'
import type { Repos } from './store/repos'
import type { TaskRegistry } from './tasks/task-registry'

/** What services and the engine share; built once by createCore. */
export interface CoreDeps {
  db: Database
  repos: Repos
  clock: Clock
  logger: Logger
  events: EventBus
  tasks: TaskRegistry
  paths: Paths
  secrets: SecretStore
}
