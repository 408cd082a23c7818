import { createLogger, type LoggerOptions } from '../core/logging/logger'
import { systemClock, type Ports } from '../core/ports'
import { FileSecretStore } from '../core/secrets/file-secret-store'
import { resourcesDir } from '../core/app-package'

export interface NodePortsOptions {
  dataDir: string
  logLevel?: LoggerOptions['level']
  /** Echo log lines to stderr as well as the data directory's log file. */
  stderr?: boolean
}

/** The platform the core runs on under plain Node (the server and the CLI): files, the system clock, pino. */
export function createNodePorts(opts: NodePortsOptions): Ports {
  return {
    paths: { dataDir: opts.dataDir, resourcesDir: resourcesDir() },
    secrets: new FileSecretStore(opts.dataDir),
    clock: systemClock,
    // The terminal gets warnings and errors; the log file in the data directory gets everything.
    logger: createLogger({ dataDir: opts.dataDir, level: opts.logLevel ?? 'info', stderr: opts.stderr ?? false, stderrLevel: 'warn' }),
  }
}
