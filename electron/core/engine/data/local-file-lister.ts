import { readFile, stat } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { glob } from 'tinyglobby'
import { DatasetError, type FileLister } from './data-handler'

const GLOB_CHARS = /[*?[\]{}]/

/**
 * The `local` data handler: a dataset is a glob (`/data/run1/*.root`), a list of paths separated
 * by commas or newlines, or `@/path/to/list.txt` naming a file with one path per line (# comments).
 * Paths must be absolute: the app has no working directory a user could rely on.
 */
export function createLocalFileLister(): FileLister {
  async function fromList(entries: string[]): Promise<string[]> {
    const files: string[] = []
    for (const entry of entries) {
      if (!isAbsolute(entry)) throw new DatasetError(`"${entry}" is not an absolute path`)
      const info = await stat(entry).catch(() => null)
      if (!info) throw new DatasetError(`input file ${entry} does not exist`)
      if (!info.isFile()) throw new DatasetError(`input ${entry} is not a file`)
      files.push(entry)
    }
    return files
  }

  return {
    kind: 'local',
    async listFiles(dataset: string): Promise<string[]> {
      const spec = dataset.trim()
      if (spec === '') return []
      if (spec.startsWith('@')) {
        const listFile = spec.slice(1).trim()
        if (!isAbsolute(listFile)) throw new DatasetError(`the file list "${listFile}" must be an absolute path`)
        const text = await readFile(listFile, 'utf8').catch(() => {
          throw new DatasetError(`the file list ${listFile} cannot be read`)
        })
        return fromList(
          text
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '' && !line.startsWith('#')),
        )
      }
      const entries = spec
        .split(/[,\n]/)
        .map((part) => part.trim())
        .filter((part) => part !== '')
      if (entries.length === 1 && GLOB_CHARS.test(entries[0]!)) {
        const pattern = entries[0]!
        if (!isAbsolute(pattern)) throw new DatasetError(`the pattern "${pattern}" must be an absolute path`)
        const files = (await glob(pattern, { absolute: true, onlyFiles: true, expandDirectories: false })).sort()
        if (files.length === 0) throw new DatasetError(`no files match ${pattern}`)
        return files
      }
      return fromList(entries)
    },
  }
}
