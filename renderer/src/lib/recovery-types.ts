import { RECOVERY_TYPES, type RecoveryType } from '../../../shared/domain/job-type'

/** What each recovery type takes, in one line (poms-reference.md §5.1). */
export const RECOVERY_TYPE_MEANINGS: Readonly<Record<RecoveryType, string>> = {
  consumed_status: 'Files of the project’s snapshot that were not marked consumed.',
  process_status: 'Like consumed_status, and also files whose processes reported failure.',
  added_files: 'Files added to the input dataset since the project’s snapshot was taken.',
  delivered_not_consumed: 'Files that were delivered to a job but never consumed.',
  pending_files: 'Input files that have no output children of this software version yet.',
}

export const RECOVERY_TYPE_OPTIONS = RECOVERY_TYPES.map((type) => ({ type, meaning: RECOVERY_TYPE_MEANINGS[type] }))
