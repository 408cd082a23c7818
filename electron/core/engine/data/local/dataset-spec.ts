import { readFile, stat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { glob } from 'tinyglobby'
import { DatasetError } from '../data-handler'

const GLOB_CHARS = /[*?[\]{}]/

/**
 * A `local` dataset: a glob (`/data/run1/*.root`), a list of paths separated by commas or
 * newlines, or `@/path/to/list.txt` naming a file with one path per line (# comments). Paths must
 * be absolute: the app has no working directory a user could rely on.
 */
export type LocalDatasetSpec = { kind: 'glob'; pattern: string } | { kind: 'list'; paths: string[] } | { kind: 'listfile'; path: string }

/** The form of a dataset, or null for an empty one; relative paths are refused. */
export function parseLocalDataset(dataset: string): LocalDatasetSpec | null {
  const spec = dataset.trim()
  if (spec === '') return null
  if (spec.startsWith('@')) {
    const listFile = spec.slice(1).trim()
    if (!isAbsolute(listFile)) throw new DatasetError(`the file list "${listFile}" must be an absolute path`)
    return { kind: 'listfile', path: listFile }
  }
  const entries = splitList(spec)
  if (entries.length === 1 && GLOB_CHARS.test(entries[0]!)) {
    const pattern = entries[0]!
    if (!isAbsolute(pattern)) throw new DatasetError(`the pattern "${pattern}" must be an absolute path`)
    return { kind: 'glob', pattern }
  }
  for (const entry of entries) if (!isAbsolute(entry)) throw new DatasetError(`"${entry}" is not an absolute path`)
  return { kind: 'list', paths: entries }
}

/** Whether a dataset names files (on this machine, or on a batch host as `sftp://setup/…`) rather than a definition or a query. */
export const looksLikeLocalFiles = (dataset: string): boolean => /^\s*(@?\s*\/|sftp:\/\/)/.test(dataset)

/** The files of a dataset: a glob's matches sorted by path, a list's in its own order. */
export async function listLocalDataset(dataset: string): Promise<string[]> {
  const spec = parseLocalDataset(dataset)
  if (spec === null) return []
  if (spec.kind === 'glob') {
    const files = (await glob(spec.pattern, { absolute: true, onlyFiles: true, expandDirectories: false })).sort()
    if (files.length === 0) throw new DatasetError(`no files match ${spec.pattern}`)
    return files
  }
  if (spec.kind === 'list') return existingFiles(spec.paths)
  const text = await readFile(spec.path, 'utf8').catch(() => {
    throw new DatasetError(`the file list ${spec.path} cannot be read`)
  })
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  for (const entry of entries) if (!isAbsolute(entry)) throw new DatasetError(`"${entry}" is not an absolute path`)
  return existingFiles(entries)
}

const splitList = (spec: string): string[] =>
  spec
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== '')

async function existingFiles(paths: readonly string[]): Promise<string[]> {
  for (const path of paths) {
    const info = await stat(path).catch(() => null)
    if (!info) throw new DatasetError(`input file ${path} does not exist`)
    if (!info.isFile()) throw new DatasetError(`input ${path} is not a file`)
  }
  return [...paths]
}
