import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ParamPair } from '../../shared/domain/common'
import { shellQuote } from '../../shared/domain/launch-params'
import type { Stage } from '../../shared/domain/stage'
import type { LaunchState } from '../../shared/domain/submission'
import type { SubmissionStatus } from '../../shared/domain/submission-status'
import { AppError } from '../../shared/errors'
import { newId } from '../../electron/core/store/ids'
import { LOCK_FILE } from '../../electron/core/store/open-store'
import { createRepos } from '../../electron/core/store/repos'
import {
  deadPid,
  isProcessAlive,
  openTestStore,
  processGroupMembers,
  startCore,
  tempDataDir,
  waitFor,
  waitForSubmission,
  type CoreHarness,
} from '../helpers/core-harness'

const EXP = 'demo'
const QUICK: ParamPair[] = [['--seconds=', '0']]

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the call to be refused')
}

const stageNamed = async (h: CoreHarness, name: string): Promise<Stage> =>
  (await h.call('stages:list', { experiment: EXP, filter: { name } })).items.find((s) => s.name === name)!
const submissionCount = (h: CoreHarness): number => h.core.deps.db.prepare('SELECT count(*) FROM submissions').pluck().get() as number
let keySeq = 0
const key = () => `test-key-${process.pid}-${++keySeq}`

async function launch(h: CoreHarness, stageId: string, extra: { paramOverrides?: ParamPair[]; datasetOverride?: string | null; idempotencyKey?: string } = {}) {
  const result = await h.call('submissions:launch', { experiment: EXP, stageId, idempotencyKey: extra.idempotencyKey ?? key(), paramOverrides: extra.paramOverrides ?? QUICK, datasetOverride: extra.datasetOverride ?? null })
  expect(result.submission).not.toBeNull()
  return result.submission!
}

