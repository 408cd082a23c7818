import { declaredOutputsQuery, locatedOutputsQuery } from '../../../../../shared/splits/submission-queries'
import type { LocatedVerdict, SubmissionFacts } from '../data-handler'
import type { DimensionBackend } from '../dimension-backend'
import { definitionCount, dependencyDefinitionName } from './dependencies'

/**
 * poms-reference.md §7.2, completion_type `located`, the data side only: `complete`, the 2-day
 * give-up and force_located are the engine's. Located when count ≥ threshold, and the threshold is
 * not 0 unless the submission is a recovery (a project that consumed nothing never locates here).
 */
export async function located(backend: DimensionBackend, facts: SubmissionFacts, completionPct: number): Promise<LocatedVerdict> {
  if (facts.project === null) {
    // The jobs were expected to declare poms_depends_<sid>_1; the threshold is the job count.
    const name = dependencyDefinitionName(facts, 1)
    const count = Math.max(await definitionCount(backend, name), 0)
    const threshold = ((facts.jobCount ?? 0) * completionPct) / 100
    return verdict(facts, count, threshold, `no project: ${count} files in ${name} (${declaredOutputsQuery(name)}) against ${facts.jobCount ?? 0} jobs × ${completionPct}%`)
  }
  const summary = await backend.projectSummary(facts.project)
  if (summary === null) return { located: false, count: 0, threshold: 0, detail: `project ${facts.project} is not known to the catalog yet` }
  const dims = locatedOutputsQuery({ ...facts, project: facts.project })
  const count = await backend.countFiles(dims)
  const consumed = summary.consumed + summary.completed
  const threshold = (consumed * completionPct) / 100
  return verdict(facts, count, threshold, `${count} input files with located outputs against ${consumed} consumed × ${completionPct}%: ${dims}`)
}

function verdict(facts: SubmissionFacts, count: number, threshold: number, detail: string): LocatedVerdict {
  const located = count >= threshold && (threshold !== 0 || facts.isRecovery)
  const zero = threshold === 0 && !facts.isRecovery ? ' (a zero threshold never locates; the engine gives up waiting after 2 days)' : ''
  return { located, count, threshold, detail: `${detail}${zero}` }
}
