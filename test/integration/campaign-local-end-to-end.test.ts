import { campaignRun, expectLife, wireThreeStages } from '../helpers/campaign-run'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Submission } from '../../shared/domain/submission'
import { shareFiles } from '../../electron/core/engine/data/data-handler'
import { startCore, waitFor, type CoreHarness } from '../helpers/core-harness'

/**
 * Issue 5, "Done when": a three-stage campaign (generate → process → merge) on the local backend
 * and the local data handler. generate drains a 200-file dataset in launches of 40 by itself (a
 * self-dependency); job 1 of every generate launch fails on purpose, so 10 files of each slice are
 * left unprocessed; each recovery relaunches exactly those files; process consumes generate's
 * outputs, merge consumes process's; everything ends Located.
 */

const EXP = 'demo'
const FILES = 200
const PER_LAUNCH = 40
const JOBS = 4
const FAILING_JOB = 1

/** A job that writes one output per input (or, with --mode=merge, one merged output), or fails as told. */
const JOB_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
fail_jobs=""
mode=each
for arg in "$@"; do
  case "$arg" in
    --fail-jobs=*) fail_jobs="\${arg#*=}" ;;
    --mode=*) mode="\${arg#*=}" ;;
  esac
done
job="\${PROCESS:-0}"
case ",\${fail_jobs}," in
  *",\${job},"*) echo "job \${job}: injected failure" >&2; exit 3 ;;
esac
stage="\${POMS4_CAMPAIGN_STAGE_NAME}"
if [ "\${mode}" = merge ]; then
  out="\${POMS_OUTPUT_DIR}/merged_\${POMS4_SUBMISSION_ID}_\${job}_\${stage}.root"
  cat "\${POMS_INPUT_FILE_LIST}" > "\${out}"
else
  while IFS= read -r input; do
    [ -n "\${input}" ] || continue
    name="$(basename "\${input}")"
    echo "from \${input}" > "\${POMS_OUTPUT_DIR}/\${name%.*}_\${stage}.root"
  done < "\${POMS_INPUT_FILE_LIST}"
