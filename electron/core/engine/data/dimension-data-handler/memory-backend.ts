import type { Catalog, CatalogFile, ConsumedStatus } from '../../../../../shared/dimensions/catalog'
import { evaluateDimensions } from '../../../../../shared/dimensions/evaluate'
import { parseDimensions } from '../../../../../shared/dimensions/parse'
import { defname as byName, dimsText } from '../../../../../shared/splits/dims'
import { DataServiceError } from '../data-handler'
import type { DimensionBackend, ProjectSummary } from '../dimension-backend'

/** A file as it is declared; everything but the name has a default. */
export interface MemoryFileSpec {
  name: string
  /** Epoch ms; defaults to the backend's clock. */
  createdAt?: number
  endTime?: number | null
  version?: string | null
  /** `run` or `run.subrun`. */
  runs?: string[]
  availability?: 'physical' | 'virtual'
  /** Parents, declared before their children. */
  parents?: string[]
  metadata?: Record<string, unknown>
}

export interface MemoryDimensionBackend extends DimensionBackend {
  declareFiles(files: readonly MemoryFileSpec[]): void
  setStatus(project: string, file: string, status: ConsumedStatus): void
  /** Everything that exists, to check that an operation created nothing. */
  definitions(): ReadonlyMap<string, string>
  snapshots(): ReadonlyMap<number, readonly string[]>
  projects(): readonly string[]
}

interface MemoryProject {
  defname: string
  files: string[]
  status: Map<string, ConsumedStatus>
}

const SERVICE = 'memory catalog'

/**
 * A DimensionBackend over a catalog in memory, queried with the shared dimension evaluator as the
 * local catalog and the SAM emulator are: the test double for everything written over
 * DimensionBackend or DataHandler, and a catalog for offline demonstrations. Queries it cannot
 * answer fail as SAM's 400 does, with a DataServiceError of status 400.
 */
export function createMemoryDimensionBackend(options: { now?: () => number; firstSnapshotId?: number } = {}): MemoryDimensionBackend {
  const now = options.now ?? (() => Date.now())
  const files = new Map<string, CatalogFile>()
  const parents = new Map<string, string[]>()
  const children = new Map<string, string[]>()
  const definitions = new Map<string, string>()
  const snapshots = new Map<number, readonly string[]>()
  const projects = new Map<string, MemoryProject>()
  let nextSnapshot = options.firstSnapshotId ?? 7001

  const catalog: Catalog = {
    allFiles: () => files.keys(),
    file: (name) => files.get(name) ?? null,
    parents: (name) => parents.get(name) ?? [],
    children: (name) => children.get(name) ?? [],
    definition: (name) => definitions.get(name) ?? null,
    snapshot: (id) => snapshots.get(id) ?? null,
    projectSnapshot: (project) => projects.get(project)?.files ?? null,
    consumedStatus: (project, file) => projects.get(project)?.status.get(file) ?? null,
    projectFiles: (project) => projects.get(project)?.files ?? [],
  }

  function evaluate(dims: string): string[] {
    try {
      return evaluateDimensions(parseDimensions(dims), catalog)
    } catch (err) {
      throw new DataServiceError(SERVICE, `cannot evaluate "${dims}": ${(err as Error).message}`, 400)
    }
  }

  function project(name: string): MemoryProject {
    const found = projects.get(name)
    if (!found) throw new DataServiceError(SERVICE, `there is no project named ${name}`, 404)
    return found
  }

  return {
    declareFiles(specs) {
      for (const spec of specs) {
        if (files.has(spec.name)) throw new Error(`file ${spec.name} is already declared`)
        for (const parent of spec.parents ?? []) if (!files.has(parent)) throw new Error(`parent ${parent} of ${spec.name} is not declared`)
        files.set(spec.name, {
          name: spec.name,
          createdAt: spec.createdAt ?? now(),
          endTime: spec.endTime ?? null,
          version: spec.version ?? null,
          runs: spec.runs ?? [],
          availability: spec.availability ?? 'physical',
          metadata: spec.metadata ?? {},
        })
        parents.set(spec.name, [...(spec.parents ?? [])])
        for (const parent of spec.parents ?? []) children.set(parent, [...(children.get(parent) ?? []), spec.name])
      }
    },
    setStatus(name, file, status) {
      const p = project(name)
      if (!p.status.has(file)) throw new Error(`${file} is not in project ${name}`)
      p.status.set(file, status)
    },
    definitions: () => new Map(definitions),
    snapshots: () => new Map(snapshots),
    projects: () => [...projects.keys()],

    countFiles: async (dims) => evaluate(dims).length,
    listFiles: async (dims, limit) => evaluate(dims).slice(0, limit),
    async createDefinition(name, dims) {
      parseDimensions(dims)
      // As POMS does on SAM's 409: an existing definition of that name is replaced.
      definitions.set(name, dims)
    },
    describeDefinition: async (name) => definitions.get(name) ?? null,
    async takeSnapshot(defname) {
      const id = nextSnapshot++
      snapshots.set(id, evaluate(dimsText(byName(defname))))
      return id
    },
    async fileMetadata(name) {
      const file = files.get(name)
      if (!file) return null
      // SAM's shape for runs: [run, subrun, run_type]; a run declared without a subrun has none.
      const runs = file.runs.map((r) => {
        const [run, subrun] = r.split('.')
        return [Number(run), subrun === undefined ? null : Number(subrun), 'physics']
      })
      return { file_name: file.name, runs, ...file.metadata }
    },
    async startProject(name, defname) {
      if (projects.has(name)) throw new DataServiceError(SERVICE, `project ${name} already exists`, 409)
      const snapshot = evaluate(dimsText(byName(defname)))
      projects.set(name, { defname, files: snapshot, status: new Map(snapshot.map((f) => [f, 'unknown'])) })
      return name
    },
    async projectSummary(name): Promise<ProjectSummary | null> {
      const p = projects.get(name)
      if (!p) return null
      const counts: Record<ConsumedStatus, number> = { unknown: 0, delivered: 0, transferred: 0, consumed: 0, completed: 0, skipped: 0, failed: 0, cancelled: 0, unconsumed: 0 }
      for (const status of p.status.values()) counts[status]++
      const finished = [...p.status.values()].every((s) => s !== 'unknown' && s !== 'delivered' && s !== 'transferred')
      return {
        project: name,
        state: finished ? 'completed' : 'running',
        dataset: p.defname,
        filesInSnapshot: p.files.length,
        consumed: counts.consumed,
        completed: counts.completed,
        failed: counts.failed,
        skipped: counts.skipped,
        delivered: counts.delivered + counts.transferred,
        cancelled: counts.cancelled,
        unknown: counts.unknown + counts.unconsumed,
      }
    },
    async recoveryDimensions(name) {
      // This catalog keeps no processes: what is left to recover is what was not consumed, as SAM writes it.
      const p = project(name)
      const done = [...p.status.values()].every((s) => s === 'consumed' || s === 'completed')
      return done ? '' : `snapshot_for_project_name ${name} minus (project_name ${name} and consumed_status consumed)`
    },
  }
}
