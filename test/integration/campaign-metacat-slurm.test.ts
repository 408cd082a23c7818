import { campaignRun, expectLife, trustAndTest, wireThreeStages } from '../helpers/campaign-run'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Submission } from '../../shared/domain/submission'
import { shellQuote } from '../../shared/domain/launch-params'
import { remoteCommand, remoteScript } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import type { CatFile } from '../emulators/metacat/catalog'
import { startShrek, type Shrek } from '../emulators/metacat/shrek'
import { REPO_ROOT, startCore, waitFor, type CoreHarness } from '../helpers/core-harness'
import { requireService } from '../helpers/services'
import { pinnedPool, sshdHost } from '../helpers/test-hosts'

/**
 * Issue 5, "Done when": the three-stage campaign (generate → process → merge) with the MetaCat and
 * Data Dispatcher emulators as the experiment's data services and real Slurm (over real SSH) as the
 * batch system. generate drains a 48-file MetaCat dataset in launches of 12 by itself (drainingn, a
 * self-dependency); each launch is a 3-task Slurm array whose tasks are Data Dispatcher workers taking
 * 4 files each, and task 1 fails its files on purpose; each recovery's project holds exactly those
 * files; process consumes the outputs the jobs declared to MetaCat, merge consumes process's; every
 * submission ends Located.
 */

const EXP = 'demo'
const FILES = 48
const PER_LAUNCH = 12
const JOBS = 3
const PER_JOB = PER_LAUNCH / JOBS
const FAILING_JOB = 1
const LAUNCHES = FILES / PER_LAUNCH
const OUT = 'out:files'
const raw = (i: number) => `raw:raw_${String(i).padStart(3, '0')}.dat`

