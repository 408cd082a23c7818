import type { Catalog, ConsumedStatus } from '../../../../../shared/dimensions/catalog'
import { isStrictlyAscending } from '../../../../../shared/dimensions/evaluate'
import { decodeFileText, type LocalCatalogChanges, type LocalCatalogRepo, type LocalFileRow } from '../../../store/repos/local-catalog-repo'

/**
 * Lookups one query may make one at a time before the whole table is loaded at once: a query over
 * a few project files stays a few indexed reads, a scan over a million files becomes one bulk read.
 */
const SINGLE_LOOKUPS_BEFORE_BULK = 2_000

/** The evaluator's catalog, whose files also say where they are (their rows). */
export interface StoreCatalog extends Catalog {
  file(name: string): LocalFileRow | null
  /** The ids of files known to be in the catalog (query results), in the same order. */
  fileIds(names: readonly string[]): number[]
}

/**
 * The local catalog as the dimension evaluator sees it, for one experiment and one evaluation:
 * answers are cached for the life of this object, so make a new one per query (the store may
 * change between queries). With a `memory` (createCatalogMemory, one per experiment), snapshots
 * and the answers of sub-queries are also kept across queries, for as long as they hold.
 */
export function createStoreCatalog(repo: LocalCatalogRepo, experiment: string, memory?: CatalogMemory): StoreCatalog {
  let names: string[] | null = null
  const files = new Map<string, LocalFileRow | null>()
  /** After a bulk load: every file's row, left encoded until it is looked at. */
  let bulk: Map<string, string | LocalFileRow> | null = null
  let fileLookups = 0
  const parentsOf = new Map<string, string[]>()
  const childrenOf = new Map<string, string[]>()
  let lineageComplete = false
  let lineageLookups = 0
  const projectStatuses = new Map<string, { files: string[]; status: Map<string, ConsumedStatus> } | null>()
  const definitions = new Map<string, string | null>()
  /** What this query has read so far (remembered answers it reused included), innermost sub-query last. */
  const reading: Reads[] = [newReads()]
  const reads = (): Reads => reading[reading.length - 1]!
  memory?.checkOtherConnections()

  function loadAllFiles(): Map<string, string | LocalFileRow> {
    const texts = repo.fileTexts(experiment)
    // Both lists come in name order (and one evaluation runs with no write in between).
    const all = (names ??= repo.fileNames(experiment))
    if (all.length !== texts.length) throw new Error('the local catalog changed during a query')
    const loaded = new Map<string, string | LocalFileRow>()
    for (let i = 0; i < all.length; i++) loaded.set(all[i]!, texts[i]!)
    return loaded
  }

  function fromBulk(loaded: Map<string, string | LocalFileRow>, name: string): LocalFileRow | null {
    const entry = loaded.get(name)
    if (typeof entry !== 'string') return entry ?? null
    const row = decodeFileText(entry)
    loaded.set(name, row)
    return row
  }

  function loadAllLineage(): void {
    parentsOf.clear()
    childrenOf.clear()
    for (const [child, parent] of repo.allParentLinks(experiment)) {
      push(parentsOf, child, parent)
      push(childrenOf, parent, child)
    }
    lineageComplete = true
  }

  function lineage(map: Map<string, string[]>, name: string, single: (experiment: string, name: string) => string[]): readonly string[] {
    if (lineageComplete) return map.get(name) ?? []
    const cached = map.get(name)
    if (cached) return cached
    if (++lineageLookups > SINGLE_LOOKUPS_BEFORE_BULK) {
      loadAllLineage()
      return map.get(name) ?? []
    }
    const found = single(experiment, name)
    map.set(name, found)
    return found
  }

  function statuses(project: string) {
    if (!projectStatuses.has(project)) {
      const row = repo.project(experiment, project)
      if (!row) {
        projectStatuses.set(project, null)
      } else {
        const { names: files, statuses: values } = repo.projectStatuses(row.id)
        const status = new Map<string, ConsumedStatus>()
        files.forEach((file, i) => status.set(file, values[i]!))
        projectStatuses.set(project, { files, status })
      }
    }
    return projectStatuses.get(project)!
  }

  /**
   * Ids by name. Few names are looked up one by one; many are first found in the snapshots the
   * query read (a query's files mostly come from them, and both lists are in name order, so one
   * walk along each does it), and the rest in one SQL statement.
   */
  function fileIds(wanted: readonly string[]): number[] {
    const missing = (name: string): never => {
      throw new Error(`${name} is not in the local catalog of ${experiment}`)
    }
    if (wanted.length <= SINGLE_LOOKUPS_BEFORE_BULK) return wanted.map((name) => repo.fileIdByName(experiment, name) ?? missing(name))
    const ids = new Array<number>(wanted.length).fill(-1)
    let unknown = wanted.length
    if (memory && isStrictlyAscending(wanted)) {
      for (const snapshot of reading[0]!.snapshots) {
        const source = memory.snapshotIds(snapshot, unknown)
        if (source) unknown -= fillIds(wanted, ids, source.names, source.ids)
        if (unknown === 0) break
      }
    }
    if (unknown > 0) {
      const at: number[] = []
      for (let i = 0; i < ids.length; i++) if (ids[i] === -1) at.push(i)
      const names = at.map((i) => wanted[i]!)
      const found = repo.fileIdsByName(experiment, names)
      at.forEach((i, k) => (ids[i] = found[k] ?? missing(wanted[i]!)))
    }
    return ids
  }

  function snapshot(id: number): readonly string[] | null {
    reads().snapshots.add(id)
    if (memory) return memory.snapshot(id)
    return repo.snapshotExists(experiment, id) ? repo.snapshotFileNames(id) : null
  }

  /** `remember` (catalog.ts): answers kept in `memory`, checked against what they read. */
  function remember(key: string, compute: () => readonly string[]): readonly string[] {
    const known = memory!.recall(key)
    if (known) {
      mergeReads(reads(), known.reads)
      return known.names
    }
    const changes = repo.changes()
    const inner = newReads()
    reading.push(inner)
    let names: readonly string[]
    try {
      names = compute()
    } finally {
      reading.pop()
      mergeReads(reads(), inner)
    }
    memory!.keep(key, names, inner, changes)
    return names
  }

  return {
    allFiles() {
      reads().files = true
      names ??= repo.fileNames(experiment)
      return names
    },
    file(name) {
      reads().files = true
      if (bulk) return fromBulk(bulk, name)
      if (files.has(name)) return files.get(name)!
      if (++fileLookups > SINGLE_LOOKUPS_BEFORE_BULK) {
        bulk = loadAllFiles()
        return fromBulk(bulk, name)
      }
      const row = repo.fileByName(experiment, name)
      files.set(name, row)
      return row
    },
    parents(name) {
      reads().files = true
      return lineage(parentsOf, name, repo.parentNames)
    },
    children(name) {
      reads().files = true
      return lineage(childrenOf, name, repo.childNames)
    },
    definition(name) {
      let dims = definitions.get(name)
      if (dims === undefined) {
        dims = repo.definition(experiment, name)?.dims ?? null
        definitions.set(name, dims)
      }
      reads().definitions.set(name, dims)
      return dims
    },
    snapshot,
    projectSnapshot(project) {
      reads().projects = true
      const row = repo.project(experiment, project)
      return row ? snapshot(row.snapshotId) : null
    },
    consumedStatus(project, file) {
      reads().projects = true
      return statuses(project)?.status.get(file) ?? null
    },
    projectFiles(project) {
      reads().projects = true
      return statuses(project)?.files ?? []
    },
    ...(memory ? { remember } : {}),
    fileIds,
  }
}

