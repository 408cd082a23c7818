import type { Catalog, CatalogFile, ConsumedStatus } from '../../../shared/dimensions/catalog'
import { badRequest, definitionNotFound, fileNotFound, SamError } from './errors'

/** A file as a test declares it; everything but the name has a default. */
export interface FileSpec {
  name: string
  /** The application version that made it (SAM's `version` dimension); null for raw data. */
  version?: string | null
  /** `run` or `run.subrun` entries. */
  runs?: (string | number)[]
  /** Epoch ms or an ISO string; defaults to the emulator's clock. */
  createdAt?: number | string
  endTime?: number | string | null
  /** 'physical' (has a location; the default here) or 'virtual' (declared only). */
  availability?: 'physical' | 'virtual'
  parents?: string[]
  size?: number
  events?: number
  /** Other SAM metadata (`data_tier`, `file_type`, `<category>.<name>` parameters, …). */
  metadata?: Record<string, unknown>
}

export interface StoredFile extends CatalogFile {
  id: number
  size: number
  events: number | null
  locations: string[]
}

export interface Definition {
  id: number
  name: string
  dims: string
  username: string
  group: string
  description: string
  createdAt: number
}

/** What the catalog needs to know about projects (kept by projects.ts). */
export interface ProjectView {
  snapshotFiles(project: string): readonly string[] | null
  status(project: string, file: string): ConsumedStatus | null
  files(project: string): readonly string[]
  /** True when a project ran on this definition: SAM then refuses to delete it. */
  usesDefinition(name: string): boolean
}

const toMs = (value: number | string, what: string): number => {
  const ms = typeof value === 'number' ? value : Date.parse(value)
  if (!Number.isFinite(ms)) throw new Error(`${what}: "${value}" is not a time`)
  return ms
}

/**
 * SAM's file catalog in memory: files with metadata and parentage, definitions, snapshots. It is
 * the Catalog the shared dimension evaluator runs over, so the emulator answers the same queries
 * the `local` handler answers.
 */
export class SamCatalog implements Catalog {
  private readonly files = new Map<string, StoredFile>()
  private readonly byId = new Map<number, string>()
  private readonly parentsOf = new Map<string, string[]>()
  private readonly childrenOf = new Map<string, string[]>()
  private readonly definitions = new Map<string, Definition>()
  private readonly snapshots = new Map<number, string[]>()
  private nextFileId = 1
  private nextDefinitionId = 1
  // Snapshot ids look like SAM's: large integers, not 1, 2, 3.
  private nextSnapshotId = 8130

  constructor(
    private readonly now: () => number,
    private readonly projects: ProjectView,
  ) {}

  declare(spec: FileSpec): StoredFile {
    if (!spec.name || /[\s/]/.test(spec.name)) throw badRequest(`Invalid file name "${spec.name}"`, 'InvalidMetadata')
    if (this.files.has(spec.name)) throw new SamError(409, 'FileAlreadyExists', `File ${spec.name} already exists`)
    const parents = spec.parents ?? []
    for (const parent of parents) {
      if (!this.files.has(parent)) throw badRequest(`Parent file ${parent} of ${spec.name} not found`, 'InvalidMetadata')
    }
    const availability = spec.availability ?? 'physical'
    const file: StoredFile = {
      name: spec.name,
      id: this.nextFileId++,
      createdAt: spec.createdAt === undefined ? this.now() : toMs(spec.createdAt, 'create_date'),
      endTime: spec.endTime === undefined || spec.endTime === null ? null : toMs(spec.endTime, 'end_time'),
      version: spec.version ?? null,
      runs: (spec.runs ?? []).map(String),
      availability,
      size: spec.size ?? 1024,
      events: spec.events ?? null,
      locations: availability === 'physical' ? ['enstore:/pnfs/emulated'] : [],
      metadata: { ...(spec.metadata ?? {}) },
    }
    this.files.set(file.name, file)
    this.byId.set(file.id, file.name)
    this.parentsOf.set(file.name, [...parents])
    for (const parent of parents) this.childrenOf.set(parent, [...(this.childrenOf.get(parent) ?? []), file.name])
    return file
  }

  addLocation(name: string, location: string): void {
    const file = this.stored(name)
    if (!file.locations.includes(location)) file.locations.push(location)
    file.availability = 'physical'
  }

  removeLocation(name: string, location: string): void {
    const file = this.stored(name)
    file.locations = file.locations.filter((l) => l !== location)
    if (file.locations.length === 0) file.availability = 'virtual'
  }

  stored(name: string): StoredFile {
    const file = this.files.get(name)
    if (!file) throw fileNotFound(name)
    return file
  }

  storedById(id: number): StoredFile {
    const name = this.byId.get(id)
    if (name === undefined) throw fileNotFound(`id ${id}`)
    return this.stored(name)
  }

  // ---- definitions and snapshots ----

  createDefinition(def: Omit<Definition, 'id' | 'createdAt'>): Definition {
    if (this.definitions.has(def.name)) throw new SamError(409, 'DefinitionExists', `Definition ${def.name} already exists`)
    const created: Definition = { ...def, id: this.nextDefinitionId++, createdAt: this.now() }
    this.definitions.set(def.name, created)
    return created
  }

  getDefinition(name: string): Definition {
    const def = this.definitions.get(name)
    if (!def) throw definitionNotFound(name)
    return def
  }

  listDefinitions(): Definition[] {
    return [...this.definitions.values()]
  }

  deleteDefinition(name: string): void {
    this.getDefinition(name)
    // Client docstring: "Definitions that have already been used cannot be deleted" (status INFERRED).
    if (this.projects.usesDefinition(name)) throw new SamError(409, 'DefinitionInUse', `Definition ${name} has been used by a project and cannot be deleted`)
    this.definitions.delete(name)
  }

  takeSnapshot(files: readonly string[]): number {
    const id = this.nextSnapshotId++
    this.snapshots.set(id, [...files])
    return id
  }

  // ---- Catalog (shared/dimensions/catalog.ts) ----

  allFiles(): Iterable<string> {
    return this.files.keys()
  }

  file(name: string): CatalogFile | null {
    return this.files.get(name) ?? null
  }

  parents(name: string): readonly string[] {
    return this.parentsOf.get(name) ?? []
  }

  children(name: string): readonly string[] {
    return this.childrenOf.get(name) ?? []
  }

  definition(name: string): string | null {
    return this.definitions.get(name)?.dims ?? null
  }

  snapshot(id: number): readonly string[] | null {
    return this.snapshots.get(id) ?? null
  }

  projectSnapshot(project: string): readonly string[] | null {
    return this.projects.snapshotFiles(project)
  }

  consumedStatus(project: string, file: string): ConsumedStatus | null {
    return this.projects.status(project, file)
  }

  projectFiles(project: string): readonly string[] {
    return this.projects.files(project)
  }
}