describe('launching the sample campaign', () => {
  let h: CoreHarness
  let generate: Stage
  let completedId: string

  beforeAll(async () => {
    h = await startCore({ localConcurrency: 8 })
    generate = await stageNamed(h, 'generate')
  })
  afterAll(() => h?.stop())

  it('generate: New → Idle/Running → Completed → Located (wrap-up), with job 3 failed', async () => {
    const sub = await launch(h, generate.id, { paramOverrides: [['--seconds=', '1']] })
    expect(sub.status).toBe('New')
    const detail = await waitForSubmission(h, sub.id, (d) => d.submission.status === 'Located')
    completedId = sub.id

    const statuses = detail.history.map((c) => c.status)
    const completed = statuses.indexOf('Completed')
    expect(statuses[0]).toBe('New')
    expect(completed).toBeGreaterThanOrEqual(2)
    for (const middle of statuses.slice(1, completed)) expect(['Idle', 'Running']).toContain(middle)
    // Wrap-up locates it, then notes what it launched after it (the process stage on its outputs).
    expect(statuses.slice(completed + 1)).toEqual(statuses.length - completed - 1 === 2 ? ['Located', 'Located'] : ['Located'])
    expect(detail.history[0]).toMatchObject({ actor: h.core.localUsername, face: 'cli' })
    expect(detail.history[completed]).toMatchObject({ actor: 'engine', face: 'engine' })
    expect(detail.history[completed + 1]).toMatchObject({ actor: 'engine', face: 'engine', reason: expect.stringMatching(/^outputs located: 16 located/) })
    expect(detail.submission).toMatchObject({ launchState: 'launched', launchError: null, batchId: `local:${sub.shortId}` })
    expect(detail.submission.jobCounts).toMatchObject({ total: 5, completed: 4, failed: 1 })

    const jobs = await h.call('submissions:jobs', { experiment: EXP, id: sub.id })
    expect(jobs.map((j) => j.index)).toEqual([0, 1, 2, 3, 4])
    for (const job of jobs) {
      expect(job.state, `job ${job.index}`).toBe(job.index === 3 ? 'failed' : 'completed')
      expect(job.exitCode, `job ${job.index}`).toBe(job.index === 3 ? 3 : 0)
      expect(job.batchJobId).toMatch(/^\d+$/)
      expect(job.finishedAt).not.toBeNull()
    }

    const log3 = await h.call('submissions:jobLog', { experiment: EXP, id: sub.id, index: 3 })
    expect(log3.text).toContain('simulated failure')
    const log0 = await h.call('submissions:jobLog', { experiment: EXP, id: sub.id, index: 0 })
    expect(log0.text).toContain('job 0 done: 4 input files')

    const output = await h.call('submissions:launchOutput', { experiment: EXP, id: sub.id })
    expect(output.text).toContain(`command: ${detail.snapshot!.launch.command}`)
    expect(output.text).toContain(`== submitted as local:${sub.shortId} (5 jobs) ==`)
  })

  it('freezes the stage, job type, login setup and files in the snapshot', async () => {
    const before = (await h.call('submissions:get', { experiment: EXP, id: completedId })).snapshot!
    expect(before.stage).toMatchObject({ id: generate.id, name: 'generate', paramOverrides: generate.paramOverrides, completionPct: 95 })
    expect(before.jobType.name).toBe('sample-job')
    expect(before.loginSetup).toMatchObject({ name: 'local', backend: 'local' })
    expect(before.campaign?.name).toBe('sample-campaign')
    expect(before.launch.jobCount).toBe(5)
    expect(before.launch.files).toHaveLength(20)
    expect(before.launch.files.every((f) => f.endsWith('.dat'))).toBe(true)
    expect(before.launch.params).toContainEqual(['--seconds=', '1'])
    expect(before.launch.argv.at(-1)).toBe('--seconds=1')

    // Editing the stage afterwards does not touch what the submission used.
    const current = await h.call('stages:get', { experiment: EXP, id: generate.id })
    await h.call('stages:update', { experiment: EXP, id: generate.id, expectedRev: current.rev, value: { ...stripStage(current), completionPct: 80 } })
    const after = (await h.call('submissions:get', { experiment: EXP, id: completedId })).snapshot!
    expect(after).toEqual(before)
  })

  it('process ends Failed with jobs 0, 1 and 2 failed', async () => {
    const process = await stageNamed(h, 'process')
    const sub = await launch(h, process.id)
    const detail = await waitForSubmission(h, sub.id)
    expect(detail.submission.status).toBe('Failed')
    expect(detail.submission.jobCounts).toMatchObject({ total: 4, failed: 3, completed: 1 })
    const jobs = await h.call('submissions:jobs', { experiment: EXP, id: sub.id })
    expect(jobs.filter((j) => j.state === 'failed').map((j) => j.index)).toEqual([0, 1, 2])
  })

  it('a retried launch with the same key returns the first submission', async () => {
    const k = key()
    const first = await h.call('submissions:launch', { experiment: EXP, stageId: generate.id, idempotencyKey: k, paramOverrides: QUICK })
    const again = await h.call('submissions:launch', { experiment: EXP, stageId: generate.id, idempotencyKey: k, paramOverrides: QUICK })
    expect(first.replayed).toBe(false)
    expect(again).toMatchObject({ replayed: true, taskId: null, held: null })
    expect(again.submission?.id).toBe(first.submission?.id)
    expect(h.core.deps.db.prepare('SELECT count(*) FROM submissions WHERE idempotency_key = ?').pluck().get(k)).toBe(1)
    await waitForSubmission(h, first.submission!.id)
  })

  it('concurrent calls with one key launch once', async () => {
    const k = key()
    const before = submissionCount(h)
    const results = await Promise.all([0, 1, 2].map(() => h.call('submissions:launch', { experiment: EXP, stageId: generate.id, idempotencyKey: k, paramOverrides: QUICK })))
    expect(new Set(results.map((r) => r.submission?.id)).size).toBe(1)
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(submissionCount(h)).toBe(before + 1)
    await waitForSubmission(h, results[0]!.submission!.id)
  })

  describe('launches that cannot run', () => {
    let bareCampaignId: string
    beforeAll(async () => {
      bareCampaignId = (await h.call('campaigns:create', { experiment: EXP, value: { name: 'bare' } })).id
    })

    it('a stage without a job type or login setup is BAD_INPUT and writes no submission', async () => {
      const naked = await h.call('stages:create', { experiment: EXP, value: { campaignId: bareCampaignId, name: 'naked' } })
      const before = submissionCount(h)
      const err = await rejection(h.call('submissions:launch', { experiment: EXP, stageId: naked.id, idempotencyKey: key() }))
      expect(err.code).toBe('BAD_INPUT')
      expect(err.fields?.map((f) => f.path)).toEqual(['jobTypeId', 'loginSetupId'])
      expect(submissionCount(h)).toBe(before)
    })

    it('a missing launch script ends LaunchFailed: New → LaunchFailed, no jobs', async () => {
      const script = join(tmpdir(), `poms-no-such-dir-${process.pid}`, 'job.sh')
      const jobType = await h.call('jobTypes:create', { experiment: EXP, value: { name: 'ghost-job', launchScript: script } })
      const loginSetup = (await h.call('loginSetups:list', { experiment: EXP, filter: { name: 'local' } })).items[0]!
      const ghost = await h.call('stages:create', { experiment: EXP, value: { campaignId: bareCampaignId, name: 'ghost', jobTypeId: jobType.id, loginSetupId: loginSetup.id } })
      const sub = await launch(h, ghost.id, { paramOverrides: [] })
      const detail = await waitForSubmission(h, sub.id)
      expect(detail.submission.status).toBe('LaunchFailed')
      expect(detail.submission.launchState).toBe('failed')
      expect(detail.submission.launchError).toContain('does not exist')
      expect(detail.submission.launchError).toContain(script)
      expect(detail.history.map((c) => c.status)).toEqual(['New', 'LaunchFailed'])
      expect(await h.call('submissions:jobs', { experiment: EXP, id: sub.id })).toEqual([])
      expect((await h.call('submissions:launchOutput', { experiment: EXP, id: sub.id })).text).toMatch(/== launch failed: .*does not exist/)
    })

    it('a launch that fails gives its slice back to the split, so the next launch takes the same files', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'poms-giveback-'))
      for (let i = 0; i < 6; i++) writeFileSync(join(dir, `f${i}.dat`), `${i}\n`)
      const script = join(dir, 'missing', 'job.sh')
      const jobType = await h.call('jobTypes:create', { experiment: EXP, value: { name: 'giveback-job', launchScript: script } })
      const loginSetup = (await h.call('loginSetups:list', { experiment: EXP, filter: { name: 'local' } })).items[0]!
      const stage = await h.call('stages:create', {
        experiment: EXP,
        value: { campaignId: bareCampaignId, name: 'giveback', jobTypeId: jobType.id, loginSetupId: loginSetup.id, dataset: join(dir, '*.dat'), splitType: 'nfiles(2)' },
      })
      const cursorNow = () => h.core.deps.repos.stages.get(EXP, stage.id)!.splitCursor
      const first = await waitForSubmission(h, (await launch(h, stage.id, { paramOverrides: [] })).id)
      expect(first.submission.status).toBe('LaunchFailed')
      expect(first.snapshot!.launch.files.map((f) => f.slice(dir.length + 1))).toEqual(['f0.dat', 'f1.dat'])
      expect(first.history.at(-1)!.reason).toMatch(/its slice was given back to the split \(cursor start\), so the next launch takes it again$/)
      expect(cursorNow()).toBeNull()
      const second = await waitForSubmission(h, (await launch(h, stage.id, { paramOverrides: [] })).id)
      expect(second.snapshot!.launch.files).toEqual(first.snapshot!.launch.files)
      expect(cursorNow()).toBeNull()
      rmSync(dir, { recursive: true, force: true })
    })

    it('a dataset that cannot be read fails the launch at once, before anything runs', async () => {
      const sub = await launch(h, generate.id, { datasetOverride: join(tmpdir(), `poms-missing-${process.pid}.dat`) })
      expect(sub.status).toBe('LaunchFailed')
      expect(sub.launchError).toMatch(/the dataset cannot be read: input file .* does not exist/)
      expect(existsSync(join(h.dataDir, 'jobs', sub.id))).toBe(false)
    })
  })

  it('kill: Cancelled, jobs removed, processes gone, and the engine keeps it Cancelled', async () => {
    const sub = await launch(h, generate.id, { paramOverrides: [['-N ', '2'], ['--fail-jobs=', ''], ['--seconds=', '30']] })
    const running = await waitFor(
      async () => {
        const jobs = await h.call('submissions:jobs', { experiment: EXP, id: sub.id })
        const detail = await h.call('submissions:get', { experiment: EXP, id: sub.id })
        return detail.submission.status === 'Running' && jobs.length === 2 && jobs.every((j) => j.state === 'running' && j.batchJobId) && jobs
      },
      20_000,
      'both jobs to run',
    )
    const pids = running.map((j) => Number(j.batchJobId))
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(true)

    const killed = await h.call('submissions:kill', { experiment: EXP, id: sub.id })
    expect(killed.status).toBe('Cancelled')

    await waitFor(async () => (await h.call('submissions:jobs', { experiment: EXP, id: sub.id })).every((j) => j.state === 'removed'), 15_000, 'jobs removed')
    await waitFor(async () => pids.every((pid) => !isProcessAlive(pid) && processGroupMembers(pid).length === 0), 15_000, 'job processes gone')

    await h.core.pollNow()
    await h.core.pollNow()
    const detail = await h.call('submissions:get', { experiment: EXP, id: sub.id })
    expect(detail.submission.status).toBe('Cancelled')
    const statuses = detail.history.map((c) => c.status)
    expect(statuses.at(-1)).toBe('Cancelled')
    expect(statuses.slice(statuses.indexOf('Cancelled'))).toEqual(['Cancelled'])
    expect(detail.history.at(-1)).toMatchObject({ actor: h.core.localUsername, face: 'cli', reason: `killed by ${h.core.localUsername}` })

    const again = await rejection(h.call('submissions:kill', { experiment: EXP, id: sub.id }))
    expect(again.code).toBe('BAD_INPUT')
  })

  it('a person moves a Located submission back to Completed to have it checked again, but never back to Running', async () => {
    await waitForSubmission(h, completedId, (d) => d.submission.status === 'Located' && d.history.length > 0)
    const dependents = () => h.core.deps.db.prepare("SELECT count(*) FROM submissions WHERE idempotency_key LIKE 'dependent:' || ? || ':%'").pluck().get(completedId) as number
    await waitFor(async () => dependents() === 1, 10_000, 'the dependent of generate')
    const back = await h.call('submissions:setStatus', { experiment: EXP, id: completedId, status: 'Completed', reason: 'recheck' })
    expect(back.status).toBe('Completed')
    const err = await rejection(h.call('submissions:setStatus', { experiment: EXP, id: completedId, status: 'Running' }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields?.[0]?.path).toBe('status')
    // Asking for the status it already has writes nothing.
    await h.call('submissions:setStatus', { experiment: EXP, id: completedId, status: 'Completed' })
    const history = (await h.call('submissions:get', { experiment: EXP, id: completedId })).history
    expect(history.at(-1)).toEqual(expect.objectContaining({ status: 'Completed', actor: h.core.localUsername, face: 'cli', reason: 'recheck' }))
    // The engine checks it again and finds it located; its follow-ups ran once and do not run again.
    await h.core.pollNow()
    const after = await h.call('submissions:get', { experiment: EXP, id: completedId })
    expect(after.submission.status).toBe('Located')
    expect(after.history.at(-1)).toMatchObject({ status: 'Located', actor: 'engine' })
    expect(dependents()).toBe(1)
  })
})

