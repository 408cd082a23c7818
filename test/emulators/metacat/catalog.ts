import type { EmuClock } from './auth'

/** MetaCat's records (protocols.md §4.3, metacat db/dbobjects2.py to_jsonable), kept in memory. */

export interface CatFile {
  fid: string
  namespace: string
  name: string
  creator: string
  created_timestamp: number
  updated_timestamp: number | null
  updated_by: string | null
  size: number
  checksums: Record<string, string>
  metadata: Record<string, unknown>
  parents: string[]
  children: string[]
  retired: boolean
  retired_by: string | null
  retired_timestamp: number | null
}

export interface CatDataset {
  namespace: string
  name: string
  frozen: boolean
  monotonic: boolean
  metadata: Record<string, unknown>
  creator: string
  created_timestamp: number
  description: string
  updated_timestamp: number | null
  updated_by: string | null
  /** fids, in the order they were added. */
  files: string[]
}

export interface CatNamespace {
  name: string
  owner_user: string | null
  owner_role: string | null
  creator: string
  description: string
  created_timestamp: number
}

export interface DeclareSpec {
  namespace: string
  name: string
  fid?: string
  size?: number
  checksums?: Record<string, string>
  metadata?: Record<string, unknown>
  /** Parents by fid, or `ns:name`. */
  parents?: string[]
  creator?: string
  /** Tests may back-date a file; the real server stamps the declaration time. */
  created_timestamp?: number
}

export class CatalogError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export const did = (f: { namespace: string; name: string }) => `${f.namespace}:${f.name}`

export class Catalog {
  readonly files = new Map<string, CatFile>()
  private readonly byDid = new Map<string, string>()
  readonly datasets = new Map<string, CatDataset>()
  readonly namespaces = new Map<string, CatNamespace>()
  private nextFid = 1_000_001

  constructor(private readonly clock: EmuClock) {}

  addNamespace(name: string, owner = 'admin', ownerRole: string | null = null, description = ''): CatNamespace {
    if (this.namespaces.has(name)) throw new CatalogError(409, 'Namespace already exists')
    const ns: CatNamespace = { name, owner_user: ownerRole ? null : owner, owner_role: ownerRole, creator: owner, description, created_timestamp: this.clock.now() }
    this.namespaces.set(name, ns)
    return ns
  }

  addDataset(namespace: string, name: string, opts: { creator?: string; frozen?: boolean; monotonic?: boolean; description?: string; metadata?: Record<string, unknown> } = {}): CatDataset {
    if (!this.namespaces.has(namespace)) this.addNamespace(namespace, opts.creator ?? 'admin')
    if (this.datasets.has(`${namespace}:${name}`)) throw new CatalogError(409, 'Already exists')
    const ds: CatDataset = {
      namespace,
      name,
      frozen: opts.frozen ?? false,
      monotonic: opts.monotonic ?? false,
      metadata: opts.metadata ?? {},
      creator: opts.creator ?? 'admin',
      created_timestamp: this.clock.now(),
      description: opts.description ?? '',
      updated_timestamp: null,
      updated_by: null,
      files: [],
    }
    this.datasets.set(`${namespace}:${name}`, ds)
    return ds
  }

  dataset(spec: string): CatDataset | undefined {
    return this.datasets.get(spec)
  }

  file(fid: string): CatFile | undefined {
    return this.files.get(fid)
  }

  fileByDid(namespace: string, name: string): CatFile | undefined {
    const fid = this.byDid.get(`${namespace}:${name}`)
    return fid === undefined ? undefined : this.files.get(fid)
  }

  /** Declares files (all or none) and adds them to `dataset` when given. */
  declare(specs: DeclareSpec[], dataset?: string): CatFile[] {
    const ds = dataset === undefined ? undefined : this.datasets.get(dataset)
    if (dataset !== undefined && !ds) throw new CatalogError(400, `Dataset ${dataset} does not exist`)
    const existing = specs.filter((s) => this.byDid.has(`${s.namespace}:${s.name}`) || (s.fid !== undefined && this.files.has(s.fid)))
    if (existing.length > 0) throw new CatalogError(409, `The following files already exist:${existing.map((s) => `\n  ${s.namespace}:${s.name}`).join('')}`)
    const resolved = specs.map((s) => ({
      spec: s,
      parents: (s.parents ?? []).map((p) => {
        const fid = p.includes(':') ? this.byDid.get(p) : this.files.has(p) ? p : undefined
        if (fid === undefined) throw new CatalogError(400, `Can not get file id for parent: ${p}`)
        return fid
      }),
    }))
    const out: CatFile[] = []
    for (const { spec, parents } of resolved) {
      const f: CatFile = {
        fid: spec.fid ?? String(this.nextFid++),
        namespace: spec.namespace,
        name: spec.name,
        creator: spec.creator ?? 'admin',
        created_timestamp: spec.created_timestamp ?? this.clock.now(),
        updated_timestamp: null,
        updated_by: null,
        size: spec.size ?? 0,
        checksums: spec.checksums ?? {},
        metadata: spec.metadata ?? {},
        parents,
        children: [],
        retired: false,
        retired_by: null,
        retired_timestamp: null,
      }
      this.files.set(f.fid, f)
      this.byDid.set(did(f), f.fid)
      for (const p of parents) this.files.get(p)!.children.push(f.fid)
      if (ds) ds.files.push(f.fid)
      out.push(f)
    }
    return out
  }

  addToDataset(dataset: string, fids: string[]): number {
    const ds = this.datasets.get(dataset)
    if (!ds) throw new CatalogError(404, 'Dataset not found')
    if (ds.frozen) throw new CatalogError(403, 'Dataset is frozen')
    const have = new Set(ds.files)
    let added = 0
    for (const fid of fids) {
      if (!have.has(fid)) {
        ds.files.push(fid)
        have.add(fid)
        added++
      }
    }
    return added
  }

  retire(fid: string, by = 'admin'): void {
    const f = this.files.get(fid)
    if (!f) throw new CatalogError(404, 'File not found')
    f.retired = true
    f.retired_by = by
    f.retired_timestamp = this.clock.now()
  }

  /** DBFile.to_jsonable. */
  fileJson(f: CatFile, opts: { metadata?: boolean; provenance?: boolean; datasets?: boolean } = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {
      fid: f.fid,
      namespace: f.namespace,
      name: f.name,
      retired: f.retired,
      retired_by: f.retired_by,
      updated_by: f.updated_by,
      retired_timestamp: f.retired_timestamp,
      updated_timestamp: f.updated_timestamp,
      created_timestamp: f.created_timestamp,
      checksums: f.checksums,
      size: f.size,
      creator: f.creator,
    }
    if (opts.metadata) out.metadata = f.metadata
    if (opts.provenance) {
      out.parents = f.parents.map((fid) => ({ fid }))
      out.children = f.children.map((fid) => ({ fid }))
    }
    if (opts.datasets) {
      out.datasets = [...this.datasets.values()].filter((d) => d.files.includes(f.fid)).map((d) => ({ namespace: d.namespace, name: d.name }))
    }
    return out
  }

  /** DBDataset.to_jsonable, with the file count. */
  datasetJson(ds: CatDataset): Record<string, unknown> {
    const { files, ...rest } = ds
    return { ...rest, file_meta_requirements: null, file_count: files.length }
  }
}
