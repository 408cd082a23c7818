import type { SubmissionSnapshot } from '../../shared/domain/submission'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JobState } from '../../shared/domain/job'
import type { SubmissionStatus } from '../../shared/domain/submission-status'
import type { Backend, QueryResult } from '../../electron/core/engine/backends/backend'
import { createPoller } from '../../electron/core/engine/poller'
import type { Actor } from '../../electron/core/services/actor'
import { writeStatus, type StatusActor } from '../../electron/core/services/status-writer'
import { createSubmissionService } from '../../electron/core/services/submission-service'
import { newId } from '../../electron/core/store/ids'
import { startCore } from '../helpers/core-harness'

type Harness = Awaited<ReturnType<typeof startCore>>
const EXP = 'demo'
const ENGINE: StatusActor = { kind: 'engine', username: 'engine', face: 'engine' }
const PERSON: StatusActor = { kind: 'person', username: 'alice', face: 'web' }

let h: Harness
let stageId: string

beforeAll(async () => {
  // The core's own engine must not touch the submissions made here: poll once, then not for an hour.
  h = await startCore({ pollIntervalMs: 3_600_000 })
  await h.core.pollNow()
  stageId = (await h.call('stages:list', { experiment: EXP, filter: { name: 'generate' } })).items[0]!.id
})
afterAll(() => h?.stop())

/** A submission as a launch leaves it, at `status`, with `jobs` job rows in the given states. */
function submission(status: SubmissionStatus, jobs: JobState[] = []): string {
  const { repos, db } = h.core.deps
  const id = newId()
  db.transaction(() => {
    repos.submissions.insert({
      id,
      experiment: EXP,
      campaignId: null,
      stageId,
      status,
      launchState: 'launched',
      test: false,
      backend: 'local',
      dataset: '',
      parentSubmissionId: null,
      idempotencyKey: null,
      launchOutputFile: null,
      creator: h.core.localUsername,
      creatorRole: 'production',
      now: 1,
    })
    repos.submissions.appendHistory(id, { status, at: 1, actor: 'alice', face: 'cli', reason: null })
    // Every submission has its snapshot; the parts a local backend's control reads are enough here.
    repos.submissions.insertSnapshot(id, {
      takenAt: 1,
      loginSetup: { name: 'local', authMethod: 'agent', keyFile: '', secretRef: null },
      launch: { target: null, setup: '', env: {}, group: EXP, role: 'Production' },
    } as unknown as SubmissionSnapshot)
    jobs.forEach((state, index) =>
      repos.jobs.insert({
        id: newId(),
        submissionId: id,
        index,
        batchJobId: null,
        state,
        exitCode: null,
        holdReason: null,
        submittedAt: 1,
        startedAt: null,
        finishedAt: null,
        wallSeconds: null,
        cpuSeconds: null,
        memoryMb: null,
        host: null,
        updatedAt: 1,
      }),
    )
  })()
  return id
}

const history = (id: string) => h.core.deps.repos.submissions.history(id)
const statusOf = (id: string) => h.core.deps.repos.submissions.getById(id)!.status
const write = (id: string, from: SubmissionStatus, to: SubmissionStatus, actor: StatusActor, reason: string | null = null) =>
  h.core.deps.db.transaction(() => writeStatus(h.core.deps.repos, id, from, to, actor, 5, reason))()

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

/** A backend whose query and kill answer only when the test says so. */
function gatedBackend() {
  const queried = deferred<void>()
  const answer = deferred<QueryResult>()
  const killed = deferred<void>()
  const release = deferred<void>()
  const backend: Backend = {
    kind: 'local',
    submit: () => Promise.reject(new Error('not used')),
    query: () => {
      queried.resolve()
      return answer.promise
    },
    control: async () => {
      killed.resolve()
      await release.promise
      return { message: 'killed' }
    },
    fetchLog: async () => ({ text: '', truncated: false, bytes: 0 }),
    findTagged: async () => new Map(),
    close: async () => undefined,
  }
  return { backend, queried: queried.promise, answer: answer.resolve, killed: killed.promise, release: () => release.resolve() }
}

