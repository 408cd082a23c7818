import { CappedStreamWriter } from '../files/capped-file'

const SECRET_KEY = /(TOKEN|SECRET|PASSWORD|PASSPHRASE|PROXY_PASS|CREDENTIAL)/i
const SECRET_ASSIGNMENT = /\b([A-Za-z_][A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSPHRASE)[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g

/** Removes token values from a line before it is stored (what `set -x` prints included). */
export function redactSecrets(line: string): string {
  return line.replace(SECRET_ASSIGNMENT, '$1=[redacted]').replace(BEARER, '$1[redacted]')
}

export const redactEnv = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : v]))

/**
 * A launch's captured output: capped, redacted, one line at a time. Lines written in the same turn
 * of the event loop reach the file in one write, and live views hear of them once per write.
 */
export function openLaunchOutput(file: string, onAppend: () => void) {
  const writer = new CappedStreamWriter(file)
  let pending: string[] = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (pending.length === 0) return
    writer.write(pending.join(''))
    pending = []
    onAppend()
  }
  return {
    line(text: string): void {
      pending.push(`${redactSecrets(text)}\n`)
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    },
    /** Writes what is pending at once (before the outcome is recorded, and on close). */
    flush,
    /** Resolves once the output is on disk. */
    close(): Promise<void> {
      flush()
      return writer.close()
    },
  }
}
export type LaunchOutput = ReturnType<typeof openLaunchOutput>