describe('a three-stage campaign on MetaCat + Data Dispatcher, run on Slurm, carried to the end by the engine', () => {
  let shrek: Shrek
  let followClock: NodeJS.Timeout
  let h: CoreHarness
  let pool: SshPool
  let endpoint: SshEndpoint
  let dir: string
  let slurmConf: string
  const ids = { generate: '', process: '', merge: '', campaign: '', toProcess: '', toMerge: '' }

  beforeAll(async () => {
    const host = sshdHost()
    const sshd = host.env
    slurmConf = requireService('slurm').SLURM_CONF!
    endpoint = host.endpoint

    shrek = await startShrek()
    // MetaCat stamps a declaration with its clock, and dependency queries ask for outputs made after
    // the submission started: the clock follows real time, rounded up, so outputs are always newer.
    followClock = setInterval(() => {
      const now = Math.ceil(Date.now() / 1000)
      if (now > shrek.clock.now()) shrek.clock.advance(now - shrek.clock.now())
    }, 100)
    const cat = shrek.metacat.catalog
    cat.addNamespace('raw', 'poms')
    cat.addDataset('raw', 'events', { creator: 'poms' })
    cat.addNamespace('out', 'poms')
    cat.addDataset('out', 'files', { creator: 'poms' })
    const t0 = shrek.clock.now()
    cat.declare(Array.from({ length: FILES }, (_, i) => ({ namespace: 'raw', name: raw(i).slice(4), created_timestamp: t0 - 1000 + i, creator: 'poms' })), 'raw:events')

    // The jobs' working directory on the launch host: the worker and its own MetaCat token.
    pool = pinnedPool(host)
    dir = `${sshd.SSHD_HOME}/poms-it-metacat-${process.pid}-${Date.now()}`
    await pool.exec(endpoint, remoteCommand(['mkdir', '-p', dir]))
    await pool.upload(endpoint, `${dir}/dd-worker.py`, readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'remote', 'dd-worker.py'), 'utf8'), 0o755)
    await pool.upload(endpoint, `${dir}/token`, shrek.auth.issue('poms'), 0o600)

    h = await startCore({ pollIntervalMs: 1000, wrapupRecheckMs: 2000 })
    await h.call('experiments:configure', {
      experiment: EXP,
      dataHandler: 'metacat',
      settings: { 'metacat.url': shrek.metacat.url, 'data_dispatcher.url': shrek.dd.url },
      secrets: { 'metacat.token': shrek.auth.issue('poms') },
    })
    // The login setup says where the cluster and the experiment's data services are, as a site's does.
    const setup = [
      `export SLURM_CONF=${shellQuote(slurmConf)}`,
      `cd ${shellQuote(dir)}`,
      `export METACAT_SERVER_URL=${shellQuote(shrek.metacat.url)}`,
      `export DATA_DISPATCHER_URL=${shellQuote(shrek.dd.url)}`,
      `export POMS_TEST_TOKEN_FILE=${shellQuote(`${dir}/token`)}`,
    ].join('\n')
    const loginSetup = await h.call('loginSetups:create', {
      experiment: EXP,
      value: { name: 'slurm-loopback', backend: 'slurm', host: endpoint.host, port: endpoint.port, account: endpoint.username, setup, authMethod: 'key-file', keyFile: sshd.SSHD_CLIENT_KEY! },
    })
    await trustAndTest(h, EXP, loginSetup.id)

    const jobType = await h.call('jobTypes:create', {
      experiment: EXP,
      value: {
        name: 'dd-worker',
        launchScript: 'sbatch --parsable',
        // sbatch's options, the job script, then its arguments: overrides keep this order.
        definitionParameters: [
          ['--array=0-', String(JOBS - 1)],
          [shellQuote(`${dir}/dd-worker.py`), ''],
          ['--mode=', 'each'],
          ['--files-per-job=', String(PER_JOB)],
          ['--output-dataset=', OUT],
          ['--fail-jobs=', ''],
        ],
        outputFilePatterns: ['%.root'],
        // The recovery runs the same job without the injected failure.
        recoveryPlan: [{ type: 'consumed_status', paramOverrides: [['--fail-jobs=', '']] }],
      },
    })
    const campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'shrek-e2e', defaults: { jobTypeId: jobType.id, loginSetupId: loginSetup.id } } })
    ids.campaign = campaign.id
    const stage = (name: string, value: Record<string, unknown>) =>
      h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name, jobTypeId: jobType.id, loginSetupId: loginSetup.id, softwareVersion: 'v1', ...value } })
    ids.generate = (await stage('generate', { dataset: 'raw:events', splitType: `drainingn(${PER_LAUNCH})`, paramOverrides: [['--fail-jobs=', String(FAILING_JOB)]] })).id
    ids.process = (await stage('process', { dataset: 'from_parent' })).id
    ids.merge = (await stage('merge', { dataset: 'from_parent', paramOverrides: [['--array=0-', '0'], ['--mode=', 'merge'], ['--files-per-job=', '1000']] })).id
    Object.assign(ids, await wireThreeStages(h, EXP, ids))
  }, 120_000)

  afterAll(async () => {
    clearInterval(followClock)
    if (h && pool) {
      // Whatever a failed run left queued, by the job name each submission's jobs carry.
      const subs = (await h.call('submissions:list', { experiment: EXP, filter: { campaignId: ids.campaign }, limit: 500 }).catch(() => ({ items: [] as Submission[] }))).items
      const cancel = subs.map((s) => `scancel --name=${shellQuote(`poms-${s.id}`)}`)
      await pool.exec(endpoint, remoteScript([`export SLURM_CONF=${shellQuote(slurmConf)}`, ...cancel, 'true'].join('\n'))).catch(() => undefined)
    }
    if (pool && dir) await pool.exec(endpoint, remoteCommand(['rm', '-rf', dir])).catch(() => undefined)
    await h?.stop()
    pool?.close()
    await shrek?.close()
  })

  const { all, detail, dependentOf, followedUp } = campaignRun(() => h, EXP, () => ids.campaign)
  /** The submission's Data Dispatcher project, as the emulator holds it. */
  const projectOf = (sub: Submission) => {
    const project = h.core.deps.repos.submissions.engineState(sub.id)?.project
    expect(project, `${sub.shortId} has a project`).toMatch(/^\d+$/)
    return shrek.dd.dispatcher.projects.get(Number(project))!
  }
  const dids = (handles: { namespace: string; name: string }[]) => handles.map((x) => `${x.namespace}:${x.name}`)
  const inState = (sub: Submission, state: string) => dids(projectOf(sub).handles.filter((x) => x.state === state)).sort()
  const file = (did: string): CatFile => {
    const [ns, name] = did.split(':') as [string, string]
    return shrek.metacat.catalog.fileByDid(ns, name)!
  }
  const childrenOf = (did: string): CatFile[] => file(did).children.map((fid) => shrek.metacat.catalog.file(fid)!)
  const didOf = (f: CatFile) => `${f.namespace}:${f.name}`
  /** What a task's log says it did with its files ("done <did> -> <out>", "failed <did>"). */
  async function logged(sub: Submission, index: number, verb: 'done' | 'failed'): Promise<string[]> {
    const log = await h.call('submissions:jobLog', { experiment: EXP, id: sub.id, index })
    return [...log.text.matchAll(new RegExp(`^${verb} (\\S+)`, 'gm'))].map((m) => m[1]!)
  }

  /** Data Dispatcher's completion: every handle done or failed, against 95%. */
  const locatedBy = (handles: number, done: number, failed: number) =>
    new RegExp(`^outputs located: ${handles} located, threshold ${Math.ceil(handles * 0.95)} \\(95%\\); project \\d+: ${handles} of ${handles} file handles done or failed \\(${done} done, ${failed} failed\\)`)

  it('previews the split from MetaCat before anything runs', async () => {
    const preview = await h.call('splits:preview', { experiment: EXP, stageId: ids.generate, count: 10, filesPerSlice: 2 })
    expect(preview.slices.map((s) => s.fileCount)).toEqual(Array(LAUNCHES).fill(PER_LAUNCH))
    expect(preview.exhaustedAfter).toBe(LAUNCHES)
    expect(preview.slices[0]!.files).toEqual([raw(0), raw(1)])
    expect(preview.slices[LAUNCHES - 1]!.files).toEqual([raw(FILES - PER_LAUNCH), raw(FILES - PER_LAUNCH + 1)])
    expect(h.core.deps.repos.stages.get(EXP, ids.generate)!.splitCursor).toBeNull()
  })

  it(`drains ${FILES} files in ${LAUNCHES} Slurm launches, recovers exactly the failed files, feeds process and merge through MetaCat, and ends Located`, async () => {
    const first = await h.call('submissions:launch', { experiment: EXP, stageId: ids.generate, idempotencyKey: 'shrek-first-launch' })
    const g1 = first.submission!
    const settled = await waitFor(
      async () => {
        const subs = await all()
        // A launch or a submission that failed will not come back: say why at once.
        const broken = subs.find((s) => ['LaunchFailed', 'Failed', 'Cancelled'].includes(s.status))
        if (broken) throw new Error(`${broken.shortId} (${broken.stageName}) is ${broken.status}:\n${(await h.call('submissions:launchOutput', { experiment: EXP, id: broken.id })).text}`)
        // Wrap-up journals what a submission launches before marking it followed up, so this is the end.
        return subs.every((s) => s.status === 'Located' && followedUp(s.id)) && subs
      },
      420_000,
      'the campaign to end Located',
    ).catch(async (err: Error) => {
      // What the engine was doing, for whoever reads the failure.
      for (const s of await all()) console.error(`${s.shortId} ${s.stageName} ${s.status} ${s.dataset.slice(0, 80)} parent=${s.parentSubmissionId ?? '-'}`)
      for (const r of h.core.deps.repos.wrapupReports.recent(30).reverse()) console.error(r.lines.join('\n'))
      throw err
    })
    if (settled.length !== 4 * LAUNCHES) for (const r of h.core.deps.repos.wrapupReports.recent(30).reverse()) console.error(r.lines.join('\n'))
    const byStage = (stageId: string) => settled.filter((s) => s.stageId === stageId)
    const gens = byStage(ids.generate).filter((s) => s.parentSubmissionId === null)
    const recoveries = byStage(ids.generate).filter((s) => s.parentSubmissionId !== null)
    const processes = byStage(ids.process)
    const merges = byStage(ids.merge)
    expect([gens.length, recoveries.length, processes.length, merges.length]).toEqual(Array(4).fill(LAUNCHES))
    expect(gens[0]!.id).toBe(g1.id)

    for (const [k, gen] of gens.entries()) {
      const g = await detail(gen.id)
      // Slice k: the next 12 files in MetaCat's order are the project's handles (which it lists in any order).
      const slice = Array.from({ length: PER_LAUNCH }, (_, i) => raw(k * PER_LAUNCH + i))
      expect(g.snapshot!.launch.split).toMatchObject({ spec: `drainingn(${PER_LAUNCH})`, fileCount: PER_LAUNCH })
      expect(dids(projectOf(gen).handles).sort()).toEqual(slice)
      expect(g.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS - 1, failed: 1 })
      const jobs = await h.call('submissions:jobs', { experiment: EXP, id: gen.id })
      expect(jobs.filter((j) => j.state === 'failed').map((j) => [j.index, j.exitCode])).toEqual([[FAILING_JOB, 3]])
      // The failing task failed exactly the files it took; the others declared an output for each of theirs.
      const failed = inState(gen, 'failed')
      expect(failed).toHaveLength(PER_JOB)
      expect((await logged(gen, FAILING_JOB, 'failed')).sort()).toEqual(failed)
      const doneInGen = inState(gen, 'done')
      expect(doneInGen).toHaveLength(PER_LAUNCH - PER_JOB)
      const loggedDone = (await Promise.all(Array.from({ length: JOBS }, (_, i) => i).filter((i) => i !== FAILING_JOB).map((i) => logged(gen, i, 'done')))).flat().sort()
      expect(loggedDone).toEqual(doneInGen)

      // The recovery of generate k has a project of exactly the failed files, and finishes them all.
      const recovery = recoveries.find((r) => r.parentSubmissionId === gen.id)!
      const r = await detail(recovery.id)
      expect(r.snapshot!.launch.params).toContainEqual(['--fail-jobs=', ''])
      expect(dids(projectOf(recovery).handles).sort()).toEqual(failed)
      expect(inState(recovery, 'done')).toEqual(failed)
      expect(r.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS, failed: 0 })

      // In MetaCat: one output per input, made by whichever submission finished that input.
      const generated = slice.map((input) => {
        const outs = childrenOf(input)
        expect(outs.map(didOf)).toEqual([`out:${input.slice(4).replace('.dat', '_generate.root')}`])
        expect(outs[0]!.metadata['poms.submission_id']).toBe(failed.includes(input) ? recovery.id : gen.id)
        return didOf(outs[0]!)
      })

      // process k consumes what generate k and its recovery declared.
      const proc = dependentOf(gen, ids.toProcess, processes)
      const p = await detail(proc.id)
      expect(dids(projectOf(proc).handles).sort()).toEqual([...generated].sort())
      expect(inState(proc, 'done')).toEqual([...generated].sort())
      expect(p.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS, failed: 0 })
      const processed = generated.map((input) => {
        const outs = childrenOf(input)
        expect(outs.map(didOf)).toEqual([input.replace('.root', '_process.root')])
        expect(outs[0]!.metadata['poms.submission_id']).toBe(proc.id)
        return didOf(outs[0]!)
      })

      // merge k consumes process k's outputs into one merged file whose parents are all of them.
      const merge = dependentOf(proc, ids.toMerge, merges)
      const m = await detail(merge.id)
      expect(dids(projectOf(merge).handles).sort()).toEqual([...processed].sort())
      expect(inState(merge, 'done')).toEqual([...processed].sort())
      expect(m.submission.jobCounts).toMatchObject({ total: 1, completed: 1, failed: 0 })
      const merged = file(`out:merged_${merge.id}_merge.root`)
      expect(merged.parents.map((fid) => didOf(shrek.metacat.catalog.file(fid)!)).sort()).toEqual([...processed].sort())
      for (const input of processed) expect(childrenOf(input).map(didOf)).toEqual([didOf(merged)])

      // The status history of every submission.
      const next = gens[k + 1]
      expectLife(
        g.history,
        k === 0 ? { actor: h.core.localUsername, face: 'cli', reason: null } : { actor: h.core.localUsername, face: 'engine', reason: `next split of generate, after ${gens[k - 1]!.shortId} was Located (self-dependency)` },
        locatedBy(PER_LAUNCH, PER_LAUNCH - PER_JOB, PER_JOB),
        new RegExp(`^wrap-up: recovery step 1 of 1 \\(consumed_status\\): ${PER_JOB} files → launched ${recovery.shortId}$`),
      )
      expectLife(
        r.history,
        { actor: h.core.localUsername, face: 'engine', reason: new RegExp(`^recovery of ${gen.shortId}, step 1 of 1 \\(consumed_status\\): ${PER_JOB} files .*; after ${gen.shortId} was Located$`) },
        locatedBy(PER_JOB, PER_JOB, 0),
        new RegExp(
          `^wrap-up: next split of generate → ${next ? `launched ${next.shortId}` : 'not launched: No more splits in this campaign\\.'}; dependent process on ${PER_LAUNCH} files → launched ${proc.shortId}$`,
        ),
      )
      expectLife(
        p.history,
        { actor: h.core.localUsername, face: 'engine', reason: `dependent of ${gen.shortId} (generate → process, %_generate.root): ${PER_LAUNCH} files` },
        locatedBy(PER_LAUNCH, PER_LAUNCH, 0),
        new RegExp(`^wrap-up: recovery step 1 of 1 \\(consumed_status\\): nothing to recover .*; dependent merge on ${PER_LAUNCH} files → launched ${merge.shortId}$`),
      )
      expectLife(
        m.history,
        { actor: h.core.localUsername, face: 'engine', reason: `dependent of ${proc.shortId} (process → merge, %_process.root): ${PER_LAUNCH} files` },
        locatedBy(PER_LAUNCH, PER_LAUNCH, 0),
        /^wrap-up: recovery step 1 of 1 \(consumed_status\): nothing to recover /,
      )
    }

    // The split is drained, and a further launch is refused.
    await expect(h.call('submissions:launch', { experiment: EXP, stageId: ids.generate, idempotencyKey: 'shrek-extra-launch' })).rejects.toThrow('No more splits in this campaign.')
    // File accounting from Data Dispatcher and MetaCat: the recovery's outputs are children of the
    // parent's files too, so they count as the parent's outputs (POMS's "available output").
    expect(await h.call('submissions:files', { experiment: EXP, id: gens[0]!.id })).toMatchObject({ submitted: PER_LAUNCH, delivered: PER_LAUNCH, consumed: PER_LAUNCH - PER_JOB, failed: PER_JOB, unknown: 0, outputs: PER_LAUNCH })
    expect(await h.call('submissions:files', { experiment: EXP, id: recoveries[0]!.id })).toMatchObject({ submitted: PER_JOB, consumed: PER_JOB, failed: 0, outputs: PER_JOB })
    // Nothing is left for wrap-up to do, and nothing else was declared.
    expect((await h.call('wrapup:run', {})).report).toEqual([])
    expect(await all()).toHaveLength(4 * LAUNCHES)
    expect(shrek.metacat.catalog.dataset(OUT)!.files).toHaveLength(FILES * 2 + LAUNCHES)
  }, 480_000)
})