describe('writeStatus', () => {
  it('writes the history row and the current status together', () => {
    const id = submission('Running')
    expect(write(id, 'Running', 'Completed', ENGINE, 'all jobs done')).toEqual({ changed: true })
    expect(statusOf(id)).toBe('Completed')
    expect(history(id).at(-1)).toEqual({ status: 'Completed', at: 5, actor: 'engine', face: 'engine', reason: 'all jobs done' })
  })

  it.each<[SubmissionStatus, SubmissionStatus, string]>([
    ['Located', 'Completed', 'final'],
    ['Failed', 'Running', 'final'],
    ['Removed', 'Running', 'final'],
    ['Cancelled', 'Completed', 'person-cancelled'],
    ['Completed', 'Running', 'no-rollback'],
    ['Running', 'Running', 'same'],
  ])('the engine cannot move %s to %s (%s), and nothing is written', (from, to, rule) => {
    const id = submission(from)
    const before = history(id)
    expect(write(id, from, to, ENGINE)).toMatchObject({ changed: false, rule })
    expect(statusOf(id)).toBe(from)
    expect(history(id)).toEqual(before)
  })

  it.each<[SubmissionStatus, SubmissionStatus]>([
    ['Located', 'Completed'],
    ['Failed', 'Running'],
    ['Cancelled', 'Completed'],
  ])('a person may move %s to %s', (from, to) => {
    const id = submission(from)
    expect(write(id, from, to, PERSON, 'by hand')).toEqual({ changed: true })
    expect(history(id).at(-1)).toMatchObject({ status: to, actor: 'alice', face: 'web', reason: 'by hand' })
  })
})

describe('races between the engine and people', () => {
  it('a poll that was under way when a person killed the submission does not undo the kill', async () => {
    const id = submission('Running', ['running', 'running'])
    const gate = gatedBackend()
    const cycle = createPoller(h.core.deps, new Map([['local', gate.backend]]))()
    await gate.queried
    // The person's kill lands while the backend is answering.
    write(id, 'Running', 'Cancelled', PERSON, 'killed')
    const done = (index: number) => ({
      index,
      batchJobId: String(index),
      state: 'completed' as const,
      exitCode: 0,
      holdReason: null,
      submittedAt: 1,
      startedAt: 2,
      finishedAt: 3,
      wallSeconds: 1,
      cpuSeconds: null,
      memoryMb: null,
      host: 'here',
    })
    gate.answer({ jobs: new Map([[id, [done(0), done(1)]]]), unknown: [], partial: false })
    await cycle
    expect(statusOf(id)).toBe('Cancelled')
    expect(history(id).map((c) => c.status)).toEqual(['Running', 'Cancelled'])
    // The job rows themselves are still brought up to date.
    expect(h.core.deps.repos.jobs.listBySubmission(id).map((j) => j.state)).toEqual(['completed', 'completed'])
  })

  it('a kill that finds the submission completed meanwhile does not roll it back to Cancelled', async () => {
    const id = submission('Running', ['running'])
    const gate = gatedBackend()
    const service = createSubmissionService(h.core.deps, { backends: new Map([['local', gate.backend]]), abortLaunch: async () => false })
    const actor: Actor = { username: h.core.localUsername, role: 'superuser', face: 'cli', experiment: EXP }
    const killing = service.kill(actor, id)
    await gate.killed
    // The engine records the end of its jobs while the backend is still killing.
    write(id, 'Running', 'Completed', ENGINE)
    gate.release()
    const after = await killing
    expect(after.status).toBe('Completed')
    expect(history(id).map((c) => c.status)).toEqual(['Running', 'Completed'])
  })

  it('setStatus refuses a roll-back from Completed and allows Located', () => {
    const id = submission('Running')
    const service = createSubmissionService(h.core.deps, { backends: new Map(), abortLaunch: async () => false })
    const actor: Actor = { username: h.core.localUsername, role: 'superuser', face: 'cli', experiment: EXP }
    write(id, 'Running', 'Completed', ENGINE)
    expect(() => service.setStatus(actor, id, 'Running', null)).toThrow(/cannot go back to Running/)
    expect(service.setStatus(actor, id, 'Located', 'checked').status).toBe('Located')
  })
})
