import type { Submission, SubmissionSnapshot } from '../../../shared/domain/submission'
import type { TrackedSubmission } from './backends/backend'

/** A submission as its backend needs to see it, from the frozen snapshot (never from live rows). */
export function trackedSubmission(submission: Submission, snapshot: SubmissionSnapshot | null): TrackedSubmission {
  if (!snapshot) {
    // Every launch writes its snapshot in its journal; a store damaged outside the app may lack it.
    // Such a submission can still be followed where no host is involved (the local backend).
    return { id: submission.id, shortId: submission.shortId, experiment: submission.experiment, batchId: submission.batchId, backend: submission.backend, target: null, auth: null, setup: '', env: {}, group: submission.experiment, role: '', createdAt: submission.createdAt }
  }
  const { launch } = snapshot
  return {
    id: submission.id,
    shortId: submission.shortId,
    experiment: submission.experiment,
    batchId: submission.batchId,
    backend: submission.backend,
    target: launch.target
      ? { endpoint: { host: launch.target.host, port: launch.target.port, username: launch.target.account }, timezone: launch.target.timezone }
      : null,
    auth: launch.target
      ? { name: snapshot.loginSetup.name, authMethod: snapshot.loginSetup.authMethod, keyFile: snapshot.loginSetup.keyFile, secretRef: snapshot.loginSetup.secretRef }
      : null,
    setup: launch.setup,
    env: launch.env,
    group: launch.group,
    role: launch.role,
    createdAt: submission.createdAt,
  }
}
