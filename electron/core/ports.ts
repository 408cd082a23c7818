/**
 * What the core needs from the platform it runs on. Electron main, the Node server, the CLI and
 * tests each supply their own, so the core never imports `electron` (architecture.md §3).
 */
export interface Paths {
  /** The data directory: store, logs, launch outputs, token. */
  dataDir: string
  /** Files shipped with the app (sample job scripts); read-only. */
  resourcesDir: string
}

/** Secrets are referenced by id from rows; values live here (architecture.md §4, §8). */
export interface SecretStore {
  /** Human-readable description of where values are kept, with a warning when it is clear text. */
  readonly description: string
  readonly encrypted: boolean
  get(id: string): Promise<string | null>
  set(id: string, value: string): Promise<void>
  delete(id: string): Promise<void>
}

export interface Clock {
  now(): number
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void
  info(msg: string, data?: Record<string, unknown>): void
  warn(msg: string, data?: Record<string, unknown>): void
  error(msg: string, data?: Record<string, unknown>): void
  child(scope: string): Logger
}

export interface Notifier {
  notify(title: string, body: string): void
}

export interface Ports {
  paths: Paths
  secrets: SecretStore
  clock: Clock
  logger: Logger
  notifier?: Notifier
}

export const systemClock: Clock = { now: () => Date.now() }
