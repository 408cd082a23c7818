import { datasetDims, dimsText, isDimsText } from '../../../../../shared/splits/dims'
import { projectName } from '../../../../../shared/splits/names'
import { availableOutputQuery } from '../../../../../shared/splits/submission-queries'
import type { FileAccounting, SubmissionFacts } from '../data-handler'
import type { DimensionBackend } from '../dimension-backend'

/** Stage types whose launches read no input dataset, so no project tracks them. */
const NO_INPUT_STAGE_TYPES: ReadonlySet<string> = new Set(['generator', 'approval'])

/**
 * Starts the project a submission's jobs consume its dataset through (poms-reference.md §8.1,
 * protocols.md §1.6: jobs read SAM_PROJECT / SAM_PROJECT_NAME). A dataset that is a query gets a
 * definition of the project's name first; a dataset that is neither a query nor an existing
 * definition (a list value, a multiparam combination, from_parent) gets no project.
 */
export async function beginProject(backend: DimensionBackend, facts: SubmissionFacts): Promise<{ project: string | null; env: Record<string, string> }> {
  const dataset = facts.dataset.trim()
  const none = { project: null, env: {} }
  if (NO_INPUT_STAGE_TYPES.has(facts.stageType) || dataset === '') return none
  const name = projectName(facts.stageName, facts.shortId)
  let definition: string
  if (isDimsText(dataset)) {
    definition = name
    await backend.createDefinition(definition, dimsText(datasetDims(dataset)))
  } else if ((await backend.describeDefinition(dataset)) !== null) {
    definition = dataset
  } else {
    return none
  }
  const project = await backend.startProject(name, definition)
  return { project, env: { SAM_PROJECT: project, SAM_PROJECT_NAME: project, SAM_DATASET: definition } }
}

/**
 * poms-reference.md §8.3: the project's file counts, and the outputs as "Available output". Without
 * a project, or before the catalog knows it, nothing is known.
 */
export async function accounting(backend: DimensionBackend, facts: SubmissionFacts): Promise<FileAccounting> {
  const unknown: FileAccounting = { submitted: null, delivered: null, consumed: null, failed: null, skipped: null, unknown: null, outputs: null }
  if (facts.project === null) return unknown
  const summary = await backend.projectSummary(facts.project)
  if (summary === null) return unknown
  const consumed = summary.consumed + summary.completed
  return {
    submitted: summary.filesInSnapshot,
    delivered: consumed + summary.cancelled + summary.failed + summary.skipped + summary.delivered,
    consumed,
    failed: summary.failed,
    skipped: summary.skipped,
    unknown: summary.unknown,
    outputs: await backend.countFiles(availableOutputQuery({ ...facts, project: facts.project })),
  }
}
