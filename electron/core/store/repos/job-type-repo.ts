import type { Database } from 'better-sqlite3'
import type { JobType } from '../../../../shared/domain/job-type'
import { createEntityTable, createNameIndex } from '../entity-table'

export function createJobTypeRepo(db: Database) {
  const table = createEntityTable<JobType>(db, {
    table: 'job_types',
    shortIdKind: 'jobType',
    label: 'job type',
    nameScope: 'experiment',
    fields: {
      name: { column: 'name' },
      launchScript: { column: 'launch_script' },
      definitionParameters: { column: 'definition_parameters', codec: 'json' },
      outputFilePatterns: { column: 'output_file_patterns', codec: 'json' },
      recoveryPlan: { column: 'recovery_plan', codec: 'json' },
      active: { column: 'active', codec: 'bool' },
    },
  })
  return { ...table, ...createNameIndex(db, 'job_types', table.decode) }
}
export type JobTypeRepo = ReturnType<typeof createJobTypeRepo>
