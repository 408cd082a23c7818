import { campaignRun, expectLife, trustAndTest, wireThreeStages } from '../helpers/campaign-run'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Submission } from '../../shared/domain/submission'
import type { SubmissionStatus } from '../../shared/domain/submission-status'
import { remoteCommand } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import { startSamEmulator, type SamEmulator } from '../emulators/sam'
import { REPO_ROOT, startCore, tempDataDir, waitFor, type CoreHarness } from '../helpers/core-harness'
import { condorHost, pinnedPool } from '../helpers/test-hosts'

/**
 * Issue 5, "Done when": the three-stage campaign (generate → process → merge) with the SAM
 * emulator on HTCondor. generate drains a 40-file SAM definition in launches of 10 by itself (a
 * self-dependency). Its jobs are real SAM consumers running under HTCondor (sam-consumer-job.py):
 * they take files from the launch's project, declare outputs with their parents and report each
 * file. Job 1 of every generate launch fails its files on purpose; each recovery (consumed_status)
 * launches exactly those; process consumes generate's outputs, merge process's; everything ends
 * Located. The same shape on local data: campaign-local-end-to-end.test.ts.
 */

const EXP = 'demo'
const FILES = 40
const PER_LAUNCH = 10
const LAUNCHES = FILES / PER_LAUNCH
/** One failing job of five keeps a launch Completed (POMS: Failed when failed × 2 > completed). */
const JOBS = 5
/** Each generate job takes at most its share, so the failing job is certain to get its files. */
const FILES_PER_JOB = PER_LAUNCH / JOBS
const FAILING_JOB = 1
const LOCATED = PER_LAUNCH - FILES_PER_JOB
const TOKEN = 'sam-e2e-bearer-token'
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'remote')
const raw = (i: number) => `ev_${String(i).padStart(3, '0')}.dat`
const DEAD_ENDS: readonly SubmissionStatus[] = ['Failed', 'LaunchFailed', 'Cancelled', 'Removed']
/** The reason of a Located status: `count` inputs have outputs, against 95 % of `count` consumed. */
const locatedReason = (count: number) => new RegExp(`^outputs located: ${count} located, threshold ${String((count * 95) / 100).replace('.', '\\.')} \\(95%\\)`)
/** What a job of `stage` writes for `input` (sam-consumer-job.py's naming). */
const outputOf = (input: string, stage: string) => `${input.replace(/\.[^.]*$/, '')}_${stage}.root`

