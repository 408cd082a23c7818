import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError, LaunchError, type Backend, type LaunchPlan, type TrackedSubmission } from '../../electron/core/engine/backends/backend'
import { createHtcondorBackend } from '../../electron/core/engine/backends/htcondor/htcondor-backend'
import { silentLogger } from '../../electron/core/logging/logger'
import { systemClock } from '../../electron/core/ports'
import { remoteCommand } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import { newId } from '../../electron/core/store/ids'
import type { JobUpdate } from '../../electron/core/store/repos/job-repo'
import { countExecs, condorHost, jobsOf as backendJobs, pinnedPool, pollJobs } from '../helpers/test-hosts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** proc 3 exits 3, proc 7 is killed by SIGKILL, the others succeed; $2 seconds of sleep. */
const JOB_SCRIPT = `#!/bin/bash
echo "proc $1 starting hostile=[$POMS_HOSTILE]"
echo "proc $1 stderr" >&2
sleep "$2"
case "$1" in
  3) exit 3 ;;
  7) kill -9 $$ ;;
esac
echo "proc $1 done"
`
const submitFile = (procs: number, seconds: number) =>
  `executable = job.sh\narguments = $(Process) ${seconds}\noutput = out.$(Cluster).$(Process)\nerror = err.$(Cluster).$(Process)\nlog = job.log\ngetenv = POMS_HOSTILE\nqueue ${procs}\n`

