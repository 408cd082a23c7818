import type { SshEndpoint } from '../../../ssh/ssh-pool'
import type { TrackedSubmission } from '../backend'

/** Submissions of one host and account that share a login setup: one part of that host's script. */
export interface SetupGroup {
  setup: string
  submissions: TrackedSubmission[]
}

/** Everything one exec on one host covers. */
export interface HostGroup {
  endpoint: SshEndpoint
  /** IANA zone of the host (from the first submission; one host has one zone). */
  timezone: string
  setups: SetupGroup[]
}

export const endpointKey = (e: SshEndpoint): string => `${e.username}@${e.host}:${e.port}`

/** The endpoint of a remote submission; a submission without one is a bug upstream. */
export function targetOf(sub: TrackedSubmission) {
  if (!sub.target) throw new Error(`submission ${sub.shortId} has no launch host`)
  return sub.target
}

/** Groups submissions by host and account (one exec each), then by login setup within a host. */
export function groupByHost(submissions: readonly TrackedSubmission[]): HostGroup[] {
  const hosts = new Map<string, HostGroup>()
  for (const sub of submissions) {
    const target = targetOf(sub)
    const key = endpointKey(target.endpoint)
    let host = hosts.get(key)
    if (!host) {
      host = { endpoint: target.endpoint, timezone: target.timezone, setups: [] }
      hosts.set(key, host)
    }
    let group = host.setups.find((g) => g.setup === sub.setup)
    if (!group) {
      group = { setup: sub.setup, submissions: [] }
      host.setups.push(group)
    }
    group.submissions.push(sub)
  }
  return [...hosts.values()]
}
