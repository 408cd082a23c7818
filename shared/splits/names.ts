import { isDimsText } from './dims'

/**
 * The names POMS gives the SAM definitions and projects it creates (poms-reference.md §4 table,
 * §4.2, §5.1, §6.3), in one place. Slice names start with the dataset, as in POMS, so a person can
 * tell which dataset a definition slices.
 */

/** Stands in, in previews, for the snapshot id SAM only assigns when a launch takes the snapshot. */
export const UNKNOWN_SNAPSHOT = '<snapshot>'
/** Stands in, in previews, for the fresh uuid of POMS's uuid names. */
export const UNKNOWN_UUID = '<uuid>'

const safe = (text: string): string => text.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '')

/**
 * What slice names start with: the dataset itself when it is a definition name (POMS), or
 * `poms_<stage>` when the dataset is a dimension query, whose text cannot be part of a name.
 */
export const slicePrefix = (dataset: string, stageName: string): string => (isDimsText(dataset) ? `poms_${safe(stageName)}` : dataset.trim())

export const sliceNames = {
  mod: (prefix: string, k: number, n: number) => `${prefix}_slice${k}_of_${n}`,
  nfiles: (prefix: string, k: number, n: number) => `${prefix}_slice${k}_files${n}`,
  limitn: (prefix: string, id: string, n: number) => `${prefix}_${id}_limit${n}`,
  /** drainingn and stagedfiles; POMS writes 0 before the first snapshot. */
  staged: (prefix: string, snapshot: number | string, n: number) => `${prefix}_slice_${snapshot}_stage_${n}`,
  existingRun: (prefix: string, snapshot: number | string, run: string) => `${prefix}_slice_${snapshot}_run_${run}`,
  byrun: (prefix: string, id: string, run: number) => `${prefix}_${id}_run_${run}`,
  window: (prefix: string, id: string, start: number, end: number) => `${prefix}_${id}_time_${start}__${end}`,
}

/**
 * The cumulative-snapshot definitions of §4.2. POMS makes them by replacing "slice" with "full" in
 * the slice name (every occurrence, so also inside a dataset called e.g. `reslice_a`) and
 * appending the epoch second; we build them from the parts instead.
 */
export const fullNames = {
  staged: (prefix: string, snapshot: number, n: number, epochSeconds: number) => `${prefix}_full_${snapshot}_stage_${n}_${epochSeconds}`,
  existingRun: (prefix: string, snapshot: number, run: string, epochSeconds: number) => `${prefix}_full_${snapshot}_run_${run}_${epochSeconds}`,
}

/** §5.1: `poms_recover_<uuid>_<submission>_<position>`. */
export const recoveryName = (uuid: string, submissionId: string, position: number): string => `poms_recover_${uuid}_${submissionId}_${position}`

/** §6.3: `poms_depends_<submission>_<i>`; analysis users' definitions must carry their name. */
export const dependencyName = (submissionId: string, index: number, analysisUser: string | null): string =>
  analysisUser === null ? `poms_depends_${submissionId}_${index}` : `poms_${analysisUser}_depends_${submissionId}_${index}`

/** The project a submission consumes its dataset through, and the definition made for a query dataset. */
export const projectName = (stageName: string, shortId: string): string => `poms_${safe(stageName)}_${shortId}`
