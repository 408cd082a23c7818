import type { CoreDeps } from '../../../deps'
import type { LocalResultsRecorder } from '../../local-job-results'
import { readLocalJobResults, registerJobResults } from './local-files'

/**
 * For experiments on the `local` data handler: a finished local submission's outputs, and which
 * of its inputs were consumed or failed, go into the local catalog, as SAM would learn them from
 * the jobs. Other experiments' local jobs report to their own data service themselves.
 */
export function localCatalogRecorder(deps: CoreDeps, jobsDir: string): LocalResultsRecorder {
  const { repos } = deps
  return async (sub, snapshot, jobs) => {
    if (repos.experiments.getExperiment(sub.experiment)?.dataHandler !== 'local') return null
    const results = await readLocalJobResults(jobsDir, sub.id, jobs.map((j) => ({ index: j.index, exitCode: j.exitCode })))
    const outcome = await registerJobResults(
      { db: deps.db, catalog: repos.localCatalog, clock: deps.clock },
      {
        experiment: sub.experiment,
        submissionId: sub.id,
        version: snapshot?.launch.variables.version ?? null,
        jobs: results,
        project: repos.submissions.engineState(sub.id)?.project ?? null,
        endProject: true,
      },
    )
    return `job results recorded in the local catalog: ${outcome.outputs} output${outcome.outputs === 1 ? '' : 's'}, ${outcome.consumed} input${outcome.consumed === 1 ? '' : 's'} consumed, ${outcome.failed} failed`
  }
}