fi
echo "job \${job} of \${stage}: done"
`

describe('a three-stage campaign on local data, carried to the end by the engine', () => {
  let h: CoreHarness
  let dir: string
  const ids = { generate: '', process: '', merge: '', campaign: '', toProcess: '', toMerge: '' }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poms-e2e-'))
    mkdirSync(join(dir, 'raw'))
    for (let i = 0; i < FILES; i++) writeFileSync(join(dir, 'raw', `ev_${String(i).padStart(3, '0')}.dat`), `event data ${i}\n`)
    const script = join(dir, 'e2e-job.sh')
    writeFileSync(script, JOB_SCRIPT)
    chmodSync(script, 0o755)

    h = await startCore({ localConcurrency: 8, wrapupRecheckMs: 2000 })
    const loginSetup = (await h.call('loginSetups:list', { experiment: EXP, filter: { name: 'local' } })).items[0]!
    const jobType = await h.call('jobTypes:create', {
      experiment: EXP,
      value: {
        name: 'e2e-job',
        launchScript: script,
        definitionParameters: [['--mode=', 'each']],
        outputFilePatterns: ['%.root'],
        // The recovery runs the same job without the injected failure.
        recoveryPlan: [{ type: 'consumed_status', paramOverrides: [['--fail-jobs=', '']] }],
      },
    })
    const campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'e2e', defaults: { jobTypeId: jobType.id, loginSetupId: loginSetup.id } } })
    ids.campaign = campaign.id
    const stage = (name: string, value: Record<string, unknown>) =>
      h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name, jobTypeId: jobType.id, loginSetupId: loginSetup.id, softwareVersion: 'v1', ...value } })
    ids.generate = (await stage('generate', { dataset: join(dir, 'raw', '*.dat'), splitType: `drainingn(${PER_LAUNCH})`, paramOverrides: [['-N ', String(JOBS)], ['--fail-jobs=', String(FAILING_JOB)]] })).id
    ids.process = (await stage('process', { dataset: 'from_parent', paramOverrides: [['-N ', '2']] })).id
    ids.merge = (await stage('merge', { dataset: 'from_parent', paramOverrides: [['-N ', '1'], ['--mode=', 'merge']] })).id
    Object.assign(ids, await wireThreeStages(h, EXP, ids))
  }, 120_000)

  afterAll(async () => {
    await h?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const { all, detail, dependentOf, followedUp } = campaignRun(() => h, EXP, () => ids.campaign)
  const outputsOf = (sub: Submission) =>
    readdirSync(join(h.dataDir, 'jobs', sub.id), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name.startsWith('out-'))
      .flatMap((e) => readdirSync(join(h.dataDir, 'jobs', sub.id, e.name)).map((f) => join(h.dataDir, 'jobs', sub.id, e.name, f)))
      .sort()


  it('previews the split and the plan before anything runs', async () => {
    const preview = await h.call('splits:preview', { experiment: EXP, stageId: ids.generate, count: 10, filesPerSlice: 2 })
    expect(preview.slices.map((s) => s.fileCount)).toEqual([40, 40, 40, 40, 40])
    expect(preview.exhaustedAfter).toBe(5)
    expect(preview.slices[0]!.files).toEqual([join(dir, 'raw', 'ev_000.dat'), join(dir, 'raw', 'ev_001.dat')])
    expect(preview.slices[4]!.files).toEqual([join(dir, 'raw', 'ev_160.dat'), join(dir, 'raw', 'ev_161.dat')])
    expect(h.core.deps.repos.stages.get(EXP, ids.generate)!.splitCursor).toBeNull()

    const plan = await h.call('campaigns:plan', { experiment: EXP, id: ids.campaign, launches: 10 })
    expect(plan.steps.map((s) => [s.stageName, s.kind])).toEqual(
      Array.from({ length: 5 }, () => [
        ['generate', 'split'],
        ['process', 'dependent'],
        ['merge', 'dependent'],
      ]).flat(),
    )
    expect(plan.steps[0]!.why).toMatch(/^the next launch of generate \(a leading stage: no other stage feeds it\): slice 1 of drainingn\(40\)/)
    expect(plan.steps[12]!.why).toMatch(/after this slice the split is exhausted$/)
  })

  it('drains 200 files in 5 launches, recovers exactly the failed files, feeds process and merge, and ends Located', async () => {
    const first = await h.call('submissions:launch', { experiment: EXP, stageId: ids.generate, idempotencyKey: 'e2e-first-launch' })
    const g1 = first.submission!
    const settled = await waitFor(
      async () => {
        const subs = await all()
        return subs.length === 20 && subs.every((s) => s.status === 'Located' && followedUp(s.id)) && subs
      },
      150_000,
      'the campaign to end Located',
    ).catch(async (err: Error) => {
      // What the engine was doing, for whoever reads the failure.
      for (const s of await all()) console.error(`${s.shortId} ${s.stageName} ${s.status} ${s.dataset} parent=${s.parentSubmissionId ?? '-'}`)
      for (const r of h.core.deps.repos.wrapupReports.recent(30).reverse()) console.error(r.lines.join('\n'))
      throw err
    })
    const byStage = (stageId: string) => settled.filter((s) => s.stageId === stageId)
    const gens = byStage(ids.generate).filter((s) => s.parentSubmissionId === null)
    const recoveries = byStage(ids.generate).filter((s) => s.parentSubmissionId !== null)
    const processes = byStage(ids.process)
    const merges = byStage(ids.merge)
    expect([gens.length, recoveries.length, processes.length, merges.length]).toEqual([5, 5, 5, 5])
    expect(gens[0]!.id).toBe(g1.id)
    const raw = (i: number) => join(dir, 'raw', `ev_${String(i).padStart(3, '0')}.dat`)

    for (const [k, gen] of gens.entries()) {
      const g = await detail(gen.id)
      // Slice k: the next 40 files, in order; the cursor moved with the launch.
      const slice = Array.from({ length: PER_LAUNCH }, (_, i) => raw(k * PER_LAUNCH + i))
      expect(g.snapshot!.launch.files).toEqual(slice)
      expect(g.snapshot!.launch.split).toMatchObject({ spec: 'drainingn(40)', fileCount: 40 })
      expect(g.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS - 1, failed: 1 })
      const jobs = await h.call('submissions:jobs', { experiment: EXP, id: gen.id })
      expect(jobs.filter((j) => j.state === 'failed').map((j) => j.index)).toEqual([FAILING_JOB])

      // The recovery of generate k takes exactly the failed job's files, and fails nothing.
      const failedFiles = shareFiles(slice, JOBS)[FAILING_JOB]!
      const recovery = recoveries.find((r) => r.parentSubmissionId === gen.id)!
      const r = await detail(recovery.id)
      expect(r.snapshot!.launch.files).toEqual(failedFiles)
      expect(r.snapshot!.launch.params).toContainEqual(['--fail-jobs=', ''])
      expect(r.submission.jobCounts).toMatchObject({ total: JOBS, completed: JOBS, failed: 0 })

      // process k consumes what generate k and its recovery produced: one output per input file.
      const proc = dependentOf(gen, ids.toProcess, processes)
      const p = await detail(proc.id)
      const generated = [...outputsOf(gen), ...outputsOf(recovery)].filter((f) => f.endsWith('_generate.root'))
      expect(generated).toHaveLength(PER_LAUNCH)
      expect([...p.snapshot!.launch.files].sort()).toEqual(generated.sort())
      expect(p.snapshot!.launch.files.map((f) => basename(f)).sort()).toEqual(slice.map((f) => basename(f).replace('.dat', '_generate.root')).sort())

      // merge k consumes process k's outputs and writes one merged file.
      const merge = dependentOf(proc, ids.toMerge, merges)
      const m = await detail(merge.id)
      const processed = outputsOf(proc).filter((f) => f.endsWith('_process.root'))
      expect(processed).toHaveLength(PER_LAUNCH)
      expect([...m.snapshot!.launch.files].sort()).toEqual(processed.sort())
      expect(outputsOf(merge)).toHaveLength(1)

      // The status history of every submission.
      const next = gens[k + 1]
      expectLife(
        g.history,
        k === 0 ? { actor: h.core.localUsername, face: 'cli', reason: null } : { actor: h.core.localUsername, face: 'engine', reason: `next split of generate, after ${gens[k - 1]!.shortId} was Located (self-dependency)` },
        /^outputs located: 30 located, threshold 28\.5 \(95%\)/,
        new RegExp(`^wrap-up: recovery step 1 of 1 \\(consumed_status\\): 10 files → launched ${recovery.shortId}$`),
      )
      expectLife(
        r.history,
        { actor: h.core.localUsername, face: 'engine', reason: new RegExp(`^recovery of ${gen.shortId}, step 1 of 1 \\(consumed_status\\): 10 files .*; after ${gen.shortId} was Located$`) },
        /^outputs located: 10 located, threshold 9\.5 \(95%\)/,
        new RegExp(
          `^wrap-up: next split of generate → ${next ? `launched ${next.shortId}` : 'not launched: No more splits in this campaign\\.'}; dependent process on 40 files → launched ${proc.shortId}$`,
        ),
      )
      expectLife(
        p.history,
        { actor: h.core.localUsername, face: 'engine', reason: `dependent of ${gen.shortId} (generate → process, %_generate.root): 40 files` },
        /^outputs located: 40 located, threshold 38 \(95%\)/,
        new RegExp(`^wrap-up: recovery step 1 of 1 \\(consumed_status\\): nothing to recover .*; dependent merge on 40 files → launched ${merge.shortId}$`),
      )
      expectLife(
        m.history,
        { actor: h.core.localUsername, face: 'engine', reason: `dependent of ${proc.shortId} (process → merge, %_process.root): 40 files` },
        /^outputs located: 40 located, threshold 38 \(95%\)/,
        /^wrap-up: recovery step 1 of 1 \(consumed_status\): nothing to recover /,
      )
    }

    // The split is drained: its cursor moved five times, and a sixth launch is refused.
    expect(h.core.deps.repos.stages.get(EXP, ids.generate)!.splitCursor).not.toBeNull()
    await expect(h.call('submissions:launch', { experiment: EXP, stageId: ids.generate, idempotencyKey: 'e2e-sixth-launch' })).rejects.toThrow('No more splits in this campaign.')
    // File accounting of a generate launch: 40 in, 30 consumed, 10 failed; its outputs are POMS's
    // "available output" (children of its files), so its recovery's 10 count too.
    expect(await h.call('submissions:files', { experiment: EXP, id: gens[0]!.id })).toMatchObject({ submitted: 40, consumed: 30, failed: 10, outputs: 40 })
    expect(await h.call('submissions:files', { experiment: EXP, id: recoveries[0]!.id })).toMatchObject({ submitted: 10, consumed: 10, failed: 0, outputs: 10 })
    // Nothing is left for wrap-up to do.
    expect((await h.call('wrapup:run', {})).report).toEqual([])
    expect(await all()).toHaveLength(20)
  }, 200_000)
})
