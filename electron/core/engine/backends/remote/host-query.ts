import { remoteScript } from '../../../ssh/remote-command'
import { SshError } from '../../../ssh/ssh-errors'
import type { SshPool } from '../../../ssh/ssh-pool'
import type { JobUpdate } from '../../../store/repos/job-repo'
import { BackendUnavailableError, type QueryResult, type TrackedSubmission } from '../backend'
import { endpointKey, groupByHost, type HostGroup } from './host-groups'
import { sectionedScript, splitSections, type ScriptPart, type SectionOutput } from './script-sections'

/** What one host said about its submissions. */
export interface HostAnswer {
  jobs: Map<string, JobUpdate[]>
  /** Parts of the batch system that did not answer; any makes the result partial. */
  problems: string[]
}

/** How a backend asks one host: the script parts, and how to read their sections. */
export interface HostAsk<T> {
  parts: ScriptPart[]
  read(sections: Map<string, SectionOutput>): T
}

export interface HostOutcome<T> {
  host: HostGroup
  answer: T | null
  /** Why the host could not be asked at all. */
  failure: string | null
}

/**
 * One exec per host (all hosts at once): the parts of every login setup of that host in one
 * script, split back into sections for the backend to read.
 */
export async function askEachHost<T>(
  pool: SshPool,
  submissions: readonly TrackedSubmission[],
  timeoutMs: number,
  ask: (host: HostGroup) => HostAsk<T>,
): Promise<HostOutcome<T>[]> {
  return Promise.all(
    groupByHost(submissions).map(async (host): Promise<HostOutcome<T>> => {
      const { parts, read } = ask(host)
      if (parts.every((p) => p.sections.length === 0)) return { host, answer: read(new Map()), failure: null }
      const { script, nonce } = sectionedScript(parts)
      try {
        const result = await pool.exec(host.endpoint, remoteScript(script), { timeoutMs, maxOutputBytes: 256 * 1024 * 1024 })
        return { host, answer: read(splitSections(result.stdout, result.stderr, nonce)), failure: null }
      } catch (err) {
        if (!(err instanceof SshError)) throw err
        return { host, answer: null, failure: `${endpointKey(host.endpoint)}: ${err.message}` }
      }
    }),
  )
}

/**
 * The hosts' answers as one QueryResult. A host that could not be asked, or whose batch system
 * answered only in part, makes the result partial (never "finished" by absence); when no host could
 * be asked at all the batch system is unavailable. Only hosts that answered completely can say a
 * submission is unknown.
 */
export function foldAnswers(outcomes: readonly HostOutcome<HostAnswer>[]): QueryResult {
  const failures = outcomes.filter((o) => o.failure !== null)
  if (outcomes.length > 0 && failures.length === outcomes.length) {
    throw new BackendUnavailableError(failures.map((f) => f.failure).join('; '))
  }
  const jobs = new Map<string, JobUpdate[]>()
  const unknown: string[] = []
  const reasons: string[] = failures.map((f) => f.failure!)
  for (const { host, answer } of outcomes) {
    if (!answer) continue
    for (const [id, list] of answer.jobs) jobs.set(id, list)
    reasons.push(...answer.problems.map((p) => `${endpointKey(host.endpoint)}: ${p}`))
    if (answer.problems.length > 0) continue
    for (const g of host.setups) for (const sub of g.submissions) if (!answer.jobs.has(sub.id)) unknown.push(sub.id)
  }
  return reasons.length > 0 ? { jobs, unknown, partial: true, partialReason: reasons.join('; ') } : { jobs, unknown, partial: false }
}

/** Tag searches must be complete to be believed: any host or part that did not answer is an error. */
export function foldTagged(outcomes: readonly HostOutcome<{ found: Map<string, { batchId: string; jobs: JobUpdate[] }>; problems: string[] }>[]) {
  const reasons = outcomes.flatMap((o) => (o.failure ? [o.failure] : o.answer!.problems.map((p) => `${endpointKey(o.host.endpoint)}: ${p}`)))
  if (reasons.length > 0) throw new BackendUnavailableError(`cannot search for tagged jobs: ${reasons.join('; ')}`)
  const found = new Map<string, { batchId: string; jobs: JobUpdate[] }>()
  for (const o of outcomes) for (const [id, v] of o.answer!.found) found.set(id, v)
  return found
}
