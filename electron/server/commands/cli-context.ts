import type { CoreApi } from '../../core/core-api'
import type { LoggerOptions } from '../../core/logging/logger'
import type { CoreOptions } from '../../core/create-core'
import type { Ports } from '../../core/ports'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/**
 * What a command may use from the world outside it. The real one (node-cli-context.ts) wires the
 * process; tests hand in their own, so every command runs in-process under vitest.
 */
export interface CliContext {
  /** Raw writes; commands end their lines themselves. */
  out(text: string): void
  err(text: string): void
  env: NodeJS.ProcessEnv
  /** How commands that run the core log: a server in a terminal echoes to stderr; tests stay silent. */
  logging: { level: NonNullable<LoggerOptions['level']>; stderr: boolean }
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopRequested(): Promise<string>
  /**
   * Opens the store and starts the core; rejects when the store is locked by another process or too
   * new. A one-shot command's core launches nothing by itself (`automaticLaunches: false`).
   */
  openCore(ports: Ports, purpose: string, options?: Pick<CoreOptions, 'automaticLaunches'>): Promise<CoreApi>
}

/** A failure a command reports as one message on stderr, with its exit code. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message)
    this.name = 'CliFailure'
  }
}