/** What (part of) a query read from the catalog. */
interface Reads {
  /** File rows, lineage or the list of all files (LocalCatalogChanges.files). */
  files: boolean
  /** Projects and their files' statuses (LocalCatalogChanges.projects). */
  projects: boolean
  /** Each definition read, with the text it had (null: there was none). */
  definitions: Map<string, string | null>
  /** Snapshots read; their files never change. */
  snapshots: Set<number>
}

const newReads = (): Reads => ({ files: false, projects: false, definitions: new Map(), snapshots: new Set() })

function mergeReads(into: Reads, from: Reads): void {
  into.files ||= from.files
  into.projects ||= from.projects
  for (const [name, dims] of from.definitions) into.definitions.set(name, dims)
  for (const id of from.snapshots) into.snapshots.add(id)
}

/** Writes `sourceIds[k]` into `ids[i]` wherever `wanted[i]` is `sourceNames[k]`; both name lists ascending. Returns how many it filled. */
function fillIds(wanted: readonly string[], ids: number[], sourceNames: readonly string[], sourceIds: readonly number[]): number {
  let filled = 0
  let k = 0
  for (let i = 0; i < wanted.length && k < sourceNames.length; i++) {
    const name = wanted[i]!
    while (k < sourceNames.length && sourceNames[k]! < name) k++
    if (k < sourceNames.length && sourceNames[k] === name && ids[i] === -1) {
      ids[i] = sourceIds[k]!
      filled++
    }
  }
  return filled
}

/** How many names (over all lists) a memory keeps of remembered answers, and of snapshots. */
const REMEMBERED_NAMES = 4_000_000
const SNAPSHOT_NAMES = 4_000_000

interface Remembered {
  names: readonly string[]
  reads: Reads
  /** The change counters when it was evaluated. */
  changes: LocalCatalogChanges
}

