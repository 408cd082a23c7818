import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellQuote } from '../../shared/domain/launch-params'
import { silentLogger } from '../../electron/core/logging/logger'
import { memoryHostKeyStore } from '../../electron/core/ssh/host-keys'
import { remoteScript } from '../../electron/core/ssh/remote-command'
import { createSshPool, type ExecResult, type SshEndpoint } from '../../electron/core/ssh/ssh-pool'
import { requireService } from '../helpers/services'
import { hostKeyFingerprint } from '../helpers/test-hosts'

/**
 * The jobsub_lite emulator (test/emulators/jobsub_lite) on the HTCondor test host, driven over real
 * SSH like the app drives jobsub: its output is checked byte for byte against what jobsub_lite
 * prints (protocols.md section 1), and its effects against the real HTCondor underneath.
 */

const GROUP = 'dune'
const ROLE = 'Production'
const S1 = 'jobsub01.fnal.gov'
const S2 = 'jobsub02.fnal.gov'
const VAULT = 'https://htvault.emulator.invalid:8200'
const FETCHLOG_URL = 'https://landscape.emulator.invalid/jobsub-fetchlog'
const HL = `\n${'=-'.repeat(30)}\n\n`
const HEADER = 'JOBSUBJOBID                             OWNER       \tSUBMITTED     RUNTIME   ST PRIO   SIZE  COMMAND'
const totalsLine = (t: Partial<Record<'total' | 'completed' | 'removed' | 'idle' | 'running' | 'held', number>>) =>
  `${t.total ?? 0} total; ${t.completed ?? 0} completed, ${t.removed ?? 0} removed, ${t.idle ?? 0} idle, ${t.running ?? 0} running, ${t.held ?? 0} held, 0 suspended`
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * What condor_rm/hold/release print on stderr for a -constraint that no job matches. The schedd
 * answers "no jobs in the queue" when its own job count (refreshed every few seconds) was zero at
 * its last update, so on this small test pool either text can come back; both are HTCondor's own.
 */
const noMatch = (tool: 'rm' | 'hold' | 'release', constraint: string) => [
  `\nCouldn't find/${tool === 'rm' ? 'remove' : tool} all jobs matching constraint (${constraint})\n`,
  `condor_${tool}:0:There are no jobs in the queue\n`,
]

/** One line of jobsub_q's default format for job `id` of the test user running `job.sh <arg>`:
 *  id (40 wide), owner (10 wide) and a tab, QDate, run time, status letter, priority, size in MB, command. */
function jobLine(id: string, states: string, arg: string): RegExp {
  return new RegExp(
    `^${escapeRe(id.padEnd(40))}pomstest  \\t\\d\\d/\\d\\d \\d\\d:\\d\\d {3}\\d\\+\\d\\d:\\d\\d:\\d\\d [${states}]    0 [ \\d]{3}\\d\\.\\d job\\.sh ${escapeRe(arg)}$`,
  )
}

