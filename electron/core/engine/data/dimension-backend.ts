/**
 * What SAM-style data handlers (`sam`, and `local` with its own catalog) offer the split, recovery,
 * dependency and completion logic, which is written once over it in POMS's dimension language
 * (poms-reference.md §4, §5, §6, §7, §8.1). Every call is scoped to one experiment.
 */
export interface ProjectSummary {
  project: string
  /** SAM project state: 'running', 'completed', … */
  state: string
  /** The definition the project runs on. */
  dataset: string | null
  filesInSnapshot: number
  consumed: number
  completed: number
  failed: number
  skipped: number
  delivered: number
  cancelled: number
  unknown: number
}

export interface DimensionBackend {
  /** `/files/count`; -1 is never returned: a failure throws DataServiceError. */
  countFiles(dims: string): Promise<number>
  listFiles(dims: string, limit?: number): Promise<string[]>
  /** Creates (or replaces, as POMS does on 409) a named definition. */
  createDefinition(name: string, dims: string): Promise<void>
  /** The dimension text of a definition, or null. */
  describeDefinition(name: string): Promise<string | null>
  /** Freezes a definition's current files; returns the snapshot id. */
  takeSnapshot(defname: string): Promise<number>
  fileMetadata(file: string): Promise<Record<string, unknown> | null>
  /** Starts a project on a definition (the submission's consumer); returns its name. */
  startProject(name: string, defname: string): Promise<string>
  projectSummary(project: string): Promise<ProjectSummary | null>
  /** SAM's recovery dimensions for a project (`process_status` recovery); '' when nothing to recover. */
  recoveryDimensions(project: string, useProcess: boolean): Promise<string>
}
