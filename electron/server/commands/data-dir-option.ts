import type { Command } from 'commander'
import { resolve } from 'node:path'
import { defaultDataDir } from '../../core/data-dir'

export interface DataDirOptions {
  dataDir?: string
}

/** `--data-dir`, for every command that works on a data directory. */
export const withDataDirOption = (command: Command): Command =>
  command.option('--data-dir <dir>', 'data directory (default: $POMS_DATA_DIR, else the desktop app\'s folder)')

/** `--data-dir`, then POMS_DATA_DIR, then the desktop app's folder (architecture.md §2); always absolute. */
export const dataDirFrom = (options: DataDirOptions, env: NodeJS.ProcessEnv): string => resolve(options.dataDir ?? defaultDataDir(env))
