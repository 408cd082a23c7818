import type { RecoveryType } from '../../../../../shared/domain/job-type'
import { recoveryName } from '../../../../../shared/splits/names'
import {
  addedFilesQuery,
  consumedStatusRecoveryQuery,
  deliveredNotConsumedQuery,
  pendingFilesQuery,
  processStatusRecoveryQuery,
} from '../../../../../shared/splits/submission-queries'
import type { RecoveryDataset, SubmissionFacts } from '../data-handler'
import type { DimensionBackend } from '../dimension-backend'

export interface RecoveryOptions {
  /**
   * The recovery preview: count and list the files, create nothing. The dataset is then the query
   * itself, which countFiles/listFiles accept, since the definition does not exist.
   */
  preview?: boolean
  /** How many files a preview lists. */
  fileLimit?: number
}

const WHY: Record<RecoveryType, string> = {
  consumed_status: 'input files of the project not marked consumed or completed',
  process_status: "SAM's recovery dimensions for the project (files not consumed, or given to processes that failed)",
  added_files: 'files added to the input dataset after the project took its snapshot',
  delivered_not_consumed: 'files the project delivered that were not consumed',
  pending_files: 'input files without an output of every pattern from this software version yet',
}

/**
 * poms-reference.md §5.1: the files recovery `type` would reprocess for the submission `facts`
 * (whose project it is computed against — the engine picks which, §5.3). Only a real call with
 * files creates `poms_recover_<uuid>_<submission>_<position>`, named after the submission that owns
 * the recovery plan (the parent, when `facts` is itself a recovery). A failed count is an error
 * for the engine to retry, where POMS assumed one file and launched anyway.
 */
export async function recoveryDataset(
  backend: DimensionBackend,
  newId: () => string,
  facts: SubmissionFacts,
  type: RecoveryType,
  position: number,
  parent: SubmissionFacts | null,
  options: RecoveryOptions = {},
): Promise<RecoveryDataset> {
  const nothing = (detail: string): RecoveryDataset => ({ type, dataset: null, count: 0, files: options.preview ? [] : null, detail })
  const project = facts.project
  if (project === null) return nothing(`${type}: submission ${facts.shortId} has no project to recover against`)

  const dims = await recoveryQuery(backend, facts, project, type)
  if (dims === null) return nothing(`${type}: nothing to recover in project ${project}`)
  const count = await backend.countFiles(dims)
  const detail = `${type}: ${count} ${WHY[type]}: ${dims}`
  if (count === 0) return nothing(detail)
  if (options.preview) return { type, dataset: dims, count, files: await backend.listFiles(dims, options.fileLimit ?? 50), detail }
  const name = recoveryName(newId(), (parent ?? facts).submissionId, position)
  await backend.createDefinition(name, dims)
  return { type, dataset: name, count, files: null, detail }
}

async function recoveryQuery(backend: DimensionBackend, facts: SubmissionFacts, project: string, type: RecoveryType): Promise<string | null> {
  switch (type) {
    case 'consumed_status':
      return consumedStatusRecoveryQuery(project)
    case 'process_status': {
      // SAM answers an empty string when there is nothing to recover.
      const samDims = (await backend.recoveryDimensions(project, true)).trim()
      return samDims === '' ? null : processStatusRecoveryQuery(samDims)
    }
    case 'added_files': {
      const dataset = facts.dataset.trim() || (await backend.projectSummary(project))?.dataset
      return dataset ? addedFilesQuery(dataset, project) : null
    }
    case 'delivered_not_consumed':
      return deliveredNotConsumedQuery(project)
    case 'pending_files':
      return pendingFilesQuery({ ...facts, project })
  }
}
