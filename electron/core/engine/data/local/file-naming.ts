import { sep } from 'node:path'

/**
 * The catalog name of a file on this machine: its base name, as SAM names files, unless another
 * catalog file already has it; then the shortest tail of its path that is free (`out-3/hist.root`,
 * then `s-7KQ2MX/out-3/hist.root`…), and at worst the absolute path, which is unique because a path
 * is registered once. A tail keeps the base name at the end, so `file_name like '%.root'` patterns
 * still match.
 */
export function uniqueCatalogName(path: string, isTaken: (name: string) => boolean): string {
  const parts = path.split(sep).filter((part) => part !== '')
  for (let take = 1; take <= parts.length; take++) {
    const candidate = parts.slice(-take).join('/')
    if (!isTaken(candidate)) return candidate
  }
  if (!isTaken(path)) return path
  throw new Error(`no free catalog name for ${path}`)
}
