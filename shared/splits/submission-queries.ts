import {
  and,
  childrenOf,
  consumedStatus,
  createdAfter,
  datasetDims,
  defname,
  dimsText,
  minus,
  or,
  outputPatternDims,
  outputPatternList,
  parentsOf,
  projectFiles,
  projectSnapshot,
  version,
  withAvailability,
} from './dims'

/**
 * The dimension queries POMS asks about a submission once its jobs ran (poms-reference.md §5.1,
 * §6.3, §7.2, §8.3), with its bugs fixed where noted. P is the submission's project, V its software
 * version, C when it was created; output patterns are nested `output_ancestor_depth` times.
 */
export interface SubmissionQueryFacts {
  project: string
  softwareVersion: string
  /** Epoch ms. */
  createdAt: number
  outputPatterns: readonly string[]
  outputAncestorDepth: number
}

/** §7.2: inputs of P with an output child of each pattern, of version V, made after C, with a physical copy. */
export function locatedOutputsQuery(f: SubmissionQueryFacts): string {
  const outputs = outputPatternList(f.outputPatterns).map((pattern) =>
    parentsOf(withAvailability(and(outputPatternDims(pattern), version(f.softwareVersion), createdAfter(f.createdAt)), 'physical'), f.outputAncestorDepth),
  )
  return dimsText(and(projectSnapshot(f.project), ...outputs))
}

/**
 * §8.3 "Available output": children of P's inputs made after C by version V. POMS overwrites the
 * query once per pattern, so only the last pattern counted; we count outputs of any pattern.
 */
export function availableOutputQuery(f: SubmissionQueryFacts): string {
  const patterns = outputPatternList(f.outputPatterns).map(outputPatternDims)
  return dimsText(and(childrenOf(projectSnapshot(f.project), f.outputAncestorDepth), createdAfter(f.createdAt), or(...patterns), version(f.softwareVersion)))
}

/** §5.1, the default type: P's input files not marked consumed or completed. */
export const consumedStatusRecoveryQuery = (project: string): string =>
  dimsText(minus(projectSnapshot(project), and(projectFiles(project), consumedStatus('co%'))))

/** §5.1 with the project filled in (POMS left a literal `%s` in the query). */
export const deliveredNotConsumedQuery = (project: string): string =>
  dimsText(and(projectFiles(project), consumedStatus('skipped', 'unknown', 'delivered', 'transferred', 'unconsumed', 'cancelled')))

/** §5.1: files added to the input dataset since P's snapshot was taken. */
export const addedFilesQuery = (dataset: string, project: string): string => dimsText(minus(datasetDims(dataset), projectSnapshot(project)))

/** §5.1: inputs of P that have no output child of every pattern, of version V, made after C. */
export function pendingFilesQuery(f: SubmissionQueryFacts): string {
  const outputs = outputPatternList(f.outputPatterns).map((pattern) =>
    parentsOf(and(version(f.softwareVersion), outputPatternDims(pattern), createdAfter(f.createdAt)), f.outputAncestorDepth),
  )
  return dimsText(minus(projectSnapshot(f.project), and(...outputs)))
}

/**
 * §5.1 process_status: SAM's own recovery dimensions, with `consumed_status consumed` widened to
 * `'co%'` because SAM marks finished files either consumed or completed.
 */
export const processStatusRecoveryQuery = (samRecoveryDims: string): string => samRecoveryDims.replace(/consumed_status consumed/g, "consumed_status 'co%'")

/** §7.2 without a project: the dependency definition the jobs were expected to declare. */
export const declaredOutputsQuery = (definitionName: string): string => dimsText(defname(definitionName))

export interface DependencyQueryFacts {
  /** The upstream stage's type: approval and data-transfer stages pass their own dataset on. */
  upstreamStageType: string
  /** The upstream submission's dataset and project (the project is only needed for other stage types). */
  dataset: string
  project: string | null
  softwareVersion: string
  createdAt: number
  outputAncestorDepth: number
  /** The dependency's file_patterns: a dimension fragment when it has whitespace, else comma-separated patterns. */
  filePatterns: string
}

export const passesDatasetOn = (stageType: string): boolean => stageType === 'approval' || stageType === 'datatransfer'

/** §6.3: what a dependent stage receives from a finished upstream submission. */
export function dependencyQuery(f: DependencyQueryFacts): string {
  let base
  if (passesDatasetOn(f.upstreamStageType)) base = datasetDims(f.dataset)
  else if (f.project !== null) base = and(childrenOf(projectSnapshot(f.project), f.outputAncestorDepth), version(f.softwareVersion), createdAfter(f.createdAt))
  else throw new Error('a dependency query on the outputs of a submission needs its project')
  return dimsText(and(base, or(...outputPatternList([f.filePatterns]).map(outputPatternDims))))
}
