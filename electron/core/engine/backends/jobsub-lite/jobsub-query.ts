import { remoteCommand } from '../../../ssh/remote-command'
import type { TrackedSubmission } from '../backend'
import { CONDOR_STATUS_ATTRIBUTES } from '../htcondor/condor-ads'
import type { ScriptSection } from '../remote/script-sections'

const ATTRIBUTES = CONDOR_STATUS_ATTRIBUTES.join(',')

/** Who jobsub acts as: `-G group` and `--role role` (the role picks the token). */
export interface JobsubIdentity {
  group: string
  role: string
}

export const identityOf = (sub: TrackedSubmission): JobsubIdentity => ({ group: sub.group, role: sub.role })
export const identityKey = (i: JobsubIdentity): string => `${i.group}\u0000${i.role}`
export const identityArgs = (i: JobsubIdentity): string[] => ['-G', i.group, ...(i.role ? ['--role', i.role] : [])]

/**
 * jobsub_q for these clusters (`123@schedd`: a whole cluster, where `123.0@schedd` would be its
 * first job only; each picks its schedd, and a schedd that does not answer shows on stderr only),
 * then jobsub_history for the same clusters. jobsub_history passes `-json` and the other condor
 * options through to condor_history (protocols.md §1.11); it drops the schedd of an id, so the ads'
 * JobsubJobId tells the schedds apart.
 */
export function jobsubStatusSections(suffix: string, who: JobsubIdentity, clusterIds: readonly string[], clusters: readonly number[], completedSince: number | null): ScriptSection[] {
  return [
    { name: `queue-${suffix}`, command: remoteCommand(['jobsub_q', ...identityArgs(who), '--jobid', clusterIds.join(','), '-json', '-attributes', ATTRIBUTES]) },
    {
      name: `history-${suffix}`,
      command: remoteCommand([
        'jobsub_history',
        ...identityArgs(who),
        '-json',
        '-attributes',
        ATTRIBUTES,
        ...(completedSince === null ? [] : ['-completedsince', String(completedSince)]),
        ...clusters.map(String),
      ]),
    },
  ]
}

/** The same for every job carrying one of these tags, on every schedd of the group. */
export function jobsubTaggedSections(suffix: string, who: JobsubIdentity, constraint: string, completedSince: number | null): ScriptSection[] {
  return [
    { name: `queue-${suffix}`, command: remoteCommand(['jobsub_q', ...identityArgs(who), '--constraint', constraint, '-json', '-attributes', ATTRIBUTES]) },
    {
      name: `history-${suffix}`,
      command: remoteCommand([
        'jobsub_history',
        ...identityArgs(who),
        '-json',
        '-attributes',
        ATTRIBUTES,
        ...(completedSince === null ? [] : ['-completedsince', String(completedSince)]),
        // jobsub_history ignores its own --constraint; condor_history's single-dash one passes through.
        '-constraint',
        constraint,
      ]),
    },
  ]
}