describe('HTCondor backend against HTCondor 23 over SSH', () => {
  let pool: SshPool
  let endpoint: SshEndpoint
  let backend: Backend
  let dir: string
  let condorRoot: string
  let execs: () => number
  const io = () => ({ log: () => {}, signal: new AbortController().signal })
  const launchedIds: string[] = []

  const hostileValue = () => `$(touch ${dir}/owned.txt); \`touch ${dir}/owned.txt\`; '; touch ${dir}/owned.txt; ' "q" back\\slash $ENV(HOME) $(Process)`
  const plan = (command: string, extra: { env?: Record<string, string>; stageName?: string } = {}): LaunchPlan => {
    const id = newId()
    launchedIds.push(id)
    return {
      id,
      shortId: `s-${id.slice(-6)}`,
      experiment: 'demo',
      batchId: null,
      backend: 'htcondor',
      target: { endpoint, timezone: 'UTC' },
      setup: `cd ${dir}`,
      env: { POMS4_SUBMISSION_ID: id, POMS_TASK_ID: id, ...extra.env },
      group: 'demo',
      role: 'Analysis',
      createdAt: Date.now(),
      command,
      argv: [],
      files: [],
      jobCount: 10,
      tags: { POMS4_SUBMISSION_ID: id, POMS4_CAMPAIGN_STAGE_NAME: extra.stageName ?? 'reco', POMS4_TEST_LAUNCH: 'False' },
    }
  }
  const ssh = async (command: string) => (await pool.exec(endpoint, command)).stdout
  const condor = (args: string[]) => execFileSync('chroot', [condorRoot, ...args], { encoding: 'utf8' })
  const jobsOf = (sub: TrackedSubmission) => backendJobs(backend, sub)
  const waitFor = (sub: TrackedSubmission, done: (jobs: JobUpdate[]) => boolean, seen?: Map<number, Set<string>>, timeoutMs = 90_000) => pollJobs(backend, sub, done, seen, timeoutMs)

  beforeAll(async () => {
    const host = condorHost()
    const env = host.env
    condorRoot = env.CONDOR_ROOT!
    endpoint = host.endpoint
    pool = pinnedPool(host)
    execs = countExecs(pool)
    backend = createHtcondorBackend({ pool, clock: systemClock, logger: silentLogger })
    dir = `/home/${endpoint.username}/poms-it-condor-${process.pid}-${Date.now()}`
    await pool.exec(endpoint, remoteCommand(['mkdir', '-p', dir]))
    await pool.upload(endpoint, `${dir}/job.sh`, JOB_SCRIPT, 0o755)
    await pool.upload(endpoint, `${dir}/ten.sub`, submitFile(10, 3))
    await pool.upload(endpoint, `${dir}/long.sub`, submitFile(3, 300))
  })
  afterAll(async () => {
    // Whatever a failed test left behind, by its tag.
    const tagged = launchedIds.map((id) => `POMS4_SUBMISSION_ID == "${id}"`).join(' || ')
    await ssh(`${remoteCommand(['condor_rm', '-constraint', tagged])} >/dev/null 2>&1; true`).catch(() => undefined)
    if (pool && dir) await pool.exec(endpoint, remoteCommand(['rm', '-rf', dir])).catch(() => undefined)
    await backend?.close()
    pool?.close()
  })

  let first: TrackedSubmission
  let long: TrackedSubmission

  it('launches a 10-job cluster, every job tagged through SUBMIT_ATTRS, and follows idle → running → completed/failed', async () => {
    // The login setup configures an attribute of its own for every job: it must stay.
    const p = { ...plan('condor_submit -terse ten.sub', { env: { POMS_HOSTILE: hostileValue() }, stageName: hostileValue() }) }
    p.setup += `\nexport _CONDOR_SUBMIT_ATTRS=SiteAccount _CONDOR_SiteAccount='"group_demo"'`
    const lines: string[] = []
    const result = await backend.submit(p, { log: (l) => lines.push(l), signal: new AbortController().signal })
    expect(result.batchId).toMatch(/^\d+$/)
    expect(lines).toContain(`${result.batchId}.0 - ${result.batchId}.9`)
    first = { ...p, batchId: result.batchId }

    // The tags are in every job ad, exactly as given (quotes, backslashes, $ and $(…) included).
    const ads = await ssh(remoteCommand(['condor_q', result.batchId, '-json', '-attributes', 'ProcId,POMS4_SUBMISSION_ID,POMS4_CAMPAIGN_STAGE_NAME,POMS4_TEST_LAUNCH,SiteAccount']))
    const tagged = JSON.parse(ads) as Record<string, unknown>[]
    expect(tagged).toHaveLength(10)
    for (const ad of tagged) {
      expect(ad).toMatchObject({ POMS4_SUBMISSION_ID: first.id, POMS4_CAMPAIGN_STAGE_NAME: hostileValue(), POMS4_TEST_LAUNCH: 'False', SiteAccount: 'group_demo' })
    }

    const seen = new Map<number, Set<string>>()
    const jobs = await waitFor(first, (js) => js.length === 10 && js.every((j) => ['completed', 'failed'].includes(j.state)), seen)
    expect(jobs.map((j) => [j.index, j.state, j.exitCode])).toEqual([
      [0, 'completed', 0],
      [1, 'completed', 0],
      [2, 'completed', 0],
      [3, 'failed', 3],
      [4, 'completed', 0],
      [5, 'completed', 0],
      [6, 'completed', 0],
      [7, 'failed', 137],
      [8, 'completed', 0],
      [9, 'completed', 0],
    ])
    // Four slots for ten jobs: some were seen waiting, and some running.
    expect([...seen.values()].some((s) => s.has('idle'))).toBe(true)
    expect([...seen.values()].some((s) => s.has('running'))).toBe(true)
    expect(jobs[5]).toMatchObject({ batchJobId: `${first.batchId}.5@${(await ssh('hostname')).trim()}`, host: expect.any(String) })
    expect(jobs[5]!.wallSeconds).toBeGreaterThanOrEqual(3)
    expect(jobs[5]!.finishedAt).toBeGreaterThan(jobs[5]!.startedAt!)
    expect(await ssh(remoteCommand(['ls', dir]))).not.toContain('owned.txt')
  })

  it('still returns the jobs once they left the queue (condor_history)', async () => {
    expect((await ssh(remoteCommand(['condor_q', first.batchId!, '-af', 'ProcId']))).trim()).toBe('')
    expect(await jobsOf(first)).toHaveLength(10)
  })

  it('fetches a job’s stdout and stderr', async () => {
    const log = await backend.fetchLog(first, 3)
    expect(log.text).toContain('proc 3 starting')
    expect(log.text).toContain('proc 3 stderr')
    expect(log.text).toContain(`hostile=[${hostileValue()}]`)
    expect(log.truncated).toBe(false)
    const out = `proc 3 starting hostile=[${hostileValue()}]\n`
    expect(log.bytes).toBe(Buffer.byteLength(out) + Buffer.byteLength('proc 3 stderr\n'))
    await expect(backend.fetchLog(first, 42)).rejects.toThrow(/knows no job/)
    // Only the end of a long log comes back, and it says so.
    const capped = await createHtcondorBackend({ pool, clock: systemClock, logger: silentLogger, logCapBytes: 12 }).fetchLog(first, 3)
    expect(capped).toMatchObject({ truncated: true, bytes: log.bytes })
    expect(capped.text).toContain(`[… ${Buffer.byteLength(out) - 12} earlier bytes not shown]\n${out.slice(-12)}`)
    expect(capped.text).toContain('[… 2 earlier bytes not shown]\noc 3 stderr\n')
  })

  it('finds the jobs of a submission by its tag after a crash', async () => {
    const found = await backend.findTagged([first, plan('true')])
    expect(found.get(first.id)?.batchId).toBe(first.batchId)
    expect(found.get(first.id)?.jobs.map((j) => j.exitCode)).toEqual([0, 0, 0, 3, 0, 0, 0, 137, 0, 0])
    expect(found.size).toBe(1)
  })

  it('holds and releases exactly the submission’s jobs, with HTCondor’s hold reason', async () => {
    const p = plan('condor_submit -terse long.sub')
    long = { ...p, batchId: (await backend.submit(p, io())).batchId }
    await waitFor(long, (js) => js.length === 3)
    const held = await backend.control(long, 'hold')
    expect(held.message).toBe(`All jobs matching constraint (POMS4_SUBMISSION_ID == "${long.id}" || ClusterId == ${long.batchId}) have been held`)
    const jobs = await waitFor(long, (js) => js.every((j) => j.state === 'held'))
    expect(jobs.map((j) => j.holdReason)).toEqual(Array(3).fill(`via condor_hold (by user ${endpoint.username})`))
    // The first submission's finished jobs were not touched.
    expect((await jobsOf(first)).every((j) => j.state !== 'held')).toBe(true)

    expect((await backend.control(long, 'release')).message).toMatch(/have been released$/)
    await waitFor(long, (js) => js.every((j) => j.state === 'idle' || j.state === 'running'))
  })

  it('answers for many submissions with one exec per host', async () => {
    const before = execs()
    const result = await backend.query([first, long, { ...first, id: newId(), setup: 'true # another login setup', batchId: '999999' }])
    expect(execs() - before).toBe(1)
    expect(result.jobs.get(first.id)).toHaveLength(10)
    expect(result.jobs.get(long.id)).toHaveLength(3)
  })

  it('marks the answer partial while the schedd is down, and never reports unfinished jobs as finished', async () => {
    condor(['condor_off', '-schedd'])
    try {
      let result = await backend.query([first, long])
      for (let i = 0; i < 20 && !result.partial; i++) {
        await sleep(500)
        result = await backend.query([first, long])
      }
      expect(result.partial).toBe(true)
      expect(result.partialReason).toMatch(/condor_q failed \(exit 1\).*Can't find address for schedd/)
      // The finished jobs are still known from the history file; the running ones are not reported at all.
      expect(result.jobs.get(first.id)).toHaveLength(10)
      expect(result.jobs.get(long.id) ?? []).toEqual([])
      expect(result.unknown).toEqual([])
    } finally {
      condor(['condor_on', '-schedd'])
    }
    const deadline = Date.now() + 60_000
    for (;;) {
      const result = await backend.query([long])
      if (!result.partial && result.jobs.get(long.id)?.length === 3) break
      if (Date.now() > deadline) throw new Error(`the schedd did not come back: ${result.partialReason}`)
      await sleep(1000)
    }
  })

  it('kills exactly the submission’s jobs (removed, in history)', async () => {
    expect((await backend.control(long, 'kill')).message).toMatch(/have been marked for removal$/)
    const jobs = await waitFor(long, (js) => js.length === 3 && js.every((j) => j.state === 'removed'))
    expect(jobs.every((j) => j.finishedAt !== null)).toBe(true)
    expect((await jobsOf(first)).filter((j) => j.state === 'completed')).toHaveLength(8)
  })

  it('is unavailable (not "no jobs") when the host cannot be reached', async () => {
    const gone = { ...first, target: { endpoint: { ...endpoint, port: 1 }, timezone: 'UTC' } }
    await expect(backend.query([gone])).rejects.toBeInstanceOf(BackendUnavailableError)
  })

  it('fails a launch that printed no cluster id, with condor_submit’s own words', async () => {
    await expect(backend.submit(plan('echo "nothing submitted"; true'), io())).rejects.toThrow(
      /no HTCondor cluster id in the launch output \(the launch script exited 0\): nothing submitted/,
    )
    const error = await backend.submit(plan(`printf 'executable = /nonexistent/x.sh\\nqueue 1\\n' > bad.sub; condor_submit -terse bad.sub`), io()).catch((e) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect(error.message).toMatch(/exited 1\): ERROR: Executable file \/nonexistent\/x.sh does not exist/)
  })
})
