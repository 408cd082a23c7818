import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BackendUnavailableError, LaunchError, type Backend, type LaunchPlan, type TrackedSubmission } from '../../electron/core/engine/backends/backend'
import { createSlurmBackend } from '../../electron/core/engine/backends/slurm/slurm-backend'
import { silentLogger } from '../../electron/core/logging/logger'
import { systemClock } from '../../electron/core/ports'
import { remoteCommand, remoteScript } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import { newId } from '../../electron/core/store/ids'
import type { JobUpdate } from '../../electron/core/store/repos/job-repo'
import { requireService } from '../helpers/services'
import { countExecs, sshdHost, jobsOf as backendJobs, pinnedPool, pollJobs } from '../helpers/test-hosts'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A 10-task array: task 3 exits 3, task 7 is killed by SIGKILL, the rest succeed. */
const JOB_SCRIPT = `#!/bin/bash
#SBATCH --job-name=the-authors-name
#SBATCH --output=out_%A_%a.txt
echo "task $SLURM_ARRAY_TASK_ID on $(hostname) hostile=[$POMS_HOSTILE]"
sleep 2
case "$SLURM_ARRAY_TASK_ID" in
  3) echo "task 3 fails" >&2; exit 3 ;;
  7) kill -9 $$ ;;
esac
echo "task $SLURM_ARRAY_TASK_ID done"
`

