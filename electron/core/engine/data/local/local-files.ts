import type { Database } from 'better-sqlite3'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConsumedStatus } from '../../../../../shared/dimensions/catalog'
import { formatDimensions, parseDimensions } from '../../../../../shared/dimensions/parse'
import type { Clock } from '../../../ports'
import type { LocalCatalogRepo, NewLocalFile } from '../../../store/repos/local-catalog-repo'
import { DatasetError } from '../data-handler'
import { listLocalDataset } from './dataset-spec'
import { uniqueCatalogName } from './file-naming'

/**
 * Putting files on this machine into the local catalog: a stage's input dataset before it is split,
 * and each local job's outputs after it ran, with their parentage and the inputs' project status.
 */
export interface LocalFilesDeps {
  db: Database
  catalog: LocalCatalogRepo
  clock: Clock
  /** Recorded as the creator of the definitions made here. */
  creator?: string
}

export interface RegisteredInputs {
  /** The definition holding the dataset's files: the dataset text itself (trimmed). */
  definition: string
  /** `defname:<definition>`, quoted as needed, for building split and recovery queries. */
  dims: string
  /** The snapshot the definition stands on (`snapshot_id N`). */
  snapshotId: number
  files: number
  /** Files the catalog did not know before. */
  added: number
}

/**
 * Registers a local dataset (glob, comma/newline list or `@listfile`, local/dataset-spec.ts) and
 * defines it under its own text, so a stage whose dataset is `/data/run1/*.dat` works with every
 * split type unchanged: `defname:'/data/run1/*.dat' with limit 40 offset 80` and the like. The
 * definition is `snapshot_id N` over the files found now; registering again re-lists the dataset
 * and, when the files changed, re-defines it on a new snapshot (files that appeared join; a
 * draining split's snapshots keep what was delivered). Paths already in the catalog keep their entry.
 */
export async function registerInputs(deps: LocalFilesDeps, experiment: string, dataset: string, listed?: readonly FoundFile[]): Promise<RegisteredInputs> {
  const definition = dataset.trim()
  const paths = [...new Set(listed ? listed.map((f) => f.path) : await listLocalDataset(definition))]
  if (paths.length === 0) throw new DatasetError('the dataset is empty: give a glob, a list of paths or @/path/to/list.txt')
  // Files listed on another host come with what its `find` said; files here are looked at here.
  const found = listed ? new Map(listed.map((f) => [f.path, f])) : await statUnknown(deps.catalog, experiment, paths)
  const now = deps.clock.now()
  return deps.db.transaction((): RegisteredInputs => {
    let added = 0
    const ids = paths.map((path) => {
      const known = deps.catalog.fileIdByPath(experiment, path)
      if (known !== null) return known
      added++
      return insertFile(deps.catalog, inputFile(experiment, path, found.get(path) ?? null, now))
    })
    const current = deps.catalog.definition(experiment, definition)
    const currentSnapshot = current ? snapshotOf(current.dims) : null
    let snapshotId: number
    if (currentSnapshot !== null && sameIds(deps.catalog.snapshotFileIds(currentSnapshot), ids)) {
      snapshotId = currentSnapshot
    } else {
      snapshotId = deps.catalog.createSnapshot(experiment, definition, now, ids)
      deps.catalog.putDefinition({ experiment, name: definition, dims: formatDimensions({ kind: 'snapshot_id', id: snapshotId }), createdAt: now, creator: deps.creator ?? 'poms' })
    }
    return { definition, dims: formatDimensions({ kind: 'defname', name: definition }), snapshotId, files: ids.length, added }
  })()
}

export interface LocalJobResult {
  index: number
  /** Absolute paths of the files the job was given (its input list). */
  inputs: readonly string[]
  /** The folder it wrote its outputs to. */
  outputDir: string
  /** null when the job never ran (removed before it started). */
  exitCode: number | null
}

export interface JobResultsRequest {
  experiment: string
  submissionId: string
  /** The stage's software version: every output gets it (`version`). */
  version: string | null
  jobs: readonly LocalJobResult[]
  /** The submission's project; by default the newest project started for the submission. */
  project?: string | null
  /** These are the submission's final results: its project is marked completed. */
  endProject?: boolean
}

export interface JobResultsOutcome {
  /** Output files in the catalog for these jobs (new or already registered). */
  outputs: number
  /** Input files marked consumed / failed in the project. */
  consumed: number
  failed: number
}

/**
 * Records what local jobs did, as SAM would learn it from the jobs themselves. A job that exited
 * 0 consumed its inputs, and every regular file under its output folder becomes a catalog file
 * (version = the stage's, created at its mtime, physical) whose parents are the job's inputs;
 * outputs inherit their parents' runs and latest end_time, so run and time splits work downstream.
 * A job that exited non-zero failed its inputs, and its outputs are not registered (they may be
 * partial; the recovery reprocesses those inputs). A job that never ran leaves its inputs as they
 * were ('unknown'), which recovery also picks up. Calling it again for the same jobs changes nothing.
 */
