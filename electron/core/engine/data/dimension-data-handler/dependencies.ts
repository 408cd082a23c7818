import { defname, dimsText } from '../../../../../shared/splits/dims'
import { dependencyName } from '../../../../../shared/splits/names'
import { dependencyQuery, passesDatasetOn } from '../../../../../shared/splits/submission-queries'
import type { DependencyDataset, SubmissionFacts } from '../data-handler'
import type { DimensionBackend } from '../dimension-backend'

/** `poms_depends_<sid>_<i>`, or the analysis variant carrying the stage creator's name (SAM requires it). */
export const dependencyDefinitionName = (facts: SubmissionFacts, index: number): string =>
  dependencyName(facts.submissionId, index, facts.creatorRole === 'analysis' ? facts.creator : null)

/** Files in a definition, or -1 when it does not exist (POMS's count of a missing definition). */
export async function definitionCount(backend: DimensionBackend, name: string): Promise<number> {
  return (await backend.describeDefinition(name)) === null ? -1 : backend.countFiles(dimsText(defname(name)))
}

/**
 * poms-reference.md §6.3: the dataset dependency number `index` of a finished upstream submission
 * passes on. Approval and data-transfer stages pass their dataset on; a generator, or a submission
 * without a project, is expected to have declared the definition in its jobs. Otherwise the
 * definition is (re)created only when the query now finds more files than it holds, so it grows
 * with the outputs of the upstream's recoveries.
 */
export async function dependencyDataset(
  backend: DimensionBackend,
  parent: SubmissionFacts,
  filePatterns: string,
  index: number,
  upstreamStageType: string,
): Promise<DependencyDataset> {
  const name = dependencyDefinitionName(parent, index)
  const current = await definitionCount(backend, name)
  if (!passesDatasetOn(upstreamStageType) && (upstreamStageType === 'generator' || parent.project === null)) {
    const why = upstreamStageType === 'generator' ? 'a generator stage' : 'a submission without a project'
    return { dataset: name, count: Math.max(current, 0), detail: `${name} is declared by the jobs of ${why}${current < 0 ? '; it does not exist yet' : ''}` }
  }
  const dims = dependencyQuery({ ...parent, upstreamStageType, filePatterns })
  const fresh = await backend.countFiles(dims)
  if (current >= fresh) return { dataset: name, count: current, detail: `kept ${name}: it holds ${current} files, the query finds ${fresh}: ${dims}` }
  await backend.createDefinition(name, dims)
  return { dataset: name, count: fresh, detail: `${current < 0 ? 'created' : 'recreated'} ${name} with ${fresh} files: ${dims}` }
}
