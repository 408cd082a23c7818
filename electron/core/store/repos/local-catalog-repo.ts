import type { Database } from 'better-sqlite3'
import type { CatalogFile, ConsumedStatus } from '../../../../shared/dimensions/catalog'

/** A catalog file as stored: the evaluator's view plus where it is and who made it. */
export interface LocalFileRow extends CatalogFile {
  id: number
  experiment: string
  path: string | null
  size: number | null
  producerSubmissionId: string | null
}

export type NewLocalFile = Omit<LocalFileRow, 'id'>

export interface LocalDefinitionRow {
  experiment: string
  name: string
  dims: string
  createdAt: number
  creator: string
}

export type LocalProjectState = 'running' | 'completed'

export interface LocalProjectRow {
  id: number
  experiment: string
  name: string
  definition: string
  snapshotId: number
  submissionId: string | null
  state: LocalProjectState
  createdAt: number
}

const FILE_COLUMNS = 'id, experiment, name, path, size, created_at, end_time, version, runs, availability, metadata, producer_submission_id'
const PROJECT_COLUMNS = 'id, experiment, name, definition, snapshot_id, submission_id, state, created_at'

// Most files carry no runs or metadata; skipping JSON.parse for those keeps bulk loads fast.
const parseRuns = (text: string): string[] => (text === '[]' ? [] : (JSON.parse(text) as string[]))
const parseMetadata = (text: string): Record<string, unknown> => (text === '{}' ? {} : (JSON.parse(text) as Record<string, unknown>))

type FileTuple = [number, string, string, string | null, number | null, number, number | null, string | null, string, 'physical' | 'virtual', string, string | null]
/** A FileTuple whose runs and metadata are decoded. */
type DecodedFile = [number, string, string, string | null, number | null, number, number | null, string | null, string[], 'physical' | 'virtual', Record<string, unknown>, string | null]

const fromDecoded = (r: DecodedFile): LocalFileRow => ({
  id: r[0],
  experiment: r[1],
  name: r[2],
  path: r[3],
  size: r[4],
  createdAt: r[5],
  endTime: r[6],
  version: r[7],
  runs: r[8],
  availability: r[9],
  metadata: r[10],
  producerSubmissionId: r[11],
})

const toFile = (r: FileTuple): LocalFileRow => fromDecoded([...r.slice(0, 8), parseRuns(r[8]), r[9], parseMetadata(r[10]), r[11]] as DecodedFile)

/** A text of `fileTexts`: the FILE_COLUMNS of one row as a JSON array. */
export const decodeFileText = (text: string): LocalFileRow => fromDecoded(JSON.parse(text) as DecodedFile)

type ProjectTuple = [number, string, string, string, number, string | null, LocalProjectState, number]

const toProject = (r: ProjectTuple): LocalProjectRow => ({
  id: r[0],
  experiment: r[1],
  name: r[2],
  definition: r[3],
  snapshotId: r[4],
  submissionId: r[5],
  state: r[6],
  createdAt: r[7],
})

/**
 * Counters this repo bumps on each write that can change what a dimension query selects, for
 * answers kept in memory (engine/data/local/store-catalog.ts): `files` for files and their
 * lineage, `projects` for projects and their files' statuses. Definitions are not counted (an
 * answer is checked against the text of each definition it read) and neither are snapshots (a
 * committed snapshot never changes). A write rolled back still counts: that only forgets more.
 */
export interface LocalCatalogChanges {
  readonly files: number
  readonly projects: number
}

/**
 * All SQL of the local file catalog (migration 0040). Callers own transactions around bulk writes
 * (registering a job's outputs, a snapshot of a million files). Write the catalog only through
 * this repo (one per database, createRepos): its change counters are how remembered query
 * answers learn that they are out of date.
 */
