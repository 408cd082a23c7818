import type { CliContext } from './cli-context'
import { EXIT_FAILURE } from './cli-context'

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']

/** The first SIGINT/SIGTERM asks for a clean stop; a second one while stopping means "now". */
function untilStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const forced = () => process.exit(EXIT_FAILURE)
    const first = (signal: NodeJS.Signals) => {
      for (const s of STOP_SIGNALS) {
        process.off(s, first)
        process.on(s, forced)
      }
      resolve(signal)
    }
    for (const s of STOP_SIGNALS) process.on(s, first)
  })
}

export function nodeCliContext(): CliContext {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    env: process.env,
    logging: { level: 'info', stderr: true },
    stopRequested: untilStopSignal,
    // Loaded on demand: `poms --help` and `poms token` need neither SQLite nor the engine.
    openCore: async (ports, purpose, options) => (await import('../../core/create-core')).createCore(ports, { purpose, ...options }),
  }
}
