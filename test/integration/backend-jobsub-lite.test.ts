import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LaunchError, type Backend, type LaunchPlan, type TrackedSubmission } from '../../electron/core/engine/backends/backend'
import { createJobsubLiteBackend } from '../../electron/core/engine/backends/jobsub-lite/jobsub-lite-backend'
import { silentLogger } from '../../electron/core/logging/logger'
import { systemClock } from '../../electron/core/ports'
import { remoteCommand } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import { newId } from '../../electron/core/store/ids'
import type { JobUpdate } from '../../electron/core/store/repos/job-repo'
import { condorHost, jobsOf as backendJobs, pinnedPool, pollJobs } from '../helpers/test-hosts'

/**
 * The jobsub_lite backend through the jobsub_lite emulator (test/emulators/jobsub_lite) on the
 * HTCondor test host: two jobsub schedds (jobsub01/02.fnal.gov) over one real HTCondor.
 */
const GROUP = 'fermilab'

/** jobsub passes $PROCESS; proc 3 exits 3, proc 7 is killed by SIGKILL; $1 seconds of sleep. */
const JOB_SCRIPT = `#!/bin/bash
echo "proc $PROCESS of $CLUSTER starting"
echo "proc $PROCESS stderr" >&2
sleep "$1"
case "$PROCESS" in
  3) exit 3 ;;
  7) kill -9 $$ ;;
esac
echo "proc $PROCESS done"
`

