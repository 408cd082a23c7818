import type { Database } from 'better-sqlite3'
import type { DimensionExpr } from '../../../../../shared/dimensions/ast'
import type { ConsumedStatus } from '../../../../../shared/dimensions/catalog'
import { DimensionEvaluationError, evaluateDimensions } from '../../../../../shared/dimensions/evaluate'
import { formatDimensions, parseDimensions } from '../../../../../shared/dimensions/parse'
import type { Clock } from '../../../ports'
import type { LocalCatalogRepo } from '../../../store/repos/local-catalog-repo'
import type { DimensionBackend, ProjectSummary } from '../dimension-backend'
import { createCatalogMemory, createStoreCatalog, type StoreCatalog } from './store-catalog'

export interface LocalDimensionBackendOptions {
  db: Database
  catalog: LocalCatalogRepo
  experiment: string
  clock: Clock
  /** Recorded as the creator of definitions. */
  creator?: string
}

/** What the local catalog offers beyond SAM's calls: paths for job input lists, and ending projects. */
export interface LocalDimensionBackend extends DimensionBackend {
  /** Like SAM's startProject; `submissionId` links the project to the submission whose jobs report into it. */
  startProject(name: string, defname: string, submissionId?: string | null): Promise<string>
  /** Marks a project completed (its jobs are all done). */
  endProject(project: string): Promise<void>
  /** The files of a query, in query order, with their paths on this machine (a local job's input list). */
  listPaths(dims: string): Promise<{ name: string; path: string | null }[]>
}

/**
 * The `local` handler's SAM: the DimensionBackend over the catalog in the store, for one
 * experiment. Queries are parsed and evaluated with the same code as the SAM emulator's
 * (shared/dimensions), against a fresh view of the store per call. Snapshots, and the answers to
 * the sub-queries evaluated, are kept in memory between calls for as long as nothing they read
 * changes (store-catalog.ts), so planning split after split of one large dataset reads it once.
 * A query that does not parse throws DimensionSyntaxError and one that cannot be answered
 * (unknown definition, snapshot or project) DimensionEvaluationError: they are mistakes to show,
 * not outages to retry.
 */
