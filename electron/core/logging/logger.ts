import pino from 'pino'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '../ports'

export interface LoggerOptions {
  /** Write JSON lines to `<dataDir>/logs/poms.log`; omit for stderr only. */
  dataDir?: string
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** Also echo to stderr (servers, the CLI). */
  stderr?: boolean
  /** The least severe level echoed to stderr; the log file still gets `level`. */
  stderrLevel?: 'debug' | 'info' | 'warn' | 'error'
}

/** Keys whose values never reach a log line (architecture.md §8). */
const REDACT = ['token', 'password', 'passphrase', 'secret', '*.token', '*.password', '*.passphrase', '*.secret', 'authorization']

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, data) => p.debug(data ?? {}, msg),
    info: (msg, data) => p.info(data ?? {}, msg),
    warn: (msg, data) => p.warn(data ?? {}, msg),
    error: (msg, data) => p.error(data ?? {}, msg),
    child: (scope) => wrap(p.child({ scope })),
  }
}

/** For tests and tools that want no output. */
export const silentLogger: Logger = wrap(pino({ level: 'silent' }))

export function createLogger(opts: LoggerOptions = {}): Logger {
  if (opts.level === 'silent') return silentLogger
  const level = opts.level ?? 'info'
  const streams: pino.StreamEntry[] = []
  if (opts.dataDir) {
    const dir = join(opts.dataDir, 'logs')
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    streams.push({ level, stream: pino.destination({ dest: join(dir, 'poms.log'), mkdir: true, sync: false }) })
  }
  if (opts.stderr) streams.push({ level: opts.stderrLevel ?? level, stream: pino.destination(2) })
  if (streams.length === 0) return wrap(pino({ level: 'silent' }))
  return wrap(pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.multistream(streams)))
}