export function createLocalCatalogRepo(db: Database) {
  const changes = { files: 0, projects: 0 }
  const insertFile = db.prepare(
    'INSERT INTO local_files (experiment, name, path, size, created_at, end_time, version, runs, availability, metadata, producer_submission_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const fileIdByPath = db.prepare('SELECT id FROM local_files WHERE experiment = ? AND path = ?').pluck()
  const fileIdByName = db.prepare('SELECT id FROM local_files WHERE experiment = ? AND name = ?').pluck()
  const fileByName = db.prepare(`SELECT ${FILE_COLUMNS} FROM local_files WHERE experiment = ? AND name = ?`).raw()
  const fileById = db.prepare(`SELECT ${FILE_COLUMNS} FROM local_files WHERE id = ?`).raw()
  // A million rows come over far faster as one JSON text each than as row arrays (~0.8 s against
  // ~3 s here), and a text is decoded only when its file is looked at.
  const fileTexts = db.prepare(
    'SELECT json_array(id, experiment, name, path, size, created_at, end_time, version, json(runs), availability, json(metadata), producer_submission_id) ' +
      'FROM local_files WHERE experiment = ? ORDER BY name',
  ).pluck()
  const fileNames = db.prepare('SELECT name FROM local_files WHERE experiment = ? ORDER BY name').pluck()
  const fileIdsInNameOrder = db.prepare('SELECT id FROM local_files WHERE experiment = ? ORDER BY name').pluck()
  const fileCount = db.prepare('SELECT count(*) FROM local_files WHERE experiment = ?').pluck()
  const filesByProducer = db.prepare(`SELECT ${FILE_COLUMNS} FROM local_files WHERE producer_submission_id = ? ORDER BY name`).raw()

  const addParent = db.prepare('INSERT OR IGNORE INTO local_file_parents (child, parent) VALUES (?, ?)')
  const parentNames = db.prepare(
    'SELECT p.name FROM local_files c JOIN local_file_parents l ON l.child = c.id JOIN local_files p ON p.id = l.parent WHERE c.experiment = ? AND c.name = ?',
  ).pluck()
  const childNames = db.prepare(
    'SELECT c.name FROM local_files p JOIN local_file_parents l ON l.parent = p.id JOIN local_files c ON c.id = l.child WHERE p.experiment = ? AND p.name = ?',
  ).pluck()
  const allLinks = db.prepare(
    'SELECT c.name, p.name FROM local_file_parents l JOIN local_files c ON c.id = l.child JOIN local_files p ON p.id = l.parent WHERE c.experiment = ?',
  ).raw()

  const putDefinition = db.prepare(
    'INSERT INTO local_definitions (experiment, name, dims, created_at, creator) VALUES (?, ?, ?, ?, ?) ' +
      'ON CONFLICT (experiment, name) DO UPDATE SET dims = excluded.dims, created_at = excluded.created_at, creator = excluded.creator',
  )
  const definition = db.prepare('SELECT experiment, name, dims, created_at AS createdAt, creator FROM local_definitions WHERE experiment = ? AND name = ?')

  const insertSnapshot = db.prepare('INSERT INTO local_snapshots (experiment, definition, created_at) VALUES (?, ?, ?)')
  // One statement for the whole list: snapshots of a large dataset hold hundreds of thousands of files.
  const insertSnapshotFiles = db.prepare('INSERT INTO local_snapshot_files (snapshot_id, position, file) SELECT ?, key, value FROM json_each(?)')
  const snapshotExists = db.prepare('SELECT 1 FROM local_snapshots WHERE id = ? AND experiment = ?').pluck()
  const snapshotFileNames = db.prepare(
    'SELECT f.name FROM local_snapshot_files s JOIN local_files f ON f.id = s.file WHERE s.snapshot_id = ? ORDER BY s.position',
  ).pluck()
  const snapshotFileIds = db.prepare('SELECT file FROM local_snapshot_files WHERE snapshot_id = ? ORDER BY position').pluck()
  // A JSON array of names in, their ids out in the same order (null for an unknown name): one
  // indexed lookup per name inside SQLite, far cheaper than a statement call per name.
  const fileIdsByName = db
    .prepare('SELECT (SELECT f.id FROM local_files f WHERE f.experiment = ? AND f.name = j.value) FROM json_each(?) j ORDER BY j.rowid')
    .pluck()
  // Bumped by other connections' commits to the database (never by this one's).
  const dataVersion = db.prepare('PRAGMA data_version').pluck()

  const insertProject = db.prepare(
    'INSERT INTO local_projects (experiment, name, definition, snapshot_id, submission_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  )
  const seedProjectFiles = db.prepare(
    "INSERT OR IGNORE INTO local_project_files (project, file, status, updated_at) SELECT ?, file, 'unknown', ? FROM local_snapshot_files WHERE snapshot_id = ?",
  )
  const project = db.prepare(`SELECT ${PROJECT_COLUMNS} FROM local_projects WHERE experiment = ? AND name = ?`).raw()
  const projectBySubmission = db.prepare(`SELECT ${PROJECT_COLUMNS} FROM local_projects WHERE submission_id = ? ORDER BY id DESC LIMIT 1`).raw()
  // One plucked column per query: a million two-column rows cost three times as much as two columns.
  const projectFileNames = db.prepare('SELECT f.name FROM local_project_files s JOIN local_files f ON f.id = s.file WHERE s.project = ? ORDER BY s.file').pluck()
  const projectFileStatuses = db.prepare('SELECT status FROM local_project_files WHERE project = ? ORDER BY file').pluck()
  const projectStatusCounts = db.prepare('SELECT status, count(*) FROM local_project_files WHERE project = ? GROUP BY status').raw()
  const setFileStatus = db.prepare('UPDATE local_project_files SET status = ?, updated_at = ? WHERE project = ? AND file = ?')
  const setProjectState = db.prepare('UPDATE local_projects SET state = ? WHERE id = ?')

  return {
    insertFile(f: NewLocalFile): number {
      const info = insertFile.run(
        f.experiment,
        f.name,
        f.path,
        f.size,
        f.createdAt,
        f.endTime,
        f.version,
        JSON.stringify(f.runs),
        f.availability,
        JSON.stringify(f.metadata),
        f.producerSubmissionId,
      )
      changes.files++
      return Number(info.lastInsertRowid)
    },
    fileIdByPath: (experiment: string, path: string): number | null => (fileIdByPath.get(experiment, path) as number | undefined) ?? null,
    fileIdByName: (experiment: string, name: string): number | null => (fileIdByName.get(experiment, name) as number | undefined) ?? null,
    isNameTaken: (experiment: string, name: string): boolean => fileIdByName.get(experiment, name) !== undefined,
    fileByName(experiment: string, name: string): LocalFileRow | null {
      const row = fileByName.get(experiment, name) as FileTuple | undefined
      return row ? toFile(row) : null
    },
    fileById(id: number): LocalFileRow | null {
      const row = fileById.get(id) as FileTuple | undefined
      return row ? toFile(row) : null
    },
    /** Every file of an experiment in name order, each as a text for `decodeFileText` (bulk loading). */
    fileTexts: (experiment: string): string[] => fileTexts.all(experiment) as string[],
    /** Every file name of an experiment, in name order. */
    fileNames: (experiment: string): string[] => fileNames.all(experiment) as string[],
    /** Every file's name and id, as two aligned columns (bulk name → id lookups). */
    fileIdIndex: (experiment: string): { names: string[]; ids: number[] } => ({
      names: fileNames.all(experiment) as string[],
      ids: fileIdsInNameOrder.all(experiment) as number[],
    }),
    /** The ids of files by name, in the same order; null for a name the experiment has no file under. */
    fileIdsByName: (experiment: string, names: readonly string[]): (number | null)[] => fileIdsByName.all(experiment, JSON.stringify(names)) as (number | null)[],
    fileCount: (experiment: string): number => fileCount.get(experiment) as number,
    /** Outputs a submission's jobs produced. */
    filesByProducer: (submissionId: string): LocalFileRow[] => (filesByProducer.all(submissionId) as FileTuple[]).map(toFile),

    addParent(child: number, parent: number): void {
      addParent.run(child, parent)
      changes.files++
    },
    parentNames: (experiment: string, name: string): string[] => parentNames.all(experiment, name) as string[],
    childNames: (experiment: string, name: string): string[] => childNames.all(experiment, name) as string[],
    /** Every (child, parent) pair of an experiment, by name (bulk loading). */
    allParentLinks: (experiment: string): [child: string, parent: string][] => allLinks.all(experiment) as [string, string][],

    /** Creates or replaces a definition (POMS replaces on a name clash). */
    putDefinition(d: LocalDefinitionRow): void {
      putDefinition.run(d.experiment, d.name, d.dims, d.createdAt, d.creator)
    },
    definition: (experiment: string, name: string): LocalDefinitionRow | null => (definition.get(experiment, name) as LocalDefinitionRow | undefined) ?? null,

    /** Freezes files (by id, in the given order) under a new snapshot id. */
    createSnapshot(experiment: string, definitionName: string, createdAt: number, fileIds: readonly number[]): number {
      const id = Number(insertSnapshot.run(experiment, definitionName, createdAt).lastInsertRowid)
      insertSnapshotFiles.run(id, JSON.stringify(fileIds))
      return id
    },
    snapshotExists: (experiment: string, id: number): boolean => snapshotExists.get(id, experiment) !== undefined,
    snapshotFileNames: (id: number): string[] => snapshotFileNames.all(id) as string[],
    snapshotFileIds: (id: number): number[] => snapshotFileIds.all(id) as number[],

    /** A project on a snapshot, every file of which starts as 'unknown'. */
    createProject(p: Omit<LocalProjectRow, 'id' | 'state'>): number {
      const id = Number(insertProject.run(p.experiment, p.name, p.definition, p.snapshotId, p.submissionId, 'running', p.createdAt).lastInsertRowid)
      seedProjectFiles.run(id, p.createdAt, p.snapshotId)
      changes.projects++
      return id
    },
    project(experiment: string, name: string): LocalProjectRow | null {
      const row = project.get(experiment, name) as ProjectTuple | undefined
      return row ? toProject(row) : null
    },
    /** The newest project started for a submission. */
    projectBySubmission(submissionId: string): LocalProjectRow | null {
      const row = projectBySubmission.get(submissionId) as ProjectTuple | undefined
      return row ? toProject(row) : null
    },
    /** The files of a project and their statuses, as two aligned columns. */
    projectStatuses: (projectId: number): { names: string[]; statuses: ConsumedStatus[] } => ({
      names: projectFileNames.all(projectId) as string[],
      statuses: projectFileStatuses.all(projectId) as ConsumedStatus[],
    }),
    projectStatusCounts(projectId: number): Map<ConsumedStatus, number> {
      return new Map(projectStatusCounts.all(projectId) as [ConsumedStatus, number][])
    },
    /** Sets a file's status in a project; false when the file is not in the project. */
    setFileStatus(projectId: number, fileId: number, status: ConsumedStatus, at: number): boolean {
      const changed = setFileStatus.run(status, at, projectId, fileId).changes > 0
      if (changed) changes.projects++
      return changed
    },
    setProjectState(projectId: number, state: LocalProjectState): void {
      setProjectState.run(state, projectId)
    },

    /** The change counters (see LocalCatalogChanges); read them again for current values. */
    changes: (): LocalCatalogChanges => ({ ...changes }),
    /** SQLite's data_version: it moves when another connection commits a change to the database. */
    dataVersion: (): number => dataVersion.get() as number,
    /** Whether a transaction is open, whose writes may yet be rolled back. */
    inTransaction: (): boolean => db.inTransaction,
  }
}
export type LocalCatalogRepo = ReturnType<typeof createLocalCatalogRepo>
