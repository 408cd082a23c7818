import { posix } from 'node:path'
import picomatch from 'picomatch'
import { DatasetError } from '../data-handler'
import { parseLocalDataset } from './dataset-spec'

/**
 * A `local` dataset whose files are on a batch host: `sftp://<login setup>/abs/glob/*.root` or
 * `sftp://<login setup>/abs/a.root, /abs/b.root`. The login setup (of the stage's experiment)
 * says which host and account; its files enter the local catalog under this prefix, so they never
 * mix with files of the same path on this machine or another host.
 */
export interface RemoteDataset {
  loginSetup: string
  spec: { kind: 'glob'; pattern: string } | { kind: 'list'; paths: string[] }
}

const REMOTE = /^\s*sftp:\/\/([^/\s]+)(\/[\s\S]*)$/

export const isRemoteDataset = (dataset: string): boolean => REMOTE.test(dataset)

export function parseRemoteDataset(dataset: string): RemoteDataset | null {
  const m = REMOTE.exec(dataset)
  if (!m) return null
  const spec = parseLocalDataset(m[2]!.trim())
  if (spec === null || spec.kind === 'listfile') throw new DatasetError(`${dataset.trim()}: a remote dataset is a glob or a list of absolute paths`)
  return { loginSetup: m[1]!, spec }
}

/** The catalog path of a file on a host, and back. */
export const remoteCatalogPath = (loginSetup: string, path: string): string => `sftp://${loginSetup}${path}`
export function hostPathOf(catalogPath: string): string {
  const m = REMOTE.exec(catalogPath)
  return m ? m[2]! : catalogPath
}

export interface FoundRemoteFile {
  /** The catalog path (`sftp://setup/abs/path`). */
  path: string
  size: number
  mtimeMs: number
}

/** Runs a command given as an argument vector on a login setup's host (quoted there, never a shell here). */
export type RemoteExec = (loginSetup: string, argv: readonly string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>

// One record per regular file: size, mtime (epoch seconds with a fraction), path; NUL-terminated.
const PRINTF = '%s %T@ %p\\0'

/**
 * The files of a remote dataset with their size and mtime, found with one `find` on the host:
 * a glob's matches in path order (`*` and `?` never cross `/`, `**` does; dot files only when the
 * pattern names them, as for globs on this machine), a list's in its own order, every one required.
 */
export async function listRemoteDataset(dataset: RemoteDataset, exec: RemoteExec): Promise<FoundRemoteFile[]> {
  const where = `on ${dataset.loginSetup}`
  if (dataset.spec.kind === 'list') {
    const paths = dataset.spec.paths
    const found = await findFiles(exec, dataset.loginSetup, [...paths, '-maxdepth', '0', '-type', 'f', '-printf', PRINTF], true)
    const byPath = new Map(found.map((f) => [f.hostPath, f]))
    return paths.map((path) => {
      const f = byPath.get(path)
      if (!f) throw new DatasetError(`input file ${path} does not exist ${where} (or is not a regular file)`)
      return { path: remoteCatalogPath(dataset.loginSetup, path), size: f.size, mtimeMs: f.mtimeMs }
    })
  }
  const { pattern } = dataset.spec
  const { root, depth } = globRoot(pattern)
  const isMatch = picomatch(pattern, { dot: false })
  const args = [root, '-mindepth', '1', ...(depth === null ? [] : ['-maxdepth', String(depth)]), '-type', 'f', '-printf', PRINTF]
  const matched = (await findFiles(exec, dataset.loginSetup, args, false)).filter((f) => isMatch(f.hostPath))
  if (matched.length === 0) throw new DatasetError(`no files match ${pattern} ${where}`)
  return matched
    .sort((a, b) => (a.hostPath < b.hostPath ? -1 : a.hostPath > b.hostPath ? 1 : 0))
    .map((f) => ({ path: remoteCatalogPath(dataset.loginSetup, f.hostPath), size: f.size, mtimeMs: f.mtimeMs }))
}

/** The folder a glob starts in (its segments before the first with a glob character) and how deep it reaches (null: `**`). */
export function globRoot(pattern: string): { root: string; depth: number | null } {
  const parts = pattern.split('/').filter((p) => p !== '')
  const first = parts.findIndex((p) => /[*?[\]{}]/.test(p))
  const fixed = first === -1 ? parts.length - 1 : first
  const root = `/${parts.slice(0, fixed).join('/')}`
  const rest = parts.slice(fixed)
  return { root: posix.normalize(root), depth: rest.some((p) => p.includes('**')) ? null : rest.length }
}

async function findFiles(exec: RemoteExec, loginSetup: string, args: string[], missingAllowed: boolean) {
  const result = await exec(loginSetup, ['find', ...args])
  // find exits 1 when a start point is missing or unreadable: a list reports each missing file itself.
  if (result.code !== 0 && !(result.code === 1 && (missingAllowed || result.stdout !== ''))) {
    const why = result.stderr.trim().split('\n').slice(-3).join(' / ') || `find exited with ${String(result.code)}`
    throw new DatasetError(`cannot list the files on ${loginSetup}: ${why}`)
  }
  return result.stdout
    .split('\0')
    .filter((record) => record !== '')
    .map((record) => {
      const m = /^(\d+) (\d+(?:\.\d+)?) (\/[\s\S]*)$/.exec(record)
      if (!m) throw new DatasetError(`cannot read find's answer from ${loginSetup}: ${JSON.stringify(record.slice(0, 80))}`)
      return { size: Number(m[1]), mtimeMs: Math.round(Number(m[2]) * 1000), hostPath: m[3]! }
    })
}
