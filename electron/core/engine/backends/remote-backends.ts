import type { Clock, Logger } from '../../ports'
import type { SshPool } from '../../ssh/ssh-pool'
import type { Backend } from './backend'
import { createHtcondorBackend } from './htcondor/htcondor-backend'
import { createJobsubLiteBackend } from './jobsub-lite/jobsub-lite-backend'
import { createSlurmBackend } from './slurm/slurm-backend'

export interface RemoteBackendDeps {
  pool: SshPool
  clock: Clock
  logger: Logger
}

/** The three SSH backends (architecture.md §6), by kind, sharing one SSH pool. */
export function createRemoteBackends(deps: RemoteBackendDeps): Map<Backend['kind'], Backend> {
  return new Map(
    [createHtcondorBackend(deps), createJobsubLiteBackend(deps), createSlurmBackend(deps)].map((b) => [b.kind, b] as const),
  )
}