describe('values are data, never code', () => {
  let h: CoreHarness
  let dir: string
  let stageId: string
  const owned = (n: number) => join(dir, `owned${n}.txt`)
  let evil: string

  /** A real file whose path is itself hostile, so the local data handler accepts it as a dataset. */
  function hostileFile(name: string): string {
    const path = join(dir, name)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, 'data\n')
    return path
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'poms-inject-'))
    h = await startCore({ localConcurrency: 4 })
    evil = `$(touch ${owned(3)})\`touch ${owned(4)}\`; touch ${owned(5)} | touch ${owned(6)} && '"`
    const script = join(dir, 'argv-job.sh')
    writeFileSync(script, `#!/bin/sh\nprintf '%s\\0' "$@" > "$POMS_OUTPUT_DIR/argv"\n`)
    chmodSync(script, 0o755)
    const jobType = await h.call('jobTypes:create', {
      experiment: EXP,
      value: { name: 'argv-job', launchScript: script, definitionParameters: [['--dataset=', '%(dataset)s'], ['--tag=', '%(evil)s']] },
    })
    const loginSetup = (await h.call('loginSetups:list', { experiment: EXP, filter: { name: 'local' } })).items[0]!
    const campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'hostile', keywords: { evil } } })
    stageId = (await h.call('stages:create', { experiment: EXP, value: { campaignId: campaign.id, name: 'inject', jobTypeId: jobType.id, loginSetupId: loginSetup.id } })).id
  })
  afterAll(async () => {
    await h?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const argvOf = (submissionId: string) =>
    readFileSync(join(h.dataDir, 'jobs', submissionId, 'out-0', 'argv'), 'utf8').split('\0').slice(0, -1)

  it.each([
    ['command substitution', () => `$(touch ${owned(1)})`],
    ['a broken-out single quote', () => `'; touch ${owned(2)}; '`],
  ])('a dataset with %s and a hostile keyword reach the job as literal arguments', async (_what, name) => {
    const dataset = hostileFile(name())
    const sub = await launch(h, stageId, { datasetOverride: dataset, paramOverrides: [] })
    // The hostile path is also the local catalog's definition name: the run is carried to Located.
    const detail = await waitForSubmission(h, sub.id, (d) => d.submission.status === 'Located')
    expect(detail.history.map((c) => c.status).slice(-2)).toEqual(['Completed', 'Located'])
    expect(argvOf(sub.id)).toEqual([`--dataset=${dataset}`, `--tag=${evil}`])
    expect(detail.snapshot!.launch.command).toContain(`--dataset=${shellQuote(dataset)}`)
    for (let n = 1; n <= 6; n++) expect(existsSync(owned(n)), owned(n)).toBe(false)
  })
})

