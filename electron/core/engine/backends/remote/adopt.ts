import { LaunchError, type Backend, type LaunchIo, type LaunchPlan, type SubmitResult } from '../backend'
import type { LaunchOutcomeUnknown } from './launch-run'

/**
 * The connection dropped while the launch script ran, so jobs may or may not exist: ask the batch
 * system for the submission's tagged jobs and adopt them, so a retry never launches twice.
 */
export async function adoptTaggedJobs(backend: Backend, plan: LaunchPlan, lost: LaunchOutcomeUnknown, io: LaunchIo): Promise<SubmitResult> {
  io.log(`== the launch lost its connection (${lost.message}); looking for jobs tagged with this submission ==`)
  let found: Awaited<ReturnType<Backend['findTagged']>>
  try {
    found = await backend.findTagged([plan])
  } catch (err) {
    throw new LaunchError(
      `the launch lost its connection (${lost.message}) and the host could not be asked whether jobs were submitted (${(err as Error).message}); ` +
        `look for jobs tagged POMS4_SUBMISSION_ID=${plan.id} before launching again`,
    )
  }
  const hit = found.get(plan.id)
  if (!hit) throw new LaunchError(`the launch lost its connection (${lost.message}) and no job tagged with this submission exists`)
  io.log(`== found the submission's jobs: ${hit.batchId} ==`)
  return hit
}
