import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { Backend, TrackedSubmission } from '../../electron/core/engine/backends/backend'
import { silentLogger } from '../../electron/core/logging/logger'
import { fingerprintOf, memoryHostKeyStore } from '../../electron/core/ssh/host-keys'
import { createSshPool, type SshEndpoint, type SshPool } from '../../electron/core/ssh/ssh-pool'
import type { JobUpdate } from '../../electron/core/store/repos/job-repo'
import { requireService } from './services'

/** A loopback test host reached over SSH: where it is, its host key, the client key that logs in. */
export interface TestHost {
  endpoint: SshEndpoint
  /** The host's public key file (`ssh-ed25519 AAAA… comment`). */
  hostKeyPub: string
  /** The client's private key file. */
  clientKey: string
  env: Record<string, string>
}

/** The HTCondor chroot's sshd (test/services/condor.sh); fails the test if it is down. */
export function condorHost(): TestHost {
  const env = requireService('condor')
  return { endpoint: { host: env.CONDOR_SSH_HOST!, port: Number(env.CONDOR_SSH_PORT), username: env.CONDOR_SSH_USER! }, hostKeyPub: env.CONDOR_SSH_HOST_KEY_PUB!, clientKey: env.CONDOR_SSH_KEY!, env }
}

/** The plain sshd test host (test/services/sshd.sh), also the Slurm login host; fails the test if it is down. */
export function sshdHost(): TestHost {
  const env = requireService('sshd')
  return { endpoint: { host: env.SSHD_HOST!, port: Number(env.SSHD_PORT), username: env.SSHD_USER! }, hostKeyPub: env.SSHD_HOST_KEY_PUB!, clientKey: env.SSHD_CLIENT_KEY!, env }
}

/** The SHA256 fingerprint of a public key file, as the pool and `ssh-keygen -l` show it. */
export const hostKeyFingerprint = (pubFile: string): string => fingerprintOf(Buffer.from(readFileSync(pubFile, 'utf8').trim().split(/\s+/)[1]!, 'base64'))

/** An SSH pool that trusts exactly the test host's key and logs in with the test client key. */
export function pinnedPool(host: TestHost, opts: { connectTimeoutMs?: number } = {}): SshPool {
  const hostKeys = memoryHostKeyStore([{ host: host.endpoint.host, port: host.endpoint.port, keyType: 'ssh-ed25519', fingerprint: hostKeyFingerprint(host.hostKeyPub) }])
  const key = readFileSync(host.clientKey, 'utf8')
  return createSshPool({ hostKeys, credentials: async () => ({ privateKey: key }), logger: silentLogger, ...opts })
}

/** Counts the commands a pool runs (one query per host per cycle is a promise worth checking). */
export function countExecs(pool: SshPool): () => number {
  let execs = 0
  const exec = pool.exec.bind(pool)
  pool.exec = (...args) => {
    execs++
    return exec(...args)
  }
  return () => execs
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A submission's jobs as the backend reports them; a partial answer fails the test. */
export async function jobsOf(backend: Backend, sub: TrackedSubmission): Promise<JobUpdate[]> {
  const result = await backend.query([sub])
  expect(result.partial, result.partialReason).toBe(false)
  return result.jobs.get(sub.id) ?? []
}

/** Polls until `done` holds for the submission's jobs, recording every state each job was seen in. */
export async function pollJobs(backend: Backend, sub: TrackedSubmission, done: (jobs: JobUpdate[]) => boolean, seen?: Map<number, Set<string>>, timeoutMs = 90_000): Promise<JobUpdate[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const jobs = await jobsOf(backend, sub)
    for (const j of jobs) seen?.set(j.index, (seen.get(j.index) ?? new Set()).add(j.state))
    if (done(jobs)) return jobs
    if (Date.now() > deadline) throw new Error(`timed out; last states ${jobs.map((j) => `${j.index}:${j.state}`).join(' ')}`)
    await sleep(700)
  }
}