describe('restart', () => {
  const dataDir = tempDataDir('poms-restart-')
  let first: CoreHarness
  let longRunning: string
  let longPid: number
  const crashed: Record<'lost' | 'pending' | 'launching', string> = { lost: '', pending: '', launching: '' }

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('closing the core stops its jobs and releases the store', async () => {
    first = await startCore({ dataDir })
    const generate = await stageNamed(first, 'generate')
    const sub = await launch(first, generate.id, { paramOverrides: [['-N ', '1'], ['--fail-jobs=', ''], ['--seconds=', '30']] })
    longRunning = sub.id
    const job = await waitFor(async () => {
      const jobs = await first.call('submissions:jobs', { experiment: EXP, id: sub.id })
      return jobs[0]?.state === 'running' && jobs[0].batchJobId !== null && jobs[0]
    }, 20_000, 'the long job to run')
    longPid = Number(job.batchJobId)
    expect(isProcessAlive(longPid)).toBe(true)

    await first.stop(false)
    expect(isProcessAlive(longPid)).toBe(false)
    expect(processGroupMembers(longPid)).toEqual([])
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false)
  })

  it('a reopened core fails lost jobs and settles interrupted launches without launching them', async () => {
    // What a crash leaves behind: a submission whose local jobs ran in the dead process, and
    // launches journaled but never (or only half) handed to the backend.
    const store = openTestStore({ dataDir })
    try {
      const repos = createRepos(store.db)
      const stage = repos.stages.list(EXP, { conditions: [{ sql: 'name = ?', params: ['generate'] }], sort: { column: 'name', direction: 'asc' }, cursor: null, limit: 1 }).items[0]!
      const make = (status: SubmissionStatus, launchState: LaunchState, jobs: number) => {
        const id = newId()
        store.db.transaction(() => {
          repos.submissions.insert({ id, experiment: EXP, campaignId: stage.campaignId, stageId: stage.id, status, launchState, test: false, backend: 'local', dataset: '', parentSubmissionId: null, idempotencyKey: null, launchOutputFile: null, creator: 'someone', creatorRole: 'production', now: 1 })
          repos.submissions.appendHistory(id, { status: 'New', at: 1, actor: 'someone', face: 'desktop', reason: null })
          if (status !== 'New') repos.submissions.appendHistory(id, { status, at: 2, actor: 'engine', face: 'engine', reason: null })
          for (let index = 0; index < jobs; index++) {
            repos.jobs.insert({ id: newId(), submissionId: id, index, batchJobId: String(deadPid()), state: 'running', exitCode: null, holdReason: null, submittedAt: 1, startedAt: 2, finishedAt: null, wallSeconds: null, cpuSeconds: null, memoryMb: null, host: 'here', updatedAt: 2 })
          }
        })()
        return id
      }
      crashed.lost = make('Running', 'launched', 2)
      crashed.pending = make('New', 'pending', 0)
      crashed.launching = make('New', 'launching', 0)
    } finally {
      store.close()
    }

    const second = await startCore({ dataDir })
    try {
      const lost = await waitForSubmission(second, crashed.lost, (d) => d.submission.status !== 'Running', { timeoutMs: 10_000 })
      expect(lost.submission.status).toBe('Failed')
      expect(lost.history.at(-1)).toMatchObject({ status: 'Failed', actor: 'engine', reason: expect.stringContaining('app stopped') })
      expect((await second.call('submissions:jobs', { experiment: EXP, id: crashed.lost })).map((j) => j.state)).toEqual(['failed', 'failed'])

      for (const id of [crashed.pending, crashed.launching]) {
        const detail = await second.call('submissions:get', { experiment: EXP, id })
        expect(detail.submission).toMatchObject({ status: 'LaunchFailed', launchState: 'failed', launchError: expect.stringContaining('app stopped') })
        expect(detail.history.map((c) => c.status)).toEqual(['New', 'LaunchFailed'])
      }

      // The long job killed by the close was recorded, and nothing runs again.
      const long = await second.call('submissions:get', { experiment: EXP, id: longRunning })
      expect(long.submission.status).not.toBe('Running')
      expect((await second.call('submissions:jobs', { experiment: EXP, id: longRunning })).map((j) => j.state)).toEqual(['failed'])

      await second.core.pollNow()
      await second.core.pollNow()
      for (const id of [crashed.pending, crashed.launching]) {
        expect(await second.call('submissions:jobs', { experiment: EXP, id })).toEqual([])
        expect(existsSync(join(dataDir, 'jobs', id))).toBe(false)
        expect((await second.call('submissions:get', { experiment: EXP, id })).history).toHaveLength(2)
      }
    } finally {
      await second.stop(false)
    }
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false)
    openTestStore({ dataDir }).close()
  })
})

/** The editable fields of a stage, as an update sends them back. */
function stripStage(stage: Stage) {
  const { id: _id, shortId: _s, experiment: _e, rev: _r, createdAt: _c, updatedAt: _u, creator: _cr, creatorRole: _crr, updater: _up, splitCursor: _sc, hold: _h, ...value } = stage
  return { ...value, campaignId: stage.campaignId! }
}
