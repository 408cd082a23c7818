import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { remoteCommand } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import { REPO_ROOT, startCore, tempDataDir, waitFor, waitForSubmission } from '../helpers/core-harness'
import { condorHost, hostKeyFingerprint, pinnedPool } from '../helpers/test-hosts'

const EXP = 'demo'

/** proc 3 exits 3; the others succeed after $2 seconds; each prints its environment's dataset file. */
const JOB_SCRIPT = `#!/bin/bash
echo "proc $1 of submission $POMS4_SUBMISSION_ID"
sleep "$2"
[ "$1" = 3 ] && exit 3
exit 0
`
const submitFile = (procs: number, seconds: number) =>
  `executable = job.sh\narguments = $(Process) ${seconds}\noutput = out.$(Cluster).$(Process)\nerror = err.$(Cluster).$(Process)\nlog = job.log\nqueue ${procs}\n`

describe('launching on HTCondor through the whole core (login setup, host key, launch, poll, control, crash)', () => {
  let env: Record<string, string>
  let h: Awaited<ReturnType<typeof startCore>>
  let dataDir: string
  let pool: SshPool
  let endpoint: SshEndpoint
  let workDir: string
  let loginSetupId: string
  let campaignId: string
  let jobTypeId: string
  const marker = () => `${workDir}/owned.txt`
  const ssh = async (command: string) => (await pool.exec(endpoint, command)).stdout
  const condorJobsTagged = async (id: string) =>
    Number((await ssh(remoteCommand(['bash', '-c', `( condor_q -af ClusterId -constraint 'POMS4_SUBMISSION_ID == "${id}"'; condor_history -af ClusterId -constraint 'POMS4_SUBMISSION_ID == "${id}"' ) | wc -l`]))).trim())
  let keyCounter = 0
  const key = () => `remote-${Date.now()}-${++keyCounter}`

  async function stage(name: string, opts: { procs: number; seconds: number; dataset?: string; launchScript?: string }) {
    await pool.upload(endpoint, `${workDir}/${name}.sub`, submitFile(opts.procs, opts.seconds))
    const created = await h.call('stages:create', {
      experiment: EXP,
      value: { campaignId, name, jobTypeId, loginSetupId, dataset: opts.dataset ?? 'plain_dataset', paramOverrides: [['-terse ', `${name}.sub`]] },
    })
    return created.id
  }

  beforeAll(async () => {
    const host = condorHost()
    env = host.env
    endpoint = host.endpoint
    pool = pinnedPool(host)
    workDir = `/home/${endpoint.username}/core-remote-${Date.now()}`
    await ssh(remoteCommand(['mkdir', '-p', workDir]))
    await pool.upload(endpoint, `${workDir}/job.sh`, JOB_SCRIPT, 0o755)
    dataDir = tempDataDir('poms-remote-')
    h = await startCore({ dataDir, pollIntervalMs: 700 })
  })
  afterAll(async () => {
    await h?.stop()
    pool?.close()
  })

  it('a login setup for the host: the first test asks to confirm the host key, then connects and runs the setup', async () => {
    const setup = await h.call('loginSetups:create', {
      experiment: EXP,
      value: {
        name: 'condor-loopback',
        backend: 'htcondor',
        host: endpoint.host,
        port: endpoint.port,
        account: endpoint.username,
        setup: `cd ${workDir}\nexport POMS_TEST_SETUP=ran`,
        authMethod: 'key-file',
        keyFile: env.CONDOR_SSH_KEY!,
      },
    })
    loginSetupId = setup.id
    const first = await h.call('loginSetups:test', { experiment: EXP, id: setup.id })
    expect(first).toMatchObject({ ok: false, reached: 'host-key' })
    expect(first.hostKey).toMatchObject({ status: 'unknown', host: endpoint.host, port: endpoint.port, keyType: 'ssh-ed25519' })
    const expected = hostKeyFingerprint(env.CONDOR_SSH_HOST_KEY_PUB!)
    expect(first.hostKey!.fingerprint).toBe(expected)

    await h.call('sshHosts:trust', first.hostKey!)
    const second = await h.call('loginSetups:test', { experiment: EXP, id: setup.id })
    expect(second.ok, second.message).toBe(true)
    expect(second.reached).toBe('done')
    expect(second.output).toContain('== setup finished with exit code 0 ==')
    expect(second.output).toMatch(/found condor_submit: \S+/)
    expect(second.connectMs).toBeGreaterThan(0)
  })

  it('launches a 10-job submission: statuses and per-job exit codes, hostile values stay data', async () => {
    const jobType = await h.call('jobTypes:create', {
      experiment: EXP,
      value: { name: 'condor-submit', launchScript: 'echo "dataset=%(dataset)s keyword=%(weird)s" > launched.txt; condor_submit' },
    })
    jobTypeId = jobType.id
    const campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'remote-campaign', keywords: { weird: `'; touch ${workDir}/owned.txt; '` } } })
    campaignId = campaign.id
    const hostile = `$(touch ${workDir}/owned.txt) \`touch ${workDir}/owned.txt\``
    const stageId = await stage('ten', { procs: 10, seconds: 2, dataset: hostile })

    const preview = await h.call('submissions:launch', { experiment: EXP, stageId, idempotencyKey: key(), dryRun: true })
    expect(preview.preview!.script).toContain('_CONDOR_SUBMIT_ATTRS')
    expect(preview.preview!.target).toMatchObject({ host: endpoint.host, account: endpoint.username })

    const launched = await h.call('submissions:launch', { experiment: EXP, stageId, idempotencyKey: key() })
    const id = launched.submission!.id
    const done = await waitForSubmission(h, id, undefined, { timeoutMs: 120_000 })
    expect(done.submission.status).toBe('Completed')
    expect(done.submission.batchId).toMatch(/^\d+/)
    const jobs = await h.call('submissions:jobs', { experiment: EXP, id })
    expect(jobs).toHaveLength(10)
    expect(jobs.map((j) => [j.index, j.state, j.exitCode])).toEqual(Array.from({ length: 10 }, (_, i) => [i, i === 3 ? 'failed' : 'completed', i === 3 ? 3 : 0]))
    expect(done.history.map((c) => c.status)).toEqual(expect.arrayContaining(['New', 'Completed']))

    // The hostile dataset and keyword reached the host as text; nothing they spell ever ran.
    expect((await ssh(remoteCommand(['cat', `${workDir}/launched.txt`]))).trim()).toBe(`dataset=${hostile} keyword='; touch ${workDir}/owned.txt; '`)
    expect((await ssh(remoteCommand(['bash', '-c', `test -e ${workDir}/owned.txt && echo yes || echo no`]))).trim()).toBe('no')
    expect(existsSync(marker())).toBe(false)

    const log = await h.call('submissions:jobLog', { experiment: EXP, id, index: 3 })
    expect(log.text).toContain('proc 3 of submission')
    const output = await h.call('submissions:launchOutput', { experiment: EXP, id })
    expect(output.text).toMatch(/== submitted as \d+/)
    // The local data handler's catalog is files on this machine: HTCondor jobs get the dataset as written.
    expect(output.text).toContain('no data project: the local data handler knows files on this machine, so htcondor jobs get the dataset as it is written')
  }, 180_000)

  it('holds, releases and kills exactly this submission’s jobs', async () => {
    const stageId = await stage('long', { procs: 3, seconds: 60 })
    const id = (await h.call('submissions:launch', { experiment: EXP, stageId, idempotencyKey: key() })).submission!.id
    await waitForSubmission(h, id, (d) => d.submission.status === 'Running' || d.submission.status === 'Idle', { timeoutMs: 60_000 })
    await h.call('submissions:hold', { experiment: EXP, id })
    const held = await waitForSubmission(h, id, (d) => d.submission.status === 'Held', { timeoutMs: 60_000 })
    expect(held.submission.jobCounts.held).toBe(3)
    const heldJobs = await h.call('submissions:jobs', { experiment: EXP, id })
    expect(heldJobs.every((j) => /via condor_hold/.test(j.holdReason ?? ''))).toBe(true)
    await h.call('submissions:release', { experiment: EXP, id })
    await waitForSubmission(h, id, (d) => d.submission.status === 'Running' || d.submission.status === 'Idle', { timeoutMs: 60_000 })
    const killed = await h.call('submissions:kill', { experiment: EXP, id })
    expect(killed.status).toBe('Cancelled')
    const gone = await waitForSubmission(h, id, (d) => d.submission.jobCounts.removed === 3, { timeoutMs: 60_000 })
    expect(gone.submission.status).toBe('Cancelled')
  }, 240_000)

  it('when the app is killed during a launch, the restarted app adopts the jobs it finds by their tag: exactly one set', async () => {
    // The launch submits at once, then keeps the SSH command busy long enough to be killed in it.
    await h.call('jobTypes:create', { experiment: EXP, value: { name: 'slow-exit', launchScript: 'condor_submit -terse crash.sub; sleep 20; true' } })
    const slow = (await h.call('jobTypes:list', { experiment: EXP, filter: { name: 'slow-exit' } })).items[0]!
    await pool.upload(endpoint, `${workDir}/crash.sub`, submitFile(4, 1))
    const stageId = (await h.call('stages:create', { experiment: EXP, value: { campaignId, name: 'crash', jobTypeId: slow.id, loginSetupId, dataset: 'x' } })).id
    await h.stop(false)

    const idempotencyKey = key()
    // One process (tsx as a loader, not its wrapper), so SIGKILL takes the app itself down.
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test', 'fixtures', 'remote', 'launch-in-child.ts'), dataDir, stageId, idempotencyKey], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    const submissionId = await waitFor(async () => /LAUNCHED (\S+)/.exec(out)?.[1], 60_000, `the child to launch:\n${out}`)
    // Wait until the cluster is on the batch system, then kill the app mid-launch.
    await waitFor(async () => (await condorJobsTagged(submissionId)) === 4, 60_000, 'the tagged jobs')
    child.kill('SIGKILL')
    await new Promise((r) => child.once('exit', r))

    h = await startCore({ dataDir, pollIntervalMs: 700 })
    const adopted = await waitForSubmission(h, submissionId, (d) => d.submission.launchState === 'launched' && d.submission.status === 'Completed', { timeoutMs: 120_000 })
    expect(adopted.history.some((c) => /adopted 4 jobs/.test(c.reason ?? ''))).toBe(true)
    expect(await condorJobsTagged(submissionId)).toBe(4)
    expect(execFileSync('bash', ['-c', `ls ${dataDir}`]).toString()).toContain('poms.sqlite')
  }, 240_000)

  it('a killed sshd during polls: the poller recovers once it is back and no status goes backwards', async () => {
    const stageId = await stage('through-outage', { procs: 2, seconds: 8 })
    const id = (await h.call('submissions:launch', { experiment: EXP, stageId, idempotencyKey: key() })).submission!.id
    await waitForSubmission(h, id, (d) => d.submission.status === 'Running' || d.submission.status === 'Idle', { timeoutMs: 60_000 })
    const sshdPid = Number(readFileSync(env.CONDOR_SSHD_PID_FILE!, 'utf8').trim())
    process.kill(sshdPid, 'SIGTERM')
    pool.disconnect(endpoint)
    const seen: string[] = []
    const deadline = Date.now() + 4000
    while (Date.now() < deadline) {
      seen.push((await h.call('submissions:get', { experiment: EXP, id })).submission.status)
      await new Promise((r) => setTimeout(r, 300))
    }
    expect(seen.every((s) => s === 'Running' || s === 'Idle')).toBe(true)
    // Back up: the same sshd configuration inside the chroot, recorded so the service's down stops it.
    execFileSync('chroot', [env.CONDOR_ROOT!, '/usr/sbin/sshd', '-f', env.CONDOR_SSHD_CONFIG!, '-E', '/etc/ssh/poms-test/sshd.log'])
    const done = await waitForSubmission(h, id, undefined, { timeoutMs: 90_000 })
    expect(done.submission.status).toBe('Completed')
    const order = done.history.map((c) => c.status)
    expect(order.indexOf('Completed')).toBeGreaterThan(order.lastIndexOf('Running'))
  }, 180_000)
})