describe('jobsub_lite emulator on the HTCondor host', () => {
  let env: Record<string, string>
  let endpoint: SshEndpoint
  let pool: ReturnType<typeof createSshPool>
  const tag = `jse-${randomUUID().slice(0, 8)}`
  const work = `/home/pomstest/${tag}`
  const token = `/tmp/${tag}.token`
  const sid = (name: string) => `${tag}-${name}`

  /** Runs a script as the test user with /opt/jobsub_lite/bin first on PATH and our token, as POMS does. */
  async function sh(script: string, extraEnv: Record<string, string> = {}): Promise<ExecResult> {
    const vars = { PATH: '/opt/jobsub_lite/bin:/usr/local/bin:/usr/bin:/bin', BEARER_TOKEN_FILE: token, ...extraEnv }
    const exports = Object.entries(vars).map(([k, v]) => `export ${k}=${shellQuote(v)}`)
    return pool.exec(endpoint, remoteScript([...exports, `cd ${work}`, script].join('\n')), { timeoutMs: 90_000 })
  }
  const jobsub = (args: string, extraEnv: Record<string, string> = {}) => sh(`jobsub_${args}`, extraEnv)
  const poms = (attr: string, value: string) => shellQuote(`${attr}=="${value}"`)

  /** Waits until `count` jobs of cluster `cluster` are in condor_history; returns their ads' fields. */
  async function history(cluster: string, count: number, attrs: string): Promise<string[][]> {
    const deadline = Date.now() + 90_000
    for (;;) {
      const r = await sh(`condor_history -constraint 'ClusterId==${cluster}' -af:t ProcId ${attrs}`)
      const rows = r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'))
      if (rows.length >= count) return rows.sort((a, b) => Number(a[0]) - Number(b[0]))
      if (Date.now() > deadline) throw new Error(`cluster ${cluster}: ${rows.length} of ${count} jobs in history`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  }

  async function submitLong(name: string, schedd: string, n: number): Promise<string> {
    const r = await jobsub(`submit -G ${GROUP} --role ${ROLE} -N ${n} --schedd-for-testing ${schedd} -l ${shellQuote(`+POMS4_SUBMISSION_ID="${sid(name)}"`)} file://${work}/job.sh 300`)
    const m = /^Use job id (\d+)\.0@(\S+) to retrieve output$/m.exec(r.stdout)
    expect(m, r.stdout + r.stderr).not.toBeNull()
    expect(m![2]).toBe(schedd)
    return m![1]!
  }

  beforeAll(async () => {
    env = requireService('condor')
    endpoint = { host: env.CONDOR_SSH_HOST!, port: Number(env.CONDOR_SSH_PORT), username: env.CONDOR_SSH_USER! }
    const key = readFileSync(env.CONDOR_SSH_KEY!, 'utf8')
    const hostKeys = memoryHostKeyStore([{ host: endpoint.host, port: endpoint.port, keyType: 'ssh-ed25519', fingerprint: hostKeyFingerprint(env.CONDOR_SSH_HOST_KEY_PUB!) }])
    pool = createSshPool({ hostKeys, credentials: async () => ({ privateKey: key }), logger: silentLogger, connectTimeoutMs: 10_000 })
    await pool.exec(endpoint, `mkdir -p ${work}`)
    // procs 3 and 7 fail with exit code 2
    await pool.upload(
      endpoint,
      `${work}/job.sh`,
      '#!/bin/sh\necho "hello from $PROCESS of $CLUSTER ($JOBSUBJOBID) MYVAR=$MYVAR OTHER=$OTHER"\necho "to stderr $PROCESS" >&2\nsleep ${1:-1}\ncase $PROCESS in 3|7) exit 2;; esac\nexit 0\n',
      0o755,
    )
    await pool.upload(endpoint, `${work}/jobinfo.sh`, `#!/bin/sh\nprintf '%s\\n' "$@" > ${work}/jobinfo.out\n`, 0o755)
  })

  afterAll(async () => {
    if (!pool) return
    await sh(`condor_rm -constraint ${shellQuote(`regexp("^${tag}", POMS4_SUBMISSION_ID)`)} >/dev/null 2>&1; rm -f /etc/jobsub-emulator/htgettoken-fails /tmp/${tag}*; rm -rf ${work}`).catch(() => undefined)
    pool.close()
  })

  it('htgettoken writes a JWT-looking bearer token with wlcg.groups and exp', async () => {
    const r = await sh(`htgettoken -a htvault.emulator.invalid -i ${GROUP} -r production --vaulttokenfile ${work}/vt`)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(r.stdout).toBe(
      `Attempting kerberos auth with ${VAULT} ... succeeded\nAttempting to get token from ${VAULT} ... succeeded\n` +
        `Storing vault token in ${work}/vt\nStoring bearer token in ${token}\n`,
    )
    const jwt = (await sh(`cat ${token}`)).stdout.trim().split('.')
    expect(jwt).toHaveLength(3)
    const claims = JSON.parse(Buffer.from(jwt[1]!, 'base64url').toString())
    expect(claims['wlcg.groups']).toEqual([`/${GROUP}/production`, `/${GROUP}`])
    expect(claims.exp - Date.now() / 1000).toBeGreaterThan(3 * 3600 - 120)
    expect(claims.iss).toBe(`https://cilogon.org/${GROUP}`)
  })

  describe('a 10-job cluster where jobs 3 and 7 fail', () => {
    let cluster = ''
    let schedd = ''
    const id = sid('main')

    it('submits with the POMS ids from -l and JOBSUB_EXTRA_LINES and prints exactly what jobsub_submit prints', async () => {
      const r = await jobsub(
        `submit -G ${GROUP} --role ${ROLE} -N 10 -e MYVAR -e OTHER=x -l ${shellQuote(`+POMS4_SUBMISSION_ID="${id}"`)} ` +
          `--job-info ${work}/jobinfo.sh --memory 500MB --disk 1GB --expected-lifetime 1h --resource-provides CVMFS=OSG -f /pnfs/dune/x.root ` +
          `file://${work}/job.sh 2`,
        { MYVAR: 'from-launch', JOBSUB_EXTRA_LINES: '+POMS4_CAMPAIGN_STAGE_ID=7,+POMS4_CAMPAIGN_NAME="camp"' },
      )
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const m = /^10 job\(s\) submitted to cluster (\d+)\.$/m.exec(r.stdout)
      expect(m, r.stdout).not.toBeNull()
      cluster = m![1]!
      schedd = /Use job id \d+\.0@(\S+) to retrieve output/.exec(r.stdout)![1]!
      expect([S1, S2]).toContain(schedd)
      expect(r.stdout).toBe(
        `Submitting job(s)..........\n10 job(s) submitted to cluster ${cluster}.\n${HL}Use job id ${cluster}.0@${schedd} to retrieve output${HL}\n`,
      )
      // --job-info scripts get the job id and the command line
      const info = (await sh('cat jobinfo.out')).stdout.split('\n')
      expect(info[0]).toBe(`${cluster}.0@${schedd}`)
      expect(info[1]).toMatch(/^\['\/opt\/jobsub_lite\/bin\/jobsub_submit', '-G', 'dune', '--role', 'Production', '-N', '10', /)
    })

    it('jobsub_q shows the jobs in its default format (the one schedd asked for answers after the totals line)', async () => {
      const r = await jobsub(`q -G ${GROUP} --role ${ROLE} --jobid ${cluster}@${schedd}`)
      expect(r).toMatchObject({ code: 0, stderr: '' })
      const lines = r.stdout.split('\n')
      // jobsub_lite pipes the lines into `sort | jobsub_totals` but never flushes its buffer before
      // closing that pipe: without a terminal, the last schedd's lines come after the totals line.
      expect(lines[0]).toBe(HEADER)
      expect(lines[1]).toBe(totalsLine({}))
      const jobs = lines.slice(2, -1)
      expect(lines.at(-1)).toBe('')
      expect(jobs.length).toBeGreaterThan(0) // the ones still queued (they run 2 s each)
      const procs = jobs.map((line) => Number(/^\d+\.(\d+)@/.exec(line)?.[1]))
      expect(procs).toEqual([...procs].sort((a, b) => a - b)) // in condor_q's order
      jobs.forEach((line, i) => expect(line).toMatch(jobLine(`${cluster}.${procs[i]}@${schedd}`, 'IR', '2')))
    })

    it('runs to completion; condor_history has the exit codes and the jobsub and POMS attributes', async () => {
      const rows = await history(
        cluster,
        10,
        'JobStatus ExitCode POMS4_SUBMISSION_ID POMS4_CAMPAIGN_STAGE_ID POMS4_CAMPAIGN_NAME Jobsub_Group JobsubJobId JobsubCmd RequestMemory DESIRED_CVMFS JOB_EXPECTED_MAX_LIFETIME AccountingGroup',
      )
      expect(rows.map((r) => r[0])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
      for (const [proc, status, exit, ...attrs] of rows) {
        expect(status).toBe('4')
        expect(exit).toBe(proc === '3' || proc === '7' ? '2' : '0')
        expect(attrs).toEqual([id, '7', 'camp', GROUP, `${cluster}.${proc}@${schedd}`, 'job.sh', '500', 'OSG', '3600.0', `group_${GROUP}.pomstest`])
      }
      // POMS4_CAMPAIGN_STAGE_ID was given unquoted: an integer, so POMS's kill constraint matches it
      const typed = await sh(`condor_history -constraint 'ClusterId==${cluster} && POMS4_CAMPAIGN_STAGE_ID==7' -af ProcId | wc -l`)
      expect(typed.stdout.trim()).toBe('10')
      // jobsub_q -json with zero matches prints nothing at all, not []
      const q = await jobsub(`q -G ${GROUP} --role ${ROLE} --jobid ${cluster}@${schedd} -json`)
      expect(q).toMatchObject({ code: 0, stdout: '', stderr: '' })
    })

    it('jobsub_fetchlog returns the jobs\' stdout, stderr and logs, as a tarball or unpacked', async () => {
      const unpacked = await jobsub(`fetchlog -G ${GROUP} --role ${ROLE} --jobid ${cluster}.0@${schedd} --unzipdir ${work}/logs`)
      expect(unpacked).toMatchObject({ code: 0, stdout: '', stderr: '' })
      const out0 = await sh(`cat logs/*cluster.${cluster}.0.out`)
      expect(out0.stdout).toMatch(new RegExp(`BEGIN EXECUTION job\\.sh 2\\nhello from 0 of ${cluster} \\(${cluster}\\.0@${escapeRe(schedd)}\\) MYVAR=from-launch OTHER=x\\n.* job\\.sh COMPLETED with exit status 0\\n$`))
      const err3 = await sh(`cat logs/*cluster.${cluster}.3.err`)
      expect(err3.stdout).toMatch(/to stderr 3\n.* job\.sh COMPLETED with exit status 2\n$/)
      expect((await sh(`ls logs | grep -c 'cluster\\.${cluster}\\.[0-9]\\.\\(out\\|err\\|log\\)$'`)).stdout.trim()).toBe('30')

      const tarball = await jobsub(`fetchlog -G ${GROUP} --role ${ROLE} --jobid ${cluster}.0@${schedd}`)
      expect(tarball).toMatchObject({ code: 0, stdout: '', stderr: '' })
      const listing = (await sh(`tar tzf ${cluster}.0@${schedd}.tgz`)).stdout.split('\n').filter(Boolean)
      expect(listing).toHaveLength(32)
      expect(listing).toContain('simple.cmd')
      expect(listing.filter((f) => f.endsWith(`cluster.${cluster}.7.out`))).toHaveLength(1)

      const partial = await jobsub(`fetchlog -G ${GROUP} --role ${ROLE} --jobid ${cluster}.7@${schedd} --partial --destdir ${work}/one`)
      expect(partial.code).toBe(0)
      expect((await sh('ls one')).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^.*cluster\./, ''))).toEqual([
        `${cluster}.7.err`,
        `${cluster}.7.log`,
        `${cluster}.7.out`,
        'simple.cmd',
        'simple.sh',
      ])
    })

    it('jobsub_history lists them from condor_history (its header comes last without a terminal)', async () => {
      const r = await jobsub(`history -G ${GROUP} --jobid ${cluster}.3@${schedd}`)
      expect(r).toMatchObject({ code: 0, stderr: '' })
      expect(r.stdout).toMatch(
        new RegExp(`^${escapeRe(`${cluster}.3@${schedd}`.padEnd(30))}pomstest  \\t\\d\\d/\\d\\d \\d\\d:\\d\\d \\d\\d/\\d\\d \\d\\d:\\d\\d  C job\\.sh 2\\nJOBSUBJOBID {29}OWNER {16}SUBMITTED {11}FINISHED {12}ST {7}CMD\\n$`),
      )
    })
  })

  it('holds, releases and removes jobs; condor records who did it', async () => {
    const id = sid('hold')
    const cluster = await submitLong('hold', S2, 2)
    const ids = [`${cluster}.0@${S2}`, `${cluster}.1@${S2}`]

    const q = await jobsub(`q -G ${GROUP} --role ${ROLE} --jobid ${cluster}@${S2}`)
    expect(q).toMatchObject({ code: 0, stderr: '' })
    const lines = q.stdout.split('\n')
    expect(lines.slice(0, 2)).toEqual([HEADER, totalsLine({})])
    expect(lines[2]).toMatch(jobLine(ids[0]!, 'IR', '300'))
    expect(lines[3]).toMatch(jobLine(ids[1]!, 'IR', '300'))
    expect(lines.slice(4)).toEqual([''])

    // -json: HTCondor's own JSON, GlobalJobId naming the jobsub schedd; with a constraint, every
    // schedd is asked and only jobsub02 has matches
    const json = await jobsub(`q -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)} -json`)
    expect(json).toMatchObject({ code: 0, stderr: '' })
    expect(json.stdout.startsWith('[\n{\n  "')).toBe(true)
    const ads = JSON.parse(json.stdout) as Record<string, unknown>[]
    expect(ads.map((a) => [a.JobsubJobId, a.POMS4_SUBMISSION_ID, a.Jobsub_Group, a.ClusterId, a.Owner])).toEqual([
      [ids[0], id, GROUP, Number(cluster), 'pomstest'],
      [ids[1], id, GROUP, Number(cluster), 'pomstest'],
    ])
    expect(ads[0]!.GlobalJobId).toMatch(new RegExp(`^${escapeRe(S2)}#${cluster}\\.0#\\d+$`))
    const af = await jobsub(`q -G ${GROUP} --constraint ${poms('POMS4_SUBMISSION_ID', id)} -autoformat ClusterId ProcId JobsubJobId POMS4_SUBMISSION_ID`)
    expect(af).toMatchObject({ code: 0, stderr: '', stdout: `${cluster} 0 ${ids[0]} ${id}\n${cluster} 1 ${ids[1]} ${id}\n` })

    const hold = await jobsub(`hold -G ${GROUP} --role ${ROLE} --jobid ${cluster}@${S2}`)
    expect(hold).toMatchObject({ code: 0, stdout: `All jobs in cluster ${cluster} have been held\n`, stderr: '' })
    const held = await sh(`condor_q ${cluster} -af:t JobStatus HoldReasonCode HoldReason`)
    expect(held.stdout).toBe('5\t1\tvia condor_hold (by user pomstest)\n'.repeat(2))
    const qHeld = await jobsub(`q -G ${GROUP} --role ${ROLE} --jobid ${cluster}@${S2}`)
    expect(qHeld.stdout.split('\n').slice(2, 4).every((l, i) => jobLine(ids[i]!, 'H', '300').test(l))).toBe(true)
    const again = await jobsub(`hold -G ${GROUP} --role ${ROLE} --jobid ${ids[1]}`)
    expect(again).toMatchObject({ code: 0, stdout: '', stderr: `\nJob ${cluster}.1 already held\n` })

    // POMS's way: --constraint on its id, run on every schedd; the one without the jobs complains
    const release = await jobsub(`release -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)}`)
    expect(release).toMatchObject({ code: 0, stdout: `All jobs matching constraint (POMS4_SUBMISSION_ID=="${id}") have been released\n` })
    expect(noMatch('release', `POMS4_SUBMISSION_ID=="${id}"`)).toContain(release.stderr)
    expect((await sh(`condor_q ${cluster} -af JobStatus LastHoldReason`)).stdout).toMatch(/^[12] via condor_hold \(by user pomstest\)\n[12] via condor_hold \(by user pomstest\)\n$/)

    const rmOne = await jobsub(`rm -G ${GROUP} --role ${ROLE} --jobid=${ids[1]}`)
    expect(rmOne).toMatchObject({ code: 0, stdout: `Job ${cluster}.1 marked for removal\n`, stderr: '' })
    const rmWrongSchedd = await jobsub(`rm -G ${GROUP} --role ${ROLE} --jobid=${cluster}.0@${S1}`)
    expect(rmWrongSchedd).toMatchObject({ code: 0, stdout: '', stderr: `\nJob ${cluster}.0 not found\n` })
    const rmAll = await jobsub(`rm -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)}`)
    expect(rmAll.code).toBe(0)
    expect(rmAll.stdout).toBe(`All jobs matching constraint (POMS4_SUBMISSION_ID=="${id}") have been marked for removal\n`)
    expect(noMatch('rm', `POMS4_SUBMISSION_ID=="${id}"`)).toContain(rmAll.stderr)

    const rows = await history(cluster, 2, 'JobStatus RemoveReason')
    expect(rows).toEqual([
      ['0', '3', 'via condor_rm (by user pomstest)'],
      ['1', '3', 'via condor_rm (by user pomstest)'],
    ])
    expect(await jobsub(`q -G ${GROUP} --role ${ROLE} --jobid ${cluster}@${S2} -json`)).toMatchObject({ code: 0, stdout: '', stderr: '' })
  })

  it('answers partially, exit 0, when one schedd is down (the totals count only the schedd that answered)', async () => {
    const id = sid('down')
    const c1 = await submitLong('down', S1, 1)
    const c2 = await submitLong('down', S2, 1)
    const down = { JOBSUB_EMULATOR_SCHEDDS_DOWN: S2 }
    const failed = `\n-- Failed to fetch ads from: <127.0.0.1:1> : ${S2}\nCEDAR:6001:Failed to connect to <127.0.0.1:1>\n`

    const partial = await jobsub(`q -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)}`, down)
    expect(partial.code).toBe(0)
    expect(partial.stderr).toBe(failed)
    const lines = partial.stdout.split('\n')
    expect(lines[0]).toBe(HEADER)
    expect(lines[1]).toMatch(jobLine(`${c1}.0@${S1}`, 'IR', '300'))
    expect(lines.slice(2)).toEqual([totalsLine({ total: 1, idle: lines[1]!.includes(' I ') ? 1 : 0, running: lines[1]!.includes(' R ') ? 1 : 0 }), ''])

    const both = await jobsub(`q -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)}`)
    expect(both).toMatchObject({ code: 0, stderr: '' })
    const all = both.stdout.split('\n')
    expect(all[0]).toBe(HEADER)
    expect(all[1]).toMatch(jobLine(`${c1}.0@${S1}`, 'IR', '300'))
    expect(all[2]).toMatch(/^1 total; /) // jobsub02 is asked last: its line comes after the totals
    expect(all[3]).toMatch(jobLine(`${c2}.0@${S2}`, 'IR', '300'))

    const json = await jobsub(`q -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)} -json`, down)
    expect(json).toMatchObject({ code: 0, stderr: failed })
    expect((JSON.parse(json.stdout) as { JobsubJobId: string }[]).map((a) => a.JobsubJobId)).toEqual([`${c1}.0@${S1}`])

    const rm = await jobsub(`rm -G ${GROUP} --role ${ROLE} --constraint ${poms('POMS4_SUBMISSION_ID', id)}`, down)
    expect(rm).toMatchObject({
      code: 0,
      stdout: `All jobs matching constraint (POMS4_SUBMISSION_ID=="${id}") have been marked for removal\n`,
      stderr: `DCSchedd::actOnJobs:6001:Failed to connect to schedd\nCouldn't find/remove all jobs matching constraint (POMS4_SUBMISSION_ID=="${id}")\n`,
    })
    expect((await sh(`condor_q ${c2} -af JobStatus`)).stdout).toMatch(/^[12]\n$/)

    // a submission to the schedd that is down fails inside condor_submit: exit 0 and no job id
    const submit = await jobsub(`submit -G ${GROUP} --role ${ROLE} --schedd-for-testing ${S2} file://${work}/job.sh 1`, down)
    expect(submit).toMatchObject({
      code: 0,
      stdout: `Using requested schedd ${S2}\nSubmitting job(s)`,
      stderr: `\nERROR: Failed to connect to queue manager ${S2}\nCEDAR:6001:Failed to connect to <127.0.0.1:1>\n${HL}Error: condor_submit exited with failed status code 1\n\n${HL}\n`,
    })
    // with every schedd down there is none to choose
    const none = await jobsub(`submit -G ${GROUP} --role ${ROLE} file://${work}/job.sh 1`, { JOBSUB_EMULATOR_SCHEDDS_DOWN: `${S1},${S2}` })
    expect(none).toMatchObject({ code: 1, stdout: '', stderr: '\n\nError: RuntimeError: Error: No schedds satisfying the constraint were found\n\n' })
    await jobsub(`rm -G ${GROUP} --role ${ROLE} --jobid ${c2}@${S2}`)
  })

  it('fails a submission above MAX_JOBS_PER_SUBMISSION inside condor_submit: exit 0, no job id, no jobs', async () => {
    const id = sid('max')
    const r = await jobsub(`submit -G ${GROUP} --role ${ROLE} -N 6 -l ${shellQuote(`+POMS4_SUBMISSION_ID="${id}"`)} file://${work}/job.sh 1`, {
      JOBSUB_EMULATOR_MAX_JOBS_PER_SUBMISSION: '5',
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe('Submitting job(s).....')
    expect(r.stdout).not.toContain('Use job id')
    expect(r.stderr).toBe(
      '\nERROR: Failed to create proc\nNumber of submitted jobs would exceed MAX_JOBS_PER_SUBMISSION\n' +
        `${HL}Error: condor_submit exited with failed status code 1\n\n` +
        'MAX_JOBS_PER_SUBMISSION limits the number of jobs allowed in a submission. The limit is 5.\n' +
        `Please break up your submission into clusters with at most 5 jobs each.${HL}\n`,
    )
    const left = await sh(`{ condor_q -allusers -constraint ${poms('POMS4_SUBMISSION_ID', id)} -af ClusterId; condor_history -constraint ${poms('POMS4_SUBMISSION_ID', id)} -af ClusterId; } | wc -l`)
    expect(left.stdout.trim()).toBe('0')
  })

  describe("jobsub's Python-level errors: stderr `Error: <Class>: <message>`, exit 1", () => {
    it('a missing group', async () => {
      const r = await sh(`env -u GROUP -u JOBSUB_GROUP jobsub_submit -N 2 file://${work}/job.sh`)
      expect(r).toMatchObject({ code: 1, stdout: '', stderr: '\n\nError: NameError: /opt/jobsub_lite/bin/jobsub_submit needs -G group or $GROUP in the environment.\n\n' })
      const q = await sh('env -u GROUP -u JOBSUB_GROUP jobsub_q')
      expect(q).toMatchObject({ code: 1, stderr: '\n\nError: NameError: /opt/jobsub_lite/bin/jobsub_q needs -G group or $GROUP in the environment.\n\n' })
      // $JOBSUB_GROUP (or $GROUP) stands in for -G
      const viaEnv = await jobsub(`q --role ${ROLE} --jobid 1@${S1}`, { JOBSUB_GROUP: GROUP })
      expect(viaEnv).toMatchObject({ code: 0, stdout: `${HEADER}\n${totalsLine({})}\n`, stderr: '' })
    })

    it('an executable that is not a file:// URL (an argparse error: usage, exit 2)', async () => {
      const r = await jobsub(`submit -G ${GROUP} ${work}/job.sh 1`)
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/^usage: jobsub_submit \[-h\] \[--auth-methods AUTH_METHODS\] \[-G GROUP\]/)
      expect(r.stderr.endsWith(`jobsub_submit: error: argument executable: invalid verify_executable_starts_with_file_colon value: '${work}/job.sh'\n`)).toBe(true)
    })

    it('a token for the wrong group', async () => {
      const nova = `/tmp/${tag}.nova`
      await sh(`htgettoken -q -a htvault.emulator.invalid -i nova`, { BEARER_TOKEN_FILE: nova })
      const r = await jobsub(`submit -G ${GROUP} --role ${ROLE} file://${work}/job.sh 1`, { BEARER_TOKEN_FILE: nova })
      expect(r).toMatchObject({
        code: 1,
        stdout: '',
        stderr:
          '\n\nError: ValueError: BEARER_TOKEN_FILE contains a token with the wrong group or role. jobsub expects a token with group dune and role Production. ' +
          'Instead, BEARER_TOKEN_FILE contains a token with group nova and role Analysis.\n\n',
      })
    })

    it('an expired token that htgettoken cannot renew (no Kerberos, no terminal): PermissionError', async () => {
      const expired = `/tmp/${tag}.expired`
      const made = await sh(`htgettoken -q -a htvault.emulator.invalid -i ${GROUP} -r production`, { BEARER_TOKEN_FILE: expired, HTGETTOKEN_EMULATOR_LIFETIME: '-60' })
      expect(made.code).toBe(0)
      // the knob as a file, as a test host's operator would set it
      await sh('touch /etc/jobsub-emulator/htgettoken-fails')
      try {
        const noVault = { BEARER_TOKEN_FILE: expired, HTGETTOKENOPTS: `--vaulttokenfile=${work}/no-vault-token` }
        const r = await jobsub(`submit -G ${GROUP} --role ${ROLE} file://${work}/job.sh 1`, noVault)
        expect(r).toMatchObject({
          code: 1,
          stdout: `Attempting kerberos auth with ${VAULT} ... failed\n\n`,
          stderr: `htgettoken: Failure getting token from ${VAULT}\n\n\nError: PermissionError: Failed attempting 'htgettoken -a htvault.emulator.invalid -i dune -r production'\n\n`,
        })
        const direct = await sh(`htgettoken -a htvault.emulator.invalid -i ${GROUP}`, noVault)
        expect(direct).toMatchObject({ code: 1, stderr: `htgettoken: Failure getting token from ${VAULT}\n` })
      } finally {
        await sh('rm -f /etc/jobsub-emulator/htgettoken-fails')
      }
      // once htgettoken works again (here with a stored vault token), jobsub renews the expired token by itself
      await sh(`echo hvs.emulated > ${work}/vault-token`)
      const renewed = await jobsub(`q -G ${GROUP} --role ${ROLE} --jobid 1@${S1}`, { BEARER_TOKEN_FILE: expired, HTGETTOKENOPTS: `--vaulttokenfile=${work}/vault-token` })
      expect(renewed).toMatchObject({ code: 0, stderr: '' })
      expect(renewed.stdout).toMatch(new RegExp(`^Attempting to get token from ${escapeRe(VAULT)} \\.\\.\\. succeeded\\nStoring bearer token in ${escapeRe(expired)}\\n${escapeRe(HEADER)}\\n`))
    })

    it('jobsub_fetchlog for an unknown job (404) and with a token of another group (401)', async () => {
      const unknown = await jobsub(`fetchlog -G ${GROUP} --role ${ROLE} --jobid 99999999.0@${S1}`)
      expect(unknown).toMatchObject({
        code: 1,
        stdout: `Got error from landscape:\n{"error": "job 99999999.0@${S1} not found"}\n`,
        stderr: `\n\nError: HTTPError: 404 Client Error: Not Found for url: ${FETCHLOG_URL}/job/99999999.0@${S1}.tar.gz\n\n`,
      })
      // a job of group dune, asked for with a nova token
      const cluster = (await sh(`condor_history -constraint 'Jobsub_Group=="dune" && JobsubJobId=!=undefined' -limit 1 -af ClusterId JobsubJobId`)).stdout.trim().split(' ')
      const nova = `/tmp/${tag}.nova2`
      await sh(`htgettoken -q -a htvault.emulator.invalid -i nova`, { BEARER_TOKEN_FILE: nova })
      const denied = await jobsub(`fetchlog -G nova --jobid ${cluster[1]}`, { BEARER_TOKEN_FILE: nova })
      expect(denied.code).toBe(1)
      expect(denied.stdout).toMatch(/^\{\n {2}"wlcg\.ver": "1\.0",[^]*"wlcg\.groups": \[\n {4}"\/nova"\n {2}\],[^]*\}\nGot permission denied from landscape: \n\{'error': 'token for group nova may not read logs of group dune'\}\nToken contents:\n$/)
      expect(denied.stderr).toBe(`\n\nError: HTTPError: 401 Client Error: Unauthorized for url: ${FETCHLOG_URL}/job/${cluster[1]}.tar.gz\n\n`)
    })
  })
})