describe('a three-stage campaign on SAM (emulated) and HTCondor, carried to the end by the engine', () => {
  let env: Record<string, string>
  let h: CoreHarness
  let sam: SamEmulator
  let pool: SshPool
  let endpoint: SshEndpoint
  let workDir: string
  const ids = { generate: '', process: '', merge: '', campaign: '', toProcess: '', toMerge: '' }
  const ssh = async (argv: string[]) => (await pool.exec(endpoint, remoteCommand(argv))).stdout

  beforeAll(async () => {
    const host = condorHost()
    env = host.env
    endpoint = host.endpoint
    pool = pinnedPool(host)

    // SAM: 40 raw files in one definition; every request must carry the bearer token.
    sam = await startSamEmulator({ experiment: EXP })
    sam.declareFiles(Array.from({ length: FILES }, (_, i) => ({ name: raw(i), runs: [`5000.${i}`], metadata: { data_tier: 'raw' } })))
    sam.defineDataset('e2e_raw', 'run_number 5000')
    sam.requireToken(TOKEN)

    // The host: the job, the launch command and the token file the jobs read.
    workDir = `/home/${endpoint.username}/sam-e2e-${Date.now()}`
    await ssh(['mkdir', '-p', workDir])
    await pool.upload(endpoint, `${workDir}/sam-consumer-job.py`, readFileSync(join(FIXTURES, 'sam-consumer-job.py'), 'utf8'), 0o755)
    await pool.upload(endpoint, `${workDir}/sam-condor-launch.sh`, readFileSync(join(FIXTURES, 'sam-condor-launch.sh'), 'utf8'), 0o755)
    await pool.upload(endpoint, `${workDir}/sam.token`, `${TOKEN}\n`, 0o600)

    h = await startCore({ dataDir: tempDataDir('poms-sam-condor-'), pollIntervalMs: 1000, wrapupRecheckMs: 2000 })
    const config = await h.call('experiments:configure', { experiment: EXP, dataHandler: 'sam', settings: { 'sam.base_url': sam.url }, secrets: { 'sam.token': TOKEN } })
    expect(config).toMatchObject({ dataHandler: 'sam', secrets: ['sam.token'] })

    // The login setup: the host key is confirmed once, as a person would.
    const setup = await h.call('loginSetups:create', {
      experiment: EXP,
      value: {
        name: 'condor-sam',
        backend: 'htcondor',
        host: endpoint.host,
        port: endpoint.port,
        account: endpoint.username,
        setup: `cd ${workDir}\nexport IFDH_BASE_URI=${sam.apiBase}\nexport BEARER_TOKEN_FILE=${workDir}/sam.token`,
        authMethod: 'key-file',
        keyFile: env.CONDOR_SSH_KEY!,
      },
    })
    await trustAndTest(h, EXP, setup.id)

    const jobType = await h.call('jobTypes:create', {
      experiment: EXP,
      value: {
        name: 'sam-e2e-job',
        launchScript: './sam-condor-launch.sh',
        definitionParameters: [
          ['--mode=', 'each'],
          ['--files-per-job=', '0'],
          ['--appversion=', '%(version)s'],
        ],
        outputFilePatterns: ['%.root'],
        // The recovery runs the same job without the injected failure.
        recoveryPlan: [{ type: 'consumed_status', paramOverrides: [['--fail-jobs=', '']] }],
      },
    })
    const campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'sam-e2e', defaults: { jobTypeId: jobType.id, loginSetupId: setup.id } } })
    ids.campaign = campaign.id
    const stage = (name: string, value: Record<string, unknown>) =>
      h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name, jobTypeId: jobType.id, loginSetupId: setup.id, softwareVersion: 'v1', ...value } })
    ids.generate = (
      await stage('generate', {
        dataset: 'e2e_raw',
        splitType: `drainingn(${PER_LAUNCH})`,
        paramOverrides: [
          ['-N ', String(JOBS)],
          ['--files-per-job=', String(FILES_PER_JOB)],
          ['--fail-jobs=', String(FAILING_JOB)],
        ],
      })
    ).id
    ids.process = (await stage('process', { dataset: 'from_parent', paramOverrides: [['-N ', '2']] })).id
    ids.merge = (await stage('merge', { dataset: 'from_parent', paramOverrides: [['-N ', '1'], ['--mode=', 'merge']] })).id
    Object.assign(ids, await wireThreeStages(h, EXP, ids))
  }, 180_000)

  afterAll(async () => {
    await h?.stop()
    if (pool && workDir) await ssh(['rm', '-rf', workDir]).catch(() => undefined)
    pool?.close()
    await sam?.stop()
  })

  const { all, detail, dependentOf, followedUp } = campaignRun(() => h, EXP, () => ids.campaign)
  /** The SAM project the launch started, as the emulator holds it. */
  const projectOf = (sub: Submission) => {
    const name = h.core.deps.repos.submissions.engineState(sub.id)?.project
    expect(name, `${sub.shortId} has a project`).toBeTruthy()
    return sam.projects.get(name!)
  }
  const sorted = (names: Iterable<string>) => [...names].sort()


  it('previews the split and the plan from SAM before anything runs', async () => {
    const definitions = sam.catalog.listDefinitions().length
    const preview = await h.call('splits:preview', { experiment: EXP, stageId: ids.generate, count: 6, filesPerSlice: 2 })
    expect(preview.slices.map((s) => s.fileCount)).toEqual([10, 10, 10, 10])
    expect(preview.exhaustedAfter).toBe(LAUNCHES)
    expect(preview.slices[0]!.files).toEqual([raw(0), raw(1)])
    expect(preview.slices[3]!.files).toEqual([raw(30), raw(31)])
    // A preview creates nothing, in SAM or in the stage.
    expect(sam.catalog.listDefinitions()).toHaveLength(definitions)
    expect(h.core.deps.repos.stages.get(EXP, ids.generate)!.splitCursor).toBeNull()

    const plan = await h.call('campaigns:plan', { experiment: EXP, id: ids.campaign, launches: 10 })
    expect(plan.steps.map((s) => [s.stageName, s.kind])).toEqual(
      Array.from({ length: LAUNCHES }, () => [
        ['generate', 'split'],
        ['process', 'dependent'],
        ['merge', 'dependent'],
      ]).flat(),
    )
    expect(plan.steps[0]!.why).toMatch(/^the next launch of generate \(a leading stage: no other stage feeds it\): slice 1 of drainingn\(10\)/)
    expect(plan.steps[3 * (LAUNCHES - 1)]!.why).toMatch(/after this slice the split is exhausted$/)
  })

  it('drains 40 files in 4 launches on HTCondor, recovers exactly the failed files, feeds process and merge, and ends Located', async () => {
    const first = await h.call('submissions:launch', { experiment: EXP, stageId: ids.generate, idempotencyKey: 'sam-e2e-first-launch' })
    const g1 = first.submission!
    const settled = await waitFor(
      async () => {
        const subs = await all()
        // A dead end fails the test now rather than at the time-out.
        const stuck = subs.find((s) => DEAD_ENDS.includes(s.status))
        if (stuck) throw new Error(`${stuck.shortId} ${stuck.stageName} ended ${stuck.status}`)
        return subs.length === 4 * LAUNCHES && subs.every((s) => s.status === 'Located' && followedUp(s.id)) && subs
      },
      420_000,
      'the campaign to end Located',
    ).catch(async (err: Error) => {
      // What the engine, SAM and the jobs were doing, for whoever reads the failure.
      for (const s of await all()) console.error(`${s.shortId} ${s.stageName} ${s.status} ${s.dataset} parent=${s.parentSubmissionId ?? '-'}`)
      for (const r of h.core.deps.repos.wrapupReports.recent(30).reverse()) console.error(r.lines.join('\n'))
      console.error(await ssh(['bash', '-c', 'cd "$1" && tail -n 20 err-* | tail -n 200', 'bash', workDir]).catch((e: Error) => e.message))
      throw err
    })
    const byStage = (stageId: string) => settled.filter((s) => s.stageId === stageId)
    const gens = byStage(ids.generate).filter((s) => s.parentSubmissionId === null)
    const recoveries = byStage(ids.generate).filter((s) => s.parentSubmissionId !== null)
    const processes = byStage(ids.process)
    const merges = byStage(ids.merge)
    expect([gens.length, recoveries.length, processes.length, merges.length]).toEqual([LAUNCHES, LAUNCHES, LAUNCHES, LAUNCHES])
    expect(gens[0]!.id).toBe(g1.id)

    for (const [k, gen] of gens.entries()) {
      const g = await detail(gen.id)
      // Slice k: the next 10 files of the definition; the SAM project froze exactly those.
      const slice = Array.from({ length: PER_LAUNCH }, (_, i) => raw(k * PER_LAUNCH + i))
      expect(g.snapshot!.launch.split).toMatchObject({ spec: `drainingn(${PER_LAUNCH})`, fileCount: PER_LAUNCH })
      const gp = projectOf(gen)
      expect(sorted(gp.files)).toEqual(slice)
      expect(g.submission.batchId).toMatch(/^\d+$/)
      expect(g.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS - 1, failed: 1 })
      const jobs = await h.call('submissions:jobs', { experiment: EXP, id: gen.id })
      expect(jobs.map((j) => [j.index, j.state, j.exitCode])).toEqual(Array.from({ length: JOBS }, (_, i) => (i === FAILING_JOB ? [i, 'failed', 3] : [i, 'completed', 0])))

      // Each HTCondor job was a SAM consumer of this launch's project: the POMS environment and
      // the project reached it. The failing one took its share and failed every file.
      const consumers = [...gp.processes.values()].sort((a, b) => a.description.localeCompare(b.description))
      expect(consumers.map((p) => [p.description, p.status, p.delivered.length])).toEqual(
        Array.from({ length: JOBS }, (_, i) => [`job ${i} of ${gen.id}`, i === FAILING_JOB ? 'bad' : 'completed', FILES_PER_JOB]),
      )
      const failedFiles = sorted(consumers[FAILING_JOB]!.delivered)
      for (const f of slice) expect(gp.status.get(f), f).toBe(failedFiles.includes(f) ? 'failed' : 'consumed')

      // The recovery of generate k takes exactly the failed job's files, and fails nothing.
      const recovery = recoveries.find((r) => r.parentSubmissionId === gen.id)!
      const r = await detail(recovery.id)
      const rp = projectOf(recovery)
      expect(sorted(rp.files)).toEqual(failedFiles)
      expect(r.snapshot!.launch.params).toContainEqual(['--fail-jobs=', ''])
      expect(r.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS, failed: 0 })
      expect([...rp.status.values()].every((s) => s === 'consumed')).toBe(true)

      // process k consumes what generate k and its recovery produced: one output per input file,
      // each declared in SAM with its input as parent.
      const proc = dependentOf(gen, ids.toProcess, processes)
      const p = await detail(proc.id)
      const pp = projectOf(proc)
      expect(p.snapshot!.launch.dataset).toBe(`poms_depends_${gen.id}_1`)
      expect(sorted(pp.files)).toEqual(sorted(slice.map((f) => outputOf(f, 'generate'))))
      for (const f of pp.files) expect(sam.catalog.parents(f)).toEqual([f.replace('_generate.root', '.dat')])
      expect([...pp.status.values()].every((s) => s === 'consumed')).toBe(true)

      // merge k consumes process k's outputs and writes one merged file, their child.
      const merge = dependentOf(proc, ids.toMerge, merges)
      const m = await detail(merge.id)
      const mp = projectOf(merge)
      expect(sorted(mp.files)).toEqual(sorted(slice.map((f) => outputOf(outputOf(f, 'generate'), 'process'))))
      expect(sorted(sam.catalog.parents(`merged_${merge.id}_0_merge.root`))).toEqual(sorted(mp.files))
      expect([...mp.status.values()].every((s) => s === 'consumed')).toBe(true)

      // The status history of every submission.
      const next = gens[k + 1]
      const failed = FILES_PER_JOB
      expectLife(
        g.history,
        k === 0 ? { actor: h.core.localUsername, face: 'cli', reason: null } : { actor: h.core.localUsername, face: 'engine', reason: `next split of generate, after ${gens[k - 1]!.shortId} was Located (self-dependency)` },
        locatedReason(LOCATED),
        new RegExp(`^wrap-up: recovery step 1 of 1 \\(consumed_status\\): ${failed} files → launched ${recovery.shortId}$`),
      )
      expectLife(
        r.history,
        { actor: h.core.localUsername, face: 'engine', reason: new RegExp(`^recovery of ${gen.shortId}, step 1 of 1 \\(consumed_status\\): ${failed} files .*; after ${gen.shortId} was Located$`) },
        locatedReason(failed),
        new RegExp(
          `^wrap-up: next split of generate → ${next ? `launched ${next.shortId}` : 'not launched: No more splits in this campaign\\.'}; dependent process on ${PER_LAUNCH} files → launched ${proc.shortId}$`,
        ),
      )
      expectLife(
        p.history,
        { actor: h.core.localUsername, face: 'engine', reason: `dependent of ${gen.shortId} (generate → process, %_generate.root): ${PER_LAUNCH} files` },
        locatedReason(PER_LAUNCH),
        new RegExp(`^wrap-up: recovery step 1 of 1 \\(consumed_status\\): nothing to recover .*; dependent merge on ${PER_LAUNCH} files → launched ${merge.shortId}$`),
      )
      expectLife(
        m.history,
        { actor: h.core.localUsername, face: 'engine', reason: `dependent of ${proc.shortId} (process → merge, %_process.root): ${PER_LAUNCH} files` },
        locatedReason(PER_LAUNCH),
        /^wrap-up: recovery step 1 of 1 \(consumed_status\): nothing to recover /,
      )
    }

    // The split is drained, and a fifth launch is refused.
    expect(h.core.deps.repos.stages.get(EXP, ids.generate)!.splitCursor).not.toBeNull()
    await expect(h.call('submissions:launch', { experiment: EXP, stageId: ids.generate, idempotencyKey: 'sam-e2e-fifth-launch' })).rejects.toThrow('No more splits in this campaign.')
    // File accounting from SAM: 10 in, 8 consumed, 2 failed; the outputs are the children of the
    // launch's files, so its recovery's 2 count too.
    expect(await h.call('submissions:files', { experiment: EXP, id: gens[0]!.id })).toMatchObject({ submitted: PER_LAUNCH, consumed: LOCATED, failed: FILES_PER_JOB, outputs: PER_LAUNCH })
    expect(await h.call('submissions:files', { experiment: EXP, id: recoveries[0]!.id })).toMatchObject({ submitted: FILES_PER_JOB, consumed: FILES_PER_JOB, failed: 0, outputs: FILES_PER_JOB })
    // Nothing is left for wrap-up to do, and SAM saw only authenticated requests.
    expect((await h.call('wrapup:run', {})).report).toEqual([])
    expect(await all()).toHaveLength(4 * LAUNCHES)
    expect(sam.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)
  }, 480_000)
})
