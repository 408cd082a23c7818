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
