import type { DataDispatcherClient } from './data-dispatcher-client'
import type { MetacatClient } from './metacat-client'
import type { RucioClient } from './rucio-client'
import type { SplitServices } from './splits'

/** Settings of the projects the handler creates (POMS's per-stage Data Dispatcher settings). */
export interface ProjectDefaults {
  /** Seconds without activity before Data Dispatcher abandons a project; POMS's default is 259200 (3 days). */
  idleTimeout: number | null
  /** Seconds before a reservation is released (null: never; POMS passes 0, which Data Dispatcher also treats as none). */
  workerTimeout: number | null
  /** Hand out files without waiting for replicas. */
  virtual: boolean
  loadLimit: number | null
}

/** Everything the handler's operations share. */
export interface HandlerServices extends SplitServices {
  metacat: MetacatClient
  dd: DataDispatcherClient
  /** Only for the `unknown` count (files with no replica); Data Dispatcher's own replica view otherwise. */
  rucio: RucioClient | null
  project: ProjectDefaults
  /** Metadata key of the software version outputs carry (pending_files); null: do not filter on it. */
  versionKey: string | null
  /** Where generator stages' jobs declare `poms_depends_<sid>_<i>` themselves. */
  dependsNamespace: (experiment: string) => string
}

/** POMS's attributes on the projects it creates (its own table holds them; Data Dispatcher's attributes hold ours). */
export const PROJECT_ATTR = {
  name: 'poms_project_name',
  submission: 'poms_submission_id',
  experiment: 'poms_experiment',
  stage: 'poms_stage',
} as const
