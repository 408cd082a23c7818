/**
 * The file catalog a SAM-style dimension query is evaluated against (poms-reference.md §8.2). The
 * local data handler keeps one in SQLite; the SAM emulator keeps one in memory; both evaluate the
 * same queries with the same evaluator (dimensions/evaluate.ts), so local and SAM campaigns behave
 * alike.
 */
export interface CatalogFile {
  name: string
  /** Creation time, epoch ms (`create_date`). */
  createdAt: number
  /** `end_time` of the data in the file, epoch ms, when known (the `new()` split uses it). */
  endTime: number | null
  /** Software version that made it (`version`), null for raw inputs. */
  version: string | null
  /** Run numbers it holds, as `run.subrun` or `run` strings (`run_number`). */
  runs: string[]
  /** Where a copy is: 'physical' files have a location, 'virtual' ones are declared only. */
  availability: 'physical' | 'virtual'
  /** Other metadata, returned by file metadata calls. */
  metadata: Record<string, unknown>
}

export type ConsumedStatus = 'unknown' | 'delivered' | 'transferred' | 'consumed' | 'completed' | 'skipped' | 'failed' | 'cancelled' | 'unconsumed'

/** Lists of names a catalog returns hold each file once; the evaluator relies on it. */
export interface Catalog {
  /** Every file name in the catalog (the universe a query starts from). */
  allFiles(): Iterable<string>
  file(name: string): CatalogFile | null
  /** Direct parents and children by name (`isparentof:` / `ischildof:`). */
  parents(name: string): readonly string[]
  children(name: string): readonly string[]
  /** The dimension text of a named definition (`defname:`), or null. */
  definition(name: string): string | null
  /** The files frozen in a snapshot (`snapshot_id`), or null when there is no such snapshot. */
  snapshot(id: number): readonly string[] | null
  /** A project's input snapshot (`snapshot_for_project_name`), or null. */
  projectSnapshot(project: string): readonly string[] | null
  /** A file's consumed status in a project (`project_name P and consumed_status …`); null when the file is not in it. */
  consumedStatus(project: string, file: string): ConsumedStatus | null
  /** The files a project has statuses for. */
  projectFiles(project: string): readonly string[]
  /**
   * Optional memory of answers across evaluations. The evaluator calls it for each sub-query it
   * evaluates over the whole catalog, with a key naming the sub-query (its text and the projects in
   * scope) and `compute`, which evaluates it and returns its files in name order. A catalog may
   * answer with an earlier result for the same key only while nothing that result read through
   * this interface has changed: `compute` asks the catalog for everything it depends on while it
   * runs (the evaluator then reuses nothing it read for another sub-query), so the calls made
   * during it are what it read. Without the method every query is evaluated from scratch.
   */
  remember?(key: string, compute: () => readonly string[]): readonly string[]
}
