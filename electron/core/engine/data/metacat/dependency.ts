import { dependencyName } from '../../../../../shared/splits/names'
import { DatasetError, type DependencyDataset, type SubmissionFacts } from '../data-handler'
import { fidList, mqlTimestamp, nest, patternCondition, where } from './mql-text'
import { loadProject, projectIdOf } from './project-files'
import type { HandlerServices } from './services'

/**
 * The dataset a dependent stage gets from a finished upstream submission (poms-reference.md §6.3,
 * DMRService.dependency_definition on POMS's develop branch): the children of the upstream
 * project's inputs made since it started, matching the dependency's file pattern.
 *
 * POMS's develop branch writes `parents:( fids … )` here (a SAM `ischildof` carried over) and has
 * its fid list and filter joining broken; the intent — outputs of the inputs — is `children(fids …)`.
 */
export async function dependencyDataset(svc: HandlerServices, parent: SubmissionFacts, filePatterns: string, index: number, upstreamStageType: string): Promise<DependencyDataset> {
  const name = dependencyName(parent.submissionId, index, parent.creatorRole === 'analysis' ? parent.creator : null)
  const id = projectIdOf(parent.project)
  if (id === null || upstreamStageType === 'generator') {
    // The upstream jobs are expected to have declared this dataset themselves.
    const dataset = `files from ${svc.dependsNamespace(parent.experiment)}:${name}`
    return { dataset, count: await svc.metacat.count(dataset), detail: `${name}: a ${upstreamStageType === 'generator' ? 'generator' : 'project-less'} upstream declares its outputs as ${dataset}` }
  }
  const { files } = await loadProject(svc.dd, svc.metacat, id)
  if (files.length === 0) throw new DatasetError(`upstream project ${id} has no files MetaCat knows, so dependency ${name} has no inputs to follow`)
  const inputs = fidList(files.map((f) => f.fid))
  let dataset: string
  let rule: string
  if (upstreamStageType === 'approval' || upstreamStageType === 'datatransfer') {
    // These stages pass their input through: the downstream gets the same files.
    dataset = inputs
    rule = `the ${upstreamStageType} stage's own files`
  } else {
    const pattern = patternCondition(filePatterns)
    dataset = where(nest('children', inputs, parent.outputAncestorDepth), [`created_timestamp > '${mqlTimestamp(parent.createdAt / 1000)}'`, ...(pattern ? [pattern] : [])])
    rule = `outputs of project ${id}'s ${files.length} inputs made since the submission started${pattern ? `, ${pattern}` : ''}`
  }
  return { dataset, count: await svc.metacat.count(dataset), detail: `${name}: ${rule}` }
}
