import type { Clock, Logger } from '../../../ports'
import type { SshPool } from '../../../ssh/ssh-pool'
import type { Backend, LaunchIo, LaunchPlan, SubmitResult } from '../backend'
import { remoteLaunchScript } from '../remote-launch-script'
import { adoptTaggedJobs } from './adopt'
import { LaunchOutcomeUnknown, runLaunch, type LaunchRun } from './launch-run'
import { checkedSubmissionId } from './submission-id'

/** How a backend dresses a plan for its batch system: extra setup lines and the tag environment. */
export type LaunchParts = (plan: LaunchPlan) => { plan: LaunchPlan; tagEnv: Record<string, string> }

/** The exact script a launch runs on the host (dry runs show it). */
export function launchScriptOf(parts: LaunchParts, plan: LaunchPlan): string {
  const { plan: dressed, tagEnv } = parts(plan)
  return remoteLaunchScript(dressed, tagEnv)
}

/**
 * A remote backend's submit: runs the launch script on the host and reads its job ids with `read`
 * (which throws LaunchError when there are none); when the connection ended without telling whether
 * jobs were submitted, the submission's tagged jobs are looked for instead of launching again.
 */
export async function launchOnHost(
  backend: Backend,
  pool: SshPool,
  parts: LaunchParts,
  plan: LaunchPlan,
  io: LaunchIo,
  timeoutMs: number,
  read: (launched: LaunchRun) => SubmitResult,
): Promise<SubmitResult> {
  checkedSubmissionId(plan.id)
  const { plan: dressed, tagEnv } = parts(plan)
  let launched: LaunchRun
  try {
    launched = await runLaunch(pool, dressed, tagEnv, io, timeoutMs)
  } catch (err) {
    if (err instanceof LaunchOutcomeUnknown) return adoptTaggedJobs(backend, plan, err, io)
    throw err
  }
  return read(launched)
}

/** What every remote backend is built from. */
export interface RemoteBackendOptions {
  pool: SshPool
  clock: Clock
  logger: Logger
  /** How long a launch script may run (default 30 min). */
  launchTimeoutMs?: number
  /** How long one host's status query may take (default 2 min). */
  queryTimeoutMs?: number
  /** How much of each log file fetchLog returns, from the end (default 1 MiB). */
  logCapBytes?: number
}