export function createLocalDimensionBackend(opts: LocalDimensionBackendOptions): LocalDimensionBackend {
  const { db, catalog: repo, experiment, clock } = opts
  const creator = opts.creator ?? 'poms'
  const memory = createCatalogMemory(repo, experiment)

  function select(query: DimensionExpr | string): { names: string[]; catalog: StoreCatalog } {
    const catalog = createStoreCatalog(repo, experiment, memory)
    const expr = typeof query === 'string' ? parseDimensions(query) : query
    return { names: evaluateDimensions(expr, catalog), catalog }
  }

  /**
   * A definition's files now, by name and id, for a snapshot. Called outside the transaction that
   * writes the snapshot (nothing runs in between: all of it is synchronous), so what it evaluates
   * can be remembered; answers are not kept while a transaction is open.
   */
  function definitionFiles(defname: string): { names: string[]; ids: number[] } {
    const { names, catalog } = select({ kind: 'defname', name: defname })
    return { names, ids: catalog.fileIds(names) }
  }

  /** Writes a snapshot of `files` (definitionFiles) inside `write`'s transaction; its files are then known without reading them back. */
  function snapshotOf<T>(defname: string, files: { names: string[]; ids: number[] }, write: (snapshotId: number) => T): { snapshotId: number; result: T } {
    const done = db.transaction(() => {
      const snapshotId = repo.createSnapshot(experiment, defname, clock.now(), files.ids)
      return { snapshotId, result: write(snapshotId) }
    })()
    memory.snapshotTaken(done.snapshotId, files.names, files.ids)
    return done
  }

  function requireProject(project: string) {
    const row = repo.project(experiment, project)
    if (!row) throw new DimensionEvaluationError(`there is no project named ${project}`, 'unknown-project')
    return row
  }

  return {
    async countFiles(dims) {
      return select(dims).names.length
    },

    async listFiles(dims, limit) {
      const { names } = select(dims)
      return limit === undefined ? names : names.slice(0, limit)
    },

    async listPaths(dims) {
      const { names, catalog } = select(dims)
      return names.map((name) => ({ name, path: catalog.file(name)?.path ?? null }))
    },

    async createDefinition(name, dims) {
      if (name.trim() === '') throw new RangeError('a definition needs a name')
      parseDimensions(dims)
      repo.putDefinition({ experiment, name, dims, createdAt: clock.now(), creator })
    },

    async describeDefinition(name) {
      return repo.definition(experiment, name)?.dims ?? null
    },

    async takeSnapshot(defname) {
      return snapshotOf(defname, definitionFiles(defname), () => null).snapshotId
    },

    async fileMetadata(file) {
      const row = repo.fileByName(experiment, file)
      if (!row) return null
      return {
        ...row.metadata,
        file_name: row.name,
        file_id: row.id,
        file_size: row.size,
        create_date: new Date(row.createdAt).toISOString(),
        end_time: row.endTime === null ? null : new Date(row.endTime).toISOString(),
        version: row.version,
        runs: row.runs.map(samRun),
        parents: repo.parentNames(experiment, row.name).map((name) => ({ file_name: name })),
        availability: row.availability,
        path: row.path,
      }
    },

    async startProject(name, defname, submissionId = null) {
      // Check, evaluate and write with nothing in between (all synchronous); only the writes need the transaction.
      const existing = repo.project(experiment, name)
      if (existing) {
        // A launch retried after a crash asks again for the project it already has.
        if (existing.definition === defname && existing.submissionId === submissionId) return name
        throw new RangeError(`a local project named ${name} already exists (on ${existing.definition})`)
      }
      snapshotOf(defname, definitionFiles(defname), (snapshotId) =>
        repo.createProject({ experiment, name, definition: defname, snapshotId, submissionId, createdAt: clock.now() }),
      )
      return name
    },

    async endProject(project) {
      repo.setProjectState(requireProject(project).id, 'completed')
    },

    async projectSummary(project) {
      const row = repo.project(experiment, project)
      if (!row) return null
      const counts = repo.projectStatusCounts(row.id)
      const n = (...statuses: ConsumedStatus[]) => statuses.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0)
      return {
        project: row.name,
        state: row.state,
        dataset: row.definition,
        filesInSnapshot: n('unknown', 'delivered', 'transferred', 'consumed', 'completed', 'skipped', 'failed', 'cancelled', 'unconsumed'),
        consumed: n('consumed'),
        completed: n('completed'),
        failed: n('failed'),
        skipped: n('skipped'),
        // Handed to a job but not finished with, whatever SAM's finer name for it.
        delivered: n('delivered', 'transferred', 'unconsumed'),
        cancelled: n('cancelled'),
        unknown: n('unknown'),
      } satisfies ProjectSummary
    },

    /**
     * POMS's consumed_status query (poms-reference.md §5.1) when the project has files that were
     * not consumed, else ''. Local jobs mark their inputs consumed only when they exit 0, so
     * `useProcess` (count files of failed processes too) selects the same files.
     */
    async recoveryDimensions(project, _useProcess) {
      requireProject(project)
      const query: DimensionExpr = {
        kind: 'minus',
        left: { kind: 'snapshot_for_project_name', project },
        right: { kind: 'and', left: { kind: 'project_name', project }, right: { kind: 'consumed_status', statuses: ['co%'] } },
      }
      return select(query).names.length > 0 ? formatDimensions(query) : ''
    },
  }
}

/** SAM's metadata lists runs as [run, subrun, run_type]; the local catalog knows no run type. */
function samRun(text: string): [number, number | null, string] {
  const [run, subrun] = text.split('.')
  return [Number(run), subrun === undefined ? null : Number(subrun), 'unknown']
}
