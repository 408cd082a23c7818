import type { FileLister } from './data-handler'
import { listLocalDataset } from './local/dataset-spec'

/** The files of a local dataset (local/dataset-spec.ts) for local launches. */
export function createLocalFileLister(): FileLister {
  return { kind: 'local', listFiles: listLocalDataset }
}