describe('Slurm backend against Slurm 22.05 over SSH', () => {
  let pool: SshPool
  let endpoint: SshEndpoint
  let backend: Backend
  let setup: string
  let dir: string
  let slurmConf: string
  let execs: () => number
  const launchedIds: string[] = []

  const plan = (command: string, extra: { env?: Record<string, string>; stageName?: string } = {}): LaunchPlan => {
    const id = newId()
    launchedIds.push(id)
    return {
      id,
      shortId: `s-${id.slice(-6)}`,
      experiment: 'demo',
      batchId: null,
      backend: 'slurm',
      target: { endpoint, timezone: 'UTC' },
      setup,
      env: { POMS4_SUBMISSION_ID: id, POMS_TASK_ID: id, ...extra.env },
      group: 'demo',
      role: 'Analysis',
      createdAt: Date.now(),
      command,
      argv: [],
      files: [],
      jobCount: 10,
      tags: { POMS4_SUBMISSION_ID: id, POMS4_CAMPAIGN_STAGE_NAME: extra.stageName ?? 'reco' },
    }
  }
  const launched = (p: LaunchPlan, batchId: string): TrackedSubmission => ({ ...p, batchId })
  const ssh = async (command: string) => (await pool.exec(endpoint, command)).stdout
  const jobsOf = (sub: TrackedSubmission) => backendJobs(backend, sub)
  const waitFor = (sub: TrackedSubmission, done: (jobs: JobUpdate[]) => boolean, seen?: Map<number, Set<string>>, timeoutMs = 60_000) => pollJobs(backend, sub, done, seen, timeoutMs)

  beforeAll(async () => {
    const host = sshdHost()
    const env = host.env
    const slurm = requireService('slurm')
    slurmConf = slurm.SLURM_CONF!
    endpoint = host.endpoint
    pool = pinnedPool(host)
    execs = countExecs(pool)
    backend = createSlurmBackend({ pool, clock: systemClock, logger: silentLogger })
    dir = `${env.SSHD_HOME}/poms-it-slurm-${process.pid}-${Date.now()}`
    setup = `export SLURM_CONF=${slurmConf}\ncd ${dir}`
    await pool.exec(endpoint, remoteCommand(['mkdir', '-p', dir]))
    await pool.upload(endpoint, `${dir}/job.sh`, JOB_SCRIPT, 0o755)
  })
  afterAll(async () => {
    // Whatever a failed test left behind, by its tag (the job name).
    const cancel = launchedIds.map((id) => `scancel --name=poms-${id}`)
    if (pool) await ssh(remoteScript([`export SLURM_CONF=${slurmConf}`, ...cancel, 'true'].join('\n'))).catch(() => undefined)
    if (pool && dir) await pool.exec(endpoint, remoteCommand(['rm', '-rf', dir])).catch(() => undefined)
    await backend?.close()
    pool?.close()
  })

  let first: TrackedSubmission
  let firstPlan: LaunchPlan
  const marker = () => `${dir}/owned.txt`

  it('launches a 10-task array, tagged, and follows every task idle → running → completed/failed with its exit code', async () => {
    const hostile = `$(touch ${marker()}); \`touch ${marker()}\`; '; touch ${marker()}; '`
    firstPlan = plan('sbatch --parsable --array=0-9 job.sh', { env: { POMS_HOSTILE: hostile }, stageName: hostile })
    const lines: string[] = []
    const result = await backend.submit(firstPlan, { log: (l) => lines.push(l), signal: new AbortController().signal })
    expect(result.batchId).toMatch(/^\d+$/)
    expect(lines.some((l) => l === result.batchId)).toBe(true)
    first = launched(firstPlan, result.batchId)

    // Both tags are on the job, although the script names itself: the job name and the comment.
    const tagged = await ssh(remoteCommand(['bash', '-c', `SLURM_CONF=${slurmConf} squeue -h -t all -j ${result.batchId} -o '%j|%k' | sort -u`]))
    expect(tagged.trim()).toBe(`poms-${first.id}|POMS4_SUBMISSION_ID=${first.id}`)

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
    // More tasks than CPUs: some were seen waiting, and some running.
    expect([...seen.values()].some((s) => s.has('idle'))).toBe(true)
    expect([...seen.values()].some((s) => s.has('running'))).toBe(true)
    expect(jobs[4]).toMatchObject({ batchJobId: `${first.batchId}_4`, host: expect.any(String) })
    expect(jobs[4]!.startedAt).toBeLessThanOrEqual(jobs[4]!.finishedAt!)
    expect(jobs[4]!.wallSeconds).toBeGreaterThanOrEqual(1)
    // Hostile values were data all the way into the job, and nothing ran them.
    expect(await ssh(remoteCommand(['ls', dir]))).not.toContain('owned.txt')
  })

  it('fetches a task’s output (the script’s own --output pattern, expanded)', async () => {
    const log = await backend.fetchLog(first, 3)
    expect(log.text).toContain('task 3 on')
    expect(log.text).toContain('task 3 fails')
    expect(log.text).toContain(`hostile=[$(touch ${marker()}); \`touch ${marker()}\`; '; touch ${marker()}; ']`)
    expect(log.truncated).toBe(false)
    expect(log.bytes).toBe(Buffer.byteLength(log.text))
  })

  it('finds the jobs of a submission by its tag after a crash', async () => {
    const found = await backend.findTagged([first, plan('true')])
    expect(found.get(first.id)?.batchId).toBe(first.batchId)
    expect(found.get(first.id)?.jobs).toHaveLength(10)
    expect(found.size).toBe(1)
  })

  it('holds, releases and kills a pending array (all its tasks)', async () => {
    const p = plan('sbatch --array=0-3 --begin=now+3600 job.sh')
    const sub = launched(p, (await backend.submit(p, { log: () => {}, signal: new AbortController().signal })).batchId)
    expect((await waitFor(sub, (js) => js.length === 4)).every((j) => j.state === 'idle')).toBe(true)

    expect((await backend.control(sub, 'hold')).message).toMatch(/accepted the hold request/)
    const held = await waitFor(sub, (js) => js.every((j) => j.state === 'held'))
    expect(held.map((j) => j.holdReason)).toEqual(Array(4).fill('held by the user (scontrol hold)'))

    await backend.control(sub, 'release')
    await waitFor(sub, (js) => js.every((j) => j.state === 'idle'))

    expect((await backend.control(sub, 'kill')).message).toMatch(/scancel .*accepted the cancel request/)
    const removed = await waitFor(sub, (js) => js.every((j) => j.state === 'removed'))
    expect(removed.map((j) => j.exitCode)).toEqual([null, null, null, null])
  })

  it('answers for many submissions with one exec per host', async () => {
    const other = { ...first, id: newId(), setup: `${setup}\n# another login setup`, batchId: '999999' }
    const before = execs()
    const result = await backend.query([first, other])
    expect(execs() - before).toBe(1)
    expect(result.jobs.get(first.id)).toHaveLength(10)
    expect(result.unknown).toEqual([other.id])
  })

  it('marks the answer partial when the controller cannot be asked, and reports nothing finished', async () => {
    // The same cluster as configured by a login setup whose controller does not answer.
    await ssh(remoteScript(`sed 's/^SlurmctldPort=.*/SlurmctldPort=1/' ${slurmConf} > ${dir}/unreachable.conf`))
    const broken = { ...first, setup: `export SLURM_CONF=${dir}/unreachable.conf` }
    const result = await backend.query([broken])
    expect(result.partial).toBe(true)
    // squeue --json exits 0 here, with an errors list: that is what says it did not answer.
    expect(result.partialReason).toMatch(/squeue reported: slurm_load_jobs: Failed while looking for jobs/)
    expect(result.jobs.get(first.id) ?? []).toEqual([])
    expect(result.unknown).toEqual([])
  })

  it('is unavailable (not "no jobs") when the host cannot be reached', async () => {
    const gone = { ...first, target: { endpoint: { ...endpoint, port: 1 }, timezone: 'UTC' } }
    await expect(backend.query([gone])).rejects.toBeInstanceOf(BackendUnavailableError)
    await expect(backend.findTagged([gone])).rejects.toBeInstanceOf(BackendUnavailableError)
  })

  it('fails a launch that printed no job id, with sbatch’s own words', async () => {
    await expect(backend.submit(plan('echo nothing submitted here'), { log: () => {}, signal: new AbortController().signal })).rejects.toThrow(
      /no Slurm job id in the launch output \(the launch script exited 0\): nothing submitted here/,
    )
    const error = await backend.submit(plan('sbatch --array=0-1 /nonexistent/job.sh'), { log: () => {}, signal: new AbortController().signal }).catch((e) => e)
    expect(error).toBeInstanceOf(LaunchError)
    expect(error.message).toMatch(/exited 1.*sbatch: error: Unable to open file \/nonexistent\/job.sh/)
  })

  it('adopts the tagged jobs of a launch whose connection was lost after sbatch ran', async () => {
    // A launch that outlives its time limit ends like a dropped connection: the outcome is unknown.
    const impatient = createSlurmBackend({ pool, clock: systemClock, logger: silentLogger, launchTimeoutMs: 4000 })
    const p = plan('sbatch --parsable --array=0-1 job.sh; sleep 30')
    const lines: string[] = []
    const result = await impatient.submit(p, { log: (l) => lines.push(l), signal: new AbortController().signal })
    expect(lines.some((l) => l.includes('looking for jobs tagged with this submission'))).toBe(true)
    expect(result.batchId).toMatch(/^\d+$/)
    expect(lines).toContain(result.batchId)
    await waitFor({ ...p, batchId: result.batchId }, (js) => js.length === 2)
  })

  it('aborts a launch that is still running, and its processes on the host', async () => {
    const controller = new AbortController()
    const lines: string[] = []
    const running = backend.submit(plan(`sleep 30; touch ${dir}/late.txt`), { log: (l) => lines.push(l), signal: controller.signal })
    setTimeout(() => controller.abort(), 500)
    const error = await running.catch((e) => e)
    expect(error).toBeInstanceOf(LaunchError)
    const pid = /^== process_id: (\d+) ==$/.exec(lines[0]!)![1]
    expect(error.message).toMatch(new RegExp(`^the launch was aborted \\(stopped process group ${pid} on the host\\)`))
    // A killed process may linger a moment as a zombie of its group until it is reaped.
    expect(await ssh(remoteScript(`for i in $(seq 1 30); do kill -0 -- -${pid} 2>/dev/null || { echo gone; exit; }; sleep 0.1; done; echo alive`))).toBe('gone\n')
  })

  it('still reports a submission’s tasks after Slurm forgot them, from the completion log', async () => {
    // Let slurmctld forget finished jobs quickly (MinJobAge), as a busy site does after its default 300 s.
    const original = readFileSync(slurmConf, 'utf8')
    const run = (args: string[]) => execFileSync(args[0]!, args.slice(1), { env: { ...process.env, SLURM_CONF: slurmConf }, encoding: 'utf8' })
    try {
      writeFileSync(slurmConf, original.replace(/^MinJobAge=.*$/m, 'MinJobAge=2'))
      run(['scontrol', 'reconfigure'])
      const deadline = Date.now() + 60_000
      while (run(['squeue', '-h', '-t', 'all', '-j', first.batchId!, '-o', '%i']).trim() !== '') {
        if (Date.now() > deadline) throw new Error('slurmctld did not forget the array')
        await sleep(1000)
      }
    } catch (err) {
      // squeue exits 1 ("Invalid job id") once the job is gone: that is what we waited for.
      if (!/Invalid job id/.test(String((err as { stderr?: string }).stderr ?? err))) throw err
    } finally {
      writeFileSync(slurmConf, original)
      run(['scontrol', 'reconfigure'])
    }
    const jobs = await jobsOf(first)
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
    expect(jobs[3]!.finishedAt).toBeGreaterThan(Date.now() - 5 * 60_000)
    // Its log is still found (the pattern squeue showed while it was known).
    expect((await backend.fetchLog(first, 7)).text).toContain('task 7 on')
    expect((await backend.findTagged([first])).get(first.id)?.jobs).toHaveLength(10)
  })
})
