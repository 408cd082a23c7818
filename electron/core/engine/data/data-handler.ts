/** A data handler answers what files a dataset holds (architecture.md §6). More arrive with issue 5. */
export interface DataHandler {
  readonly kind: string
  /** The files of a dataset, in a stable order; throws DatasetError when it cannot be resolved. */
  listFiles(dataset: string): Promise<string[]>
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DatasetError'
  }
}

/** Contiguous shares of `files` for `jobs` jobs; earlier jobs take one extra when it does not divide. */
export function shareFiles(files: readonly string[], jobs: number): string[][] {
  const shares: string[][] = []
  const base = Math.floor(files.length / jobs)
  const extra = files.length % jobs
  let at = 0
  for (let i = 0; i < jobs; i++) {
    const size = base + (i < extra ? 1 : 0)
    shares.push(files.slice(at, at + size))
    at += size
  }
  return shares
}
