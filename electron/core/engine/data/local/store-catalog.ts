import type { Catalog, ConsumedStatus } from '../../../../../shared/dimensions/catalog'
import { decodeFileText, type LocalCatalogRepo, type LocalFileRow } from '../../../store/repos/local-catalog-repo'

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
 * change between queries).
 */
export function createStoreCatalog(repo: LocalCatalogRepo, experiment: string): StoreCatalog {
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

  function fileIds(wanted: readonly string[]): number[] {
    const missing = (name: string): never => {
      throw new Error(`${name} is not in the local catalog of ${experiment}`)
    }
    if (wanted.length <= SINGLE_LOOKUPS_BEFORE_BULK) return wanted.map((name) => repo.fileIdByName(experiment, name) ?? missing(name))
    const index = repo.fileIdIndex(experiment)
    const idOf = new Map<string, number>()
    index.names.forEach((name, i) => idOf.set(name, index.ids[i]!))
    return wanted.map((name) => idOf.get(name) ?? missing(name))
  }

  return {
    allFiles() {
      names ??= repo.fileNames(experiment)
      return names
    },
    file(name) {
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
    parents: (name) => lineage(parentsOf, name, repo.parentNames),
    children: (name) => lineage(childrenOf, name, repo.childNames),
    definition: (name) => repo.definition(experiment, name)?.dims ?? null,
    snapshot: (id) => (repo.snapshotExists(experiment, id) ? repo.snapshotFileNames(id) : null),
    projectSnapshot(project) {
      const row = repo.project(experiment, project)
      return row ? repo.snapshotFileNames(row.snapshotId) : null
    },
    consumedStatus: (project, file) => statuses(project)?.status.get(file) ?? null,
    projectFiles: (project) => statuses(project)?.files ?? [],
    fileIds,
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
