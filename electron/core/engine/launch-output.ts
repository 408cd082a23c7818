import { CappedFileWriter } from '../files/capped-file'

const SECRET_KEY = /(TOKEN|SECRET|PASSWORD|PASSPHRASE|PROXY_PASS|CREDENTIAL)/i
const SECRET_ASSIGNMENT = /\b([A-Za-z_][A-Za-z0-9_]*(?:TOKEN|SECRET|PASSWORD|PASSPHRASE)[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g

/** Removes token values from a line before it is stored (what `set -x` prints included). */
export function redactSecrets(line: string): string {
  return line.replace(SECRET_ASSIGNMENT, '$1=[redacted]').replace(BEARER, '$1[redacted]')
}

export const redactEnv = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : v]))

/** A launch's captured output: capped, redacted, one line at a time, with a callback for live views. */
export function openLaunchOutput(file: string, onAppend: () => void) {
  const writer = new CappedFileWriter(file)
  return {
    line(text: string): void {
      writer.write(`${redactSecrets(text)}\n`)
      onAppend()
    },
    close: () => writer.close(),
  }
}
export type LaunchOutput = ReturnType<typeof openLaunchOutput>
