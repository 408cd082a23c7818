import { remoteScript } from '../../../ssh/remote-command'
import { SshError } from '../../../ssh/ssh-errors'
import type { ExecResult, SshPool } from '../../../ssh/ssh-pool'
import { BackendUnavailableError, type TrackedSubmission } from '../backend'
import { targetOf } from './host-groups'

/** Runs a script in bash on a submission's host; a host that cannot be reached is BackendUnavailableError. */
export async function execOnTarget(pool: SshPool, sub: TrackedSubmission, script: string, what: string, timeoutMs: number): Promise<ExecResult> {
  const { endpoint } = targetOf(sub)
  try {
    return await pool.exec(endpoint, remoteScript(script), { timeoutMs })
  } catch (err) {
    if (err instanceof SshError) throw new BackendUnavailableError(`${what} on ${endpoint.host}: ${err.message}`)
    throw err
  }
}