export async function registerJobResults(deps: LocalFilesDeps, req: JobResultsRequest): Promise<JobResultsOutcome> {
  const outputsByJob = new Map<number, FoundFile[]>()
  for (const job of req.jobs) if (job.exitCode === 0) outputsByJob.set(job.index, await filesUnder(job.outputDir))
  const inputStats = await statUnknown(
    deps.catalog,
    req.experiment,
    req.jobs.flatMap((job) => job.inputs),
  )
  const now = deps.clock.now()
  return deps.db.transaction((): JobResultsOutcome => {
    const project = req.project ? deps.catalog.project(req.experiment, req.project) : deps.catalog.projectBySubmission(req.submissionId)
    const outcome: JobResultsOutcome = { outputs: 0, consumed: 0, failed: 0 }
    for (const job of req.jobs) {
      const inputIds = job.inputs.map((path) => deps.catalog.fileIdByPath(req.experiment, path) ?? insertFile(deps.catalog, inputFile(req.experiment, path, inputStats.get(path) ?? null, now)))
      for (const output of outputsByJob.get(job.index) ?? []) {
        registerOutput(deps.catalog, req, output, inputIds)
        outcome.outputs++
      }
      const status: ConsumedStatus | null = job.exitCode === null ? null : job.exitCode === 0 ? 'consumed' : 'failed'
      if (status === null || project === null) continue
      for (const id of inputIds) {
        if (deps.catalog.setFileStatus(project.id, id, status, now)) outcome[status]++
      }
    }
    if (project && req.endProject) deps.catalog.setProjectState(project.id, 'completed')
    return outcome
  })()
}

/** The results of a local-backend submission's jobs, from its job folder (`input-<i>.txt`, `out-<i>/`). */
export async function readLocalJobResults(jobsDir: string, submissionId: string, jobs: readonly { index: number; exitCode: number | null }[]): Promise<LocalJobResult[]> {
  const dir = join(jobsDir, submissionId)
  return Promise.all(
    jobs.map(async (job) => {
      const list = await readFile(join(dir, `input-${job.index}.txt`), 'utf8').catch(() => '')
      const inputs = list
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
      return { index: job.index, inputs, outputDir: join(dir, `out-${job.index}`), exitCode: job.exitCode }
    }),
  )
}

/** A file as found on disk (here, or on a host for a remote dataset). */
export interface FoundFile {
  path: string
  size: number
  mtimeMs: number
}

function registerOutput(catalog: LocalCatalogRepo, req: JobResultsRequest, output: FoundFile, parentIds: readonly number[]): void {
  let id = catalog.fileIdByPath(req.experiment, output.path)
  if (id === null) {
    const parents = parentIds.map((parentId) => catalog.fileById(parentId)!)
    const endTimes = parents.map((p) => p.endTime).filter((t): t is number => t !== null)
    id = insertFile(catalog, {
      experiment: req.experiment,
      path: output.path,
      size: output.size,
      createdAt: Math.round(output.mtimeMs),
      endTime: endTimes.length > 0 ? Math.max(...endTimes) : null,
      version: req.version,
      runs: [...new Set(parents.flatMap((p) => p.runs))],
      availability: 'physical',
      metadata: {},
      producerSubmissionId: req.submissionId,
    })
  }
  for (const parent of parentIds) catalog.addParent(id, parent)
}

type UnnamedFile = Omit<NewLocalFile, 'name' | 'path'> & { path: string }

/** Inserts a file under a free name derived from its path (local/file-naming.ts). */
function insertFile(catalog: LocalCatalogRepo, file: UnnamedFile): number {
  const name = uniqueCatalogName(file.path, (candidate) => catalog.isNameTaken(file.experiment, candidate))
  return catalog.insertFile({ ...file, name })
}

/**
 * An input file as first seen; one that is gone from disk is kept as declared only (virtual). Its
 * mtime stands for both create_date and end_time: when the data was written is all this machine
 * knows, and it lets `new()` time-window splits take the files that arrived in each window.
 */
function inputFile(experiment: string, path: string, found: FoundFile | null, now: number): UnnamedFile {
  const mtime = found ? Math.round(found.mtimeMs) : null
  return {
    experiment,
    path,
    size: found?.size ?? null,
    createdAt: mtime ?? now,
    endTime: mtime,
    version: null,
    runs: [],
    availability: found ? 'physical' : 'virtual',
    metadata: {},
    producerSubmissionId: null,
  }
}

/** Size and mtime of the paths the catalog does not know yet (read before the write transaction). */
async function statUnknown(catalog: LocalCatalogRepo, experiment: string, paths: readonly string[]): Promise<Map<string, FoundFile>> {
  const found = new Map<string, FoundFile>()
  for (const path of new Set(paths)) {
    if (catalog.fileIdByPath(experiment, path) !== null) continue
    const info = await stat(path).catch(() => null)
    if (info?.isFile()) found.set(path, { path, size: info.size, mtimeMs: info.mtimeMs })
  }
  return found
}

/** Regular files anywhere under a folder, sorted by path (so names are handed out in a stable order). */
async function filesUnder(dir: string): Promise<FoundFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  const files: FoundFile[] = []
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const info = await stat(path)
    files.push({ path, size: info.size, mtimeMs: info.mtimeMs })
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

function snapshotOf(dims: string): number | null {
  try {
    const expr = parseDimensions(dims)
    return expr.kind === 'snapshot_id' ? expr.id : null
  } catch {
    return null
  }
}

const sameIds = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((id, i) => id === b[i])