interface KeptSnapshot {
  names: readonly string[]
  /** Whether the names are in ascending order, once asked. */
  ascending: boolean | null
  /** The files' ids, position by position, once asked for. */
  ids: readonly number[] | null
}

/**
 * What the local catalog keeps in memory across queries for one experiment: the files of
 * snapshots (which never change once committed) and the answers to sub-queries the evaluator
 * hands to `remember`. An answer is given again only when nothing it read has changed: the files
 * and project counters it depends on are the same, and every definition it read has the same
 * text. Nothing is kept while a transaction is open, since its writes may be rolled back (a
 * snapshot id could then be handed out again for other files); writes by another connection
 * (SQLite's data_version) forget every answer. Both are bounded, least recently used first out.
 */
export interface CatalogMemory {
  /** Forgets the answers if another connection changed the database since the last query. */
  checkOtherConnections(): void
  /** A remembered answer that still holds, or null. */
  recall(key: string): Remembered | null
  /** Remembers an answer evaluated when the counters were `changes` (unless a transaction is open). */
  keep(key: string, names: readonly string[], reads: Reads, changes: LocalCatalogChanges): void
  /** A snapshot's files in position order, or null when the experiment has no such snapshot. */
  snapshot(id: number): readonly string[] | null
  /**
   * A snapshot's files with their ids, when its names are in ascending order and it is worth
   * reading its ids to find about `wanted` files (ids already read, or not many more than that).
   */
  snapshotIds(id: number, wanted: number): { names: readonly string[]; ids: readonly number[] } | null
  /** A snapshot just committed: its files (by name and id, position by position) are known already. */
  snapshotTaken(id: number, names: readonly string[], ids: readonly number[]): void
}

export function createCatalogMemory(repo: LocalCatalogRepo, experiment: string): CatalogMemory {
  const answers = new Map<string, Remembered>()
  let answerNames = 0
  const snapshots = new Map<number, KeptSnapshot>()
  let snapshotNames = 0
  let dataVersion = repo.dataVersion()

  function forget(key: string): void {
    const entry = answers.get(key)
    if (!entry) return
    answers.delete(key)
    answerNames -= entry.names.length
  }

  function holds(entry: Remembered): boolean {
    const now = repo.changes()
    if (entry.reads.files && now.files !== entry.changes.files) return false
    if (entry.reads.projects && now.projects !== entry.changes.projects) return false
    for (const [name, dims] of entry.reads.definitions) if ((repo.definition(experiment, name)?.dims ?? null) !== dims) return false
    return true
  }

  function keepSnapshot(id: number, kept: KeptSnapshot): void {
    if (repo.inTransaction() || kept.names.length > SNAPSHOT_NAMES) return
    const old = snapshots.get(id)
    if (old) snapshotNames -= old.names.length
    snapshots.delete(id)
    snapshots.set(id, kept)
    snapshotNames += kept.names.length
    for (const [oldest, entry] of snapshots) {
      if (snapshotNames <= SNAPSHOT_NAMES) break
      snapshots.delete(oldest)
      snapshotNames -= entry.names.length
    }
  }

  function kept(id: number): KeptSnapshot | null {
    const found = snapshots.get(id)
    if (found) {
      // Most recently used last.
      snapshots.delete(id)
      snapshots.set(id, found)
      return found
    }
    if (!repo.snapshotExists(experiment, id)) return null
    const loaded: KeptSnapshot = { names: repo.snapshotFileNames(id), ascending: null, ids: null }
    keepSnapshot(id, loaded)
    return loaded
  }

  return {
    checkOtherConnections() {
      const version = repo.dataVersion()
      if (version === dataVersion) return
      dataVersion = version
      answers.clear()
      answerNames = 0
    },
    recall(key) {
      const entry = answers.get(key)
      if (!entry) return null
      forget(key)
      if (!holds(entry)) return null
      answers.set(key, entry)
      answerNames += entry.names.length
      return entry
    },
    keep(key, names, reads, changes) {
      if (repo.inTransaction() || names.length > REMEMBERED_NAMES) return
      forget(key)
      answers.set(key, { names, reads, changes })
      answerNames += names.length
      for (const [oldest] of answers) {
        if (answerNames <= REMEMBERED_NAMES) break
        forget(oldest)
      }
    },
    snapshot: (id) => kept(id)?.names ?? null,
    snapshotIds(id, wanted) {
      const found = kept(id)
      if (!found) return null
      found.ascending ??= isStrictlyAscending(found.names)
      if (!found.ascending) return null
      if (!found.ids) {
        if (found.names.length > 4 * wanted) return null
        const ids = repo.snapshotFileIds(id)
        if (ids.length !== found.names.length) throw new Error('the local catalog changed during a query')
        found.ids = ids
      }
      return { names: found.names, ids: found.ids }
    },
    snapshotTaken(id, names, ids) {
      keepSnapshot(id, { names, ascending: null, ids })
    },
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