describe('jobsub_lite backend against the jobsub_lite emulator over SSH', () => {
  let pool: SshPool
  let endpoint: SshEndpoint
  let backend: Backend
  let dir: string
  const io = () => ({ log: () => {}, signal: new AbortController().signal })
  const launchedIds: string[] = []

  const hostile = () => `$(touch ${dir}/owned.txt); \`touch ${dir}/owned.txt\`; '; touch ${dir}/owned.txt; ' "q", back\\slash`
  const setupFor = (extra = '') => `export BEARER_TOKEN_FILE=${dir}/token\ncd ${dir}${extra ? `\n${extra}` : ''}`
  const plan = (command: string, extra: { stageName?: string; setup?: string } = {}): LaunchPlan => {
    const id = newId()
    launchedIds.push(id)
    return {
      id,
      shortId: `s-${id.slice(-6)}`,
      experiment: 'samdev',
      batchId: null,
      backend: 'jobsub_lite',
      target: { endpoint, timezone: 'UTC' },
      setup: setupFor(extra.setup),
      env: { POMS4_SUBMISSION_ID: id, POMS_TASK_ID: id, GROUP, POMS_HOSTILE: hostile() },
      group: GROUP,
      role: 'Analysis',
      createdAt: Date.now(),
      command,
      argv: [],
      files: [],
      jobCount: 10,
      tags: { POMS4_SUBMISSION_ID: id, POMS4_CAMPAIGN_STAGE_NAME: extra.stageName ?? 'reco' },
    }
  }
  const ssh = async (command: string) => (await pool.exec(endpoint, command)).stdout
  const jobsOf = (sub: TrackedSubmission) => backendJobs(backend, sub)
  const waitFor = (sub: TrackedSubmission, done: (jobs: JobUpdate[]) => boolean, seen?: Map<number, Set<string>>, timeoutMs = 90_000) => pollJobs(backend, sub, done, seen, timeoutMs)

  beforeAll(async () => {
    const host = condorHost()
    endpoint = host.endpoint
    pool = pinnedPool(host)
    backend = createJobsubLiteBackend({ pool, clock: systemClock, logger: silentLogger })
    dir = `/home/${endpoint.username}/poms-it-jobsub-${process.pid}-${Date.now()}`
    await pool.exec(endpoint, remoteCommand(['mkdir', '-p', dir]))
    await pool.upload(endpoint, `${dir}/job.sh`, JOB_SCRIPT, 0o755)
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

  it('launches 10 jobs, tagged through JOBSUB_EXTRA_LINES, and follows idle → running → completed/failed', async () => {
    const p = plan(`jobsub_submit -G ${GROUP} -N 10 file://${dir}/job.sh 3`, { stageName: hostile() })
    const lines: string[] = []
    const result = await backend.submit(p, { log: (l) => lines.push(l), signal: new AbortController().signal })
    expect(result.batchId).toMatch(/^\d+\.0@jobsub0[12]\.fnal\.gov$/)
    expect(lines).toContain(`Use job id ${result.batchId} to retrieve output`)
    first = { ...p, batchId: result.batchId }
    const cluster = result.batchId.split('.')[0]!

    // Every job carries the tags, exactly (a comma, which jobsub cannot carry in a line, became ';').
    const ads = JSON.parse(await ssh(remoteCommand(['condor_q', cluster, '-json', '-attributes', 'ProcId,POMS4_SUBMISSION_ID,POMS4_CAMPAIGN_STAGE_NAME']))) as Record<string, unknown>[]
    expect(ads).toHaveLength(10)
    for (const ad of ads) expect(ad).toMatchObject({ POMS4_SUBMISSION_ID: first.id, POMS4_CAMPAIGN_STAGE_NAME: hostile().replace(',', ';') })

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
    expect([...seen.values()].some((s) => s.has('idle'))).toBe(true)
    expect([...seen.values()].some((s) => s.has('running'))).toBe(true)
    expect(jobs[4]).toMatchObject({ batchJobId: result.batchId.replace('.0@', '.4@'), host: expect.any(String) })
    expect(await ssh(remoteCommand(['ls', dir]))).not.toContain('owned.txt')
  })

  it('fetches a job’s stdout and stderr through jobsub_fetchlog', async () => {
    const log = await backend.fetchLog(first, 3)
    expect(log.text).toMatch(/==> cluster\.\d+\.3\.out \(stdout\) <==\n[^]*proc 3 of \d+ starting/)
    expect(log.text).toMatch(/==> cluster\.\d+\.3\.err \(stderr\) <==\n[^]*proc 3 stderr/)
    expect(log.truncated).toBe(false)
    // Its unpacking directory was cleaned up.
    expect(await ssh('ls -d /tmp/poms-fetchlog.* 2>/dev/null | wc -l')).toBe('0\n')
  })

  it('finds the jobs of a submission by its tag after a crash', async () => {
    const found = await backend.findTagged([first, plan('true')])
    expect(found.get(first.id)?.batchId).toBe(first.batchId)
    expect(found.get(first.id)?.jobs.map((j) => j.exitCode)).toEqual([0, 0, 0, 3, 0, 0, 0, 137, 0, 0])
    expect(found.size).toBe(1)
  })

  it('holds, releases (every schedd answers for itself) and keeps a hold reason', async () => {
    const p = plan(`jobsub_submit -G ${GROUP} -N 3 file://${dir}/job.sh 300`)
    long = { ...p, batchId: (await backend.submit(p, io())).batchId }
    await waitFor(long, (js) => js.length === 3)
    const held = await backend.control(long, 'hold')
    expect(held.message.split('\n')[0]).toBe('jobsub_hold: done on 1 schedd')
    expect(held.message).toContain(`All jobs matching constraint (POMS4_SUBMISSION_ID == "${long.id}") have been held`)
    const jobs = await waitFor(long, (js) => js.every((j) => j.state === 'held'))
    expect(jobs.map((j) => j.holdReason)).toEqual(Array(3).fill(`via condor_hold (by user ${endpoint.username})`))
    expect((await backend.control(long, 'release')).message).toMatch(/have been released/)
    await waitFor(long, (js) => js.every((j) => j.state === 'idle' || j.state === 'running'))
  })

  it('marks the answer partial when a schedd does not answer (jobsub_q still exits 0), never finishing its jobs', async () => {
    const schedd = long.batchId!.split('@')[1]!
    const down = { ...long, setup: setupFor(`export JOBSUB_EMULATOR_SCHEDDS_DOWN=${schedd}`) }
    const result = await backend.query([down, { ...first, setup: down.setup }])
    expect(result.partial).toBe(true)
    expect(result.partialReason).toContain(`Failed to fetch ads from: <127.0.0.1:1> : ${schedd}`)
    expect(result.jobs.get(long.id) ?? []).toEqual([])
    // Finished jobs still come from the history.
    expect(result.jobs.get(first.id)).toHaveLength(10)
    expect(result.unknown).toEqual([])
  })

  it('kills exactly the submission’s jobs', async () => {
    const killed = await backend.control(long, 'kill')
    expect(killed.message).toContain(`All jobs matching constraint (POMS4_SUBMISSION_ID == "${long.id}") have been marked for removal`)
    await waitFor(long, (js) => js.length === 3 && js.every((j) => j.state === 'removed'))
    expect((await jobsOf(first)).filter((j) => j.state === 'completed')).toHaveLength(8)
  })

  it('fails a launch that condor_submit refused although jobsub exited 0 (MAX_JOBS_PER_SUBMISSION)', async () => {
    const p = plan(`jobsub_submit -G ${GROUP} -N 10 file://${dir}/job.sh 1`, { setup: 'export JOBSUB_EMULATOR_MAX_JOBS_PER_SUBMISSION=5' })
    const error = await backend.submit(p, io()).catch((e) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect(error.message).toMatch(/^no jobsub job id .* \(the launch script exited 0\): /)
    expect(error.message).toContain('Number of submitted jobs would exceed MAX_JOBS_PER_SUBMISSION')
    expect(error.message).toContain('Error: condor_submit exited with failed status code')
  })

  it('fails a launch whose token expired and cannot be renewed, with htgettoken’s and jobsub’s words', async () => {
    const expired = `${dir}/expired-token`
    await ssh(remoteCommand(['env', `BEARER_TOKEN_FILE=${expired}`, 'HTGETTOKEN_EMULATOR_LIFETIME=-60', 'htgettoken', '-q', '-a', 'htvault.emulator.invalid', '-i', GROUP]))
    const p = plan(`jobsub_submit -G ${GROUP} --role Analysis -N 2 file://${dir}/job.sh 1`, {
      setup: `export BEARER_TOKEN_FILE=${expired} HTGETTOKEN_EMULATOR_FAIL=1 HTGETTOKENOPTS=--vaulttokenfile=${dir}/no-vault-token`,
    })
    const error = await backend.submit(p, io()).catch((e) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect(error.message).toContain('(the launch script exited 1)')
    expect(error.message).toContain('htgettoken: Failure getting token from https://htvault.emulator.invalid:8200')
    expect(error.message).toContain("Error: PermissionError: Failed attempting 'htgettoken -a htvault.emulator.invalid -i fermilab'")
  })
})
