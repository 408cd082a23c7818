import type { DataHandlerKind } from '../../../../shared/domain/experiment'
import type { RecoveryType } from '../../../../shared/domain/job-type'

/**
 * Data handlers answer what a campaign's data is and what became of it (architecture.md §6,
 * poms-reference.md §4–8): the next split of a stage's dataset, the per-submission project that
 * tracks which files were delivered and consumed, whether a submission's outputs are located, what
 * a recovery should reprocess, and what a dependent stage receives. `local` keeps its own catalog in
 * the store; `sam` talks to SAM web; `metacat` talks to MetaCat, Data Dispatcher and Rucio.
 */

/** A stage's split as the engine asks for it. Nothing is changed by a preview. */
export interface SplitRequest {
  experiment: string
  stageId: string
  stageName: string
  /** The stage's dataset (keywords expanded): a definition, a list, a query, a project… per split type. */
  dataset: string
  /** The split spec (`nfiles(100)`, `drainingn(50)`, `new(window=1d)`…); null for no split. */
  splitType: string | null
  /** The stage's cursor before this split (poms-reference.md §4; null = start). */
  cursor: number | null
  now: number
}

/** One launch's worth of a split. */
export interface SplitOutcome {
  /** What the launch receives as `%(dataset)s`: a definition name, a query, a list item, a parameter combination. */
  dataset: string
  /** The stage's cursor after this slice. */
  cursorAfter: number | null
  /** Files in the slice when the handler can tell (null for list/multiparam items that are not datasets). */
  fileCount: number | null
  /** The definition(s) the slice created or would create, with their queries (SAM-style handlers). */
  definitions: { name: string; dims: string }[]
  /** A sentence a person can read: "files 200–239 of mc_gen (40 files)". */
  description: string
}

/** A split that has nothing left: the launch fails with POMS's "No more splits in this campaign." */
export class SplitExhausted extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SplitExhausted'
  }
}

/** The facts about one submission the data side needs (from its snapshot and its row). */
export interface SubmissionFacts {
  experiment: string
  submissionId: string
  shortId: string
  stageName: string
  stageType: string
  /** The dataset the submission was launched with. */
  dataset: string
  /** Its project (SAM project, Data Dispatcher project id, local project name), if one was started. */
  project: string | null
  softwareVersion: string
  createdAt: number
  /** Output patterns that count as this stage's outputs: the dependencies' patterns where it is upstream, else the job type's. */
  outputPatterns: string[]
  outputAncestorDepth: number
  /** The launching user (analysis-role definitions carry it in their names). */
  creator: string
  creatorRole: string
  /** The number of jobs (`-N`), used when there is no project. */
  jobCount: number | null
  isRecovery: boolean
}

export interface FileAccounting {
  submitted: number | null
  delivered: number | null
  consumed: number | null
  failed: number | null
  skipped: number | null
  unknown: number | null
  /** Output files this submission produced (of its output patterns). */
  outputs: number | null
}

/** poms-reference.md §7.2: Located when count ≥ threshold (and threshold ≠ 0 or it is a recovery). */
export interface LocatedVerdict {
  located: boolean
  count: number
  threshold: number
  /** The query or rule used, for the UI and the wrap-up report. */
  detail: string
}

export interface RecoveryDataset {
  type: RecoveryType
  /** The dataset a recovery launch receives (a definition name, a query, a file list); null when nothing to recover. */
  dataset: string | null
  count: number
  /** The files, when the handler can list them cheaply (the recovery preview shows them). */
  files: string[] | null
  /** The query or rule used, and why files are in it. */
  detail: string
}

export interface DependencyDataset {
  dataset: string
  count: number
  detail: string
}

export interface DataHandler {
  readonly kind: DataHandlerKind
  /** The next slice of a stage's split, creating what it needs (definitions, snapshots); throws SplitExhausted. */
  nextSplit(req: SplitRequest): Promise<SplitOutcome>
  /** The next `count` slices as they would come, changing nothing (the split simulator). */
  previewSplits(req: SplitRequest, count: number): Promise<{ slices: SplitOutcome[]; exhaustedAfter: number | null }>
  countFiles(experiment: string, dataset: string): Promise<number>
  listFiles(experiment: string, dataset: string, limit?: number): Promise<string[]>
  /**
   * At launch, after the journal: start the submission's project on its dataset (SAM project, Data
   * Dispatcher project, local project). Returns its name and the environment the jobs need.
   */
  beginProject(facts: SubmissionFacts): Promise<{ project: string | null; env: Record<string, string> }>
  accounting(facts: SubmissionFacts): Promise<FileAccounting>
  located(facts: SubmissionFacts, completionPct: number): Promise<LocatedVerdict>
  recoveryDataset(facts: SubmissionFacts, type: RecoveryType, recoveryPosition: number, parent: SubmissionFacts | null): Promise<RecoveryDataset>
  /** The dataset of dependency number `index` (1-based, POMS's `poms_depends_<sid>_<i>`) of a finished parent. */
  dependencyDataset(parent: SubmissionFacts, filePatterns: string, index: number, upstreamStageType: string): Promise<DependencyDataset>
  close(): Promise<void>
}

/** A data service that did not answer (HTTP 5xx, time-out, garbage); the engine retries later. */
export class DataServiceError extends Error {
  constructor(
    readonly service: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message)
    this.name = 'DataServiceError'
  }
}

/** The first local handler's one job: the files of a glob or list on this machine (local launches). */
export interface FileLister {
  readonly kind: string
  listFiles(dataset: string): Promise<string[]>
}

/** A dataset that cannot be read (missing files, bad pattern). */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DatasetError'
  }
}

/** Contiguous shares of `files` for `jobs` jobs; earlier jobs take one extra when it does not divide. */
export function shareFiles(files: readonly string[], jobs: number): string[][] {
  const shares: string[][] = []
  const base = Math.floor(files.length / jobs)
  const extra = files.length % jobs
  let at = 0
  for (let i = 0; i < jobs; i++) {
    const size = base + (i < extra ? 1 : 0)
    shares.push(files.slice(at, at + size))
    at += size
  }
  return shares
}
