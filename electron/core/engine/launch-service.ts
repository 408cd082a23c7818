import { join } from 'node:path'
import type { LaunchResult, ParsedInput } from '../../../shared/api/contract'
import { canDo } from '../../../shared/domain/roles'
import type { SubmissionSnapshot, Submission } from '../../../shared/domain/submission'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import { resolveActor, type Actor } from '../services/actor'
import { recordAudit } from '../services/audit'
import { writeStatus } from '../services/status-writer'
import type { SshPool } from '../ssh/ssh-pool'
import { remoteCommand } from '../ssh/remote-command'
import { newId } from '../store/ids'
import type { TaskHandle } from '../tasks/task-registry'
import { LaunchError, type Backend } from './backends/backend'
import { PROCESS_MARKER } from './backends/remote-launch-script'
import type { Stage } from '../../../shared/domain/stage'
import { SplitExhausted } from './data/data-handler'
import type { DataHandlers } from './data/data-handlers'
import { submissionFacts } from './data/submission-facts'
import { queueHeldLaunch, launchesHeld } from './launch-holds'
import { openLaunchOutput, redactEnv, type LaunchOutput } from './launch-output'
import { launchConfig, launchPlan, prepareLaunch, previewOf, splitSpecFor, type PreparedLaunch } from './launch-preparation'
import { trackedSubmission } from './tracked-submission'

export interface LaunchServiceOptions {
  backends: ReadonlyMap<string, Backend>
  dataHandlers: DataHandlers
  /** A launch found the stage's split exhausted (the schedule is cleared or the event counted). */
  onSplitExhausted?: (stage: Stage) => void
  /** For aborting a remote launch that is still running (kills its process group on the host). */
  sshPool?: SshPool
  /** The engine polls sooner after a launch settles. */
  onLaunched: () => void
}

/** What an automatic launch carries besides the request: its recovery parent and why it happens. */
export interface LaunchOrigin {
  parentSubmissionId?: string | null
  /** The reason on the New row: "recovery of s-… step 1 (consumed_status)", "dependent of s-…". */
  reason?: string | null
}

/** POMS's message when a split has nothing left (§3.1 step 6). */
export const SPLIT_EXHAUSTED_MESSAGE = 'No more splits in this campaign.'

interface RunningLaunch {
  controller: AbortController
  /** The launch script's process id on the launch host, once its marker was printed. */
  remotePid: number | null
  snapshot: SubmissionSnapshot
}

/**
 * Launch = resolve the configuration, write the submission, its snapshot and `New` in one
 * transaction before anything runs (the journal), then let the backend run it in the background.
 * A dry run resolves the same way and writes nothing.
 */
export function createLaunchService(deps: CoreDeps, opts: LaunchServiceOptions) {
  const { db, repos, clock, events, tasks, logger } = deps
  const running = new Map<string, RunningLaunch>()
  const launchFile = (submissionId: string) => join(deps.paths.dataDir, 'launches', `${submissionId}.log`)
  const ENGINE = { kind: 'engine' as const, username: 'engine', face: 'engine' as const }

  async function runBackend(submission: Submission, backend: Backend, snapshot: SubmissionSnapshot, task: TaskHandle, entry: RunningLaunch, output: LaunchOutput) {
    const submissionId = submission.id
    const experiment = snapshot.stage.experiment
    const settle = (fn: () => void) => {
      db.transaction(fn)()
      events.emit('submissions:changed', { experiment, ids: [submissionId] })
      events.emit('jobs:changed', { experiment, submissionIds: [submissionId] })
    }
    try {
      // The project is started once the launch is journaled, so a crash never leaves one without its submission.
      const project = await beginProject(submission, snapshot, output)
      const tracked = trackedSubmission(submission, snapshot)
      const plan = launchPlan({ ...tracked, env: { ...tracked.env, ...project.env } }, snapshot.launch)
      const result = await backend.submit(plan, {
        log: (line) => {
          const marker = line.startsWith(PROCESS_MARKER) ? /(\d+)/.exec(line.slice(PROCESS_MARKER.length)) : null
          if (marker) entry.remotePid = Number(marker[1])
          output.line(line)
        },
        signal: entry.controller.signal,
      })
      output.line(`== submitted as ${result.batchId}${result.jobs.length ? ` (${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'})` : ''} ==`)
      // The output is on disk before the outcome is recorded, so whoever sees the outcome can read it.
      await output.close()
      const now = clock.now()
      settle(() => {
        for (const job of result.jobs) repos.jobs.insert({ ...job, id: newId(), submissionId, updatedAt: now })
        repos.submissions.setLaunchState(submissionId, 'launched', null, result.batchId, now)
      })
      task.succeed(`submitted as ${result.batchId}`)
    } catch (err) {
      const aborted = entry.controller.signal.aborted
      const reason = aborted ? 'the launch was aborted' : err instanceof LaunchError ? err.message : `unexpected error: ${(err as Error).message}`
      if (!aborted && !(err instanceof LaunchError)) logger.error('launch failed unexpectedly', { submissionId, error: (err as Error).stack })
      output.line(`== launch failed: ${reason} ==`)
      await output.close()
      settle(() => {
        // Nothing ran, so the slice goes back to the split (unless aborted: jobs may have been submitted).
        const givenBack = !aborted && giveSliceBack(snapshot)
        const current = repos.submissions.getById(submissionId)
        const recorded = givenBack ? `${reason}; its slice was given back to the split (cursor ${snapshot.launch.splitCursorBefore ?? 'start'}), so the next launch takes it again` : reason
        if (current) writeStatus(repos, submissionId, current.status, 'LaunchFailed', ENGINE, clock.now(), recorded)
        repos.submissions.setLaunchState(submissionId, 'failed', reason, null, clock.now())
      })
      task.fail(reason)
    } finally {
      await output.close()
      running.delete(submissionId)
      opts.onLaunched()
    }
  }

  /**
   * Moves the stage's cursor back to where this launch found it, if no later launch moved it since
   * (compare and set, like taking the slice). Runs inside the settling transaction.
   */
  function giveSliceBack(snapshot: SubmissionSnapshot): boolean {
    const { split, splitCursorBefore, splitCursorAfter } = snapshot.launch
    if (!split) return false
    const stage = repos.stages.get(snapshot.stage.experiment, snapshot.stage.id)
    if (!stage || stage.splitCursor !== splitCursorAfter || splitCursorAfter === splitCursorBefore) return false
    repos.stages.setSplitCursor(stage.id, splitCursorBefore, clock.now())
    events.emit('stages:changed', { experiment: snapshot.stage.experiment, ids: [stage.id] })
    return true
  }

  /** Starts the submission's data project and records it; its environment goes to the jobs. */
  async function beginProject(submission: Submission, snapshot: SubmissionSnapshot, output: LaunchOutput) {
    let project: { project: string | null; env: Record<string, string> }
    const handler = opts.dataHandlers.forExperiment(submission.experiment)
    if (handler.kind === 'local' && submission.backend !== 'local') {
      // The local catalog holds files on this machine; jobs on a batch system read their own.
      output.line(`no data project: the local data handler knows files on this machine, so ${submission.backend} jobs get the dataset as it is written`)
      return { project: null, env: {} }
    }
    try {
      project = await handler.beginProject(submissionFacts(repos, submission, snapshot))
    } catch (err) {
      throw new LaunchError(`the data handler could not start the project: ${(err as Error).message}`)
    }
    db.transaction(() => repos.submissions.setProject(submission.id, project.project, redactEnv(project.env), clock.now()))()
    if (project.project) output.line(`project: ${project.project}`)
    for (const [key, value] of Object.entries(redactEnv(project.env))) output.line(`env ${key}=${value}`)
    return project
  }

  /** Writes the journal — submission, history, snapshot — in one transaction, or finds the earlier call. */
  function journal(actor: Actor, req: ParsedInput<'submissions:launch'>, prepared: PreparedLaunch, snapshot: SubmissionSnapshot, origin: LaunchOrigin): { shortId: string } | { replay: Submission } {
    const { submissionId, stage, campaign, loginSetup, launch, datasetError } = prepared
    const now = snapshot.takenAt
    return db.transaction((): { shortId: string } | { replay: Submission } => {
      // A retry with the same key that raced this call past the first check gets the first call's submission.
      const raced = repos.submissions.idForIdempotencyKey(actor.experiment, req.idempotencyKey)
      if (raced) return { replay: repos.submissions.getById(raced)! }
      if (launch.split) {
        // The cursor moves with the journal and only from where this launch found it (compare and set).
        const current = repos.stages.get(actor.experiment, stage.id)
        if (!current || current.splitCursor !== launch.splitCursorBefore) {
          throw new AppError('CONFLICT', `the split of stage ${stage.name} moved while this launch was prepared; launch again`)
        }
        repos.stages.setSplitCursor(stage.id, launch.splitCursorAfter, now)
      }
      const shortId = repos.submissions.insert({
        id: submissionId,
        experiment: actor.experiment,
        campaignId: campaign?.id ?? null,
        stageId: stage.id,
        status: 'New',
        // Journaled as being launched: the backend takes it over in this same turn (crash recovery treats it alike).
        launchState: datasetError ? 'failed' : 'launching',
        test: req.test,
        backend: loginSetup.backend,
        dataset: launch.dataset,
        parentSubmissionId: origin.parentSubmissionId ?? null,
        idempotencyKey: req.idempotencyKey,
        launchOutputFile: launchFile(submissionId),
        creator: actor.username,
        creatorRole: stage.creatorRole,
        now,
      })
      const reason = [req.test ? 'test launch' : null, origin.reason ?? null].filter(Boolean).join('; ') || null
      repos.submissions.appendHistory(submissionId, { status: 'New', at: now, actor: actor.username, face: actor.face, reason })
      repos.submissions.insertSnapshot(submissionId, snapshot)
      if (datasetError) {
        writeStatus(repos, submissionId, 'New', 'LaunchFailed', { kind: 'person', username: actor.username, face: actor.face }, now, datasetError)
        repos.submissions.setLaunchState(submissionId, 'failed', datasetError, null, now)
      }
      if (campaign && !campaign.active && repos.campaigns.activate(campaign.id, now)) {
        recordAudit(repos, clock, actor, 'activate', { type: 'campaign', id: campaign.id }, `campaign ${campaign.name} re-activated by a launch`)
      }
      recordAudit(repos, clock, actor, req.test ? 'test-launch' : 'launch', { type: 'submission', id: submissionId }, `launched stage ${stage.name}${campaign ? ` of ${campaign.name}` : ''}`)
      return { shortId }
    })()
  }

  /** Opens the launch output with its header; the backend's output follows in the same file. */
  function openOutput(prepared: PreparedLaunch, actor: Actor, shortId: string, test: boolean, now: number): LaunchOutput {
    const { submissionId, stage, campaign, loginSetup, jobType, launch, datasetError } = prepared
    const experiment = actor.experiment
    const header = openLaunchOutput(launchFile(submissionId), () => events.emit('launchOutput:appended', { experiment, submissionId }))
    header.line(`== POMS Desktop launch of submission ${shortId} (${submissionId}) ==`)
    header.line(`stage ${stage.name}${campaign ? ` of campaign ${campaign.name}` : ''}, ${test ? 'test launch, ' : ''}by ${actor.username} as ${actor.role} at ${new Date(now).toISOString()}`)
    header.line(`login setup ${loginSetup.name} (${loginSetup.backend}${launch.target ? ` on ${launch.target.account}@${launch.target.host}:${launch.target.port}` : ''}), job type ${jobType.name}`)
    header.line(`command: ${launch.command}`)
    for (const [key, value] of Object.entries(redactEnv(launch.env))) header.line(`env ${key}=${value}`)
    header.line(`dataset: ${launch.dataset || '(none)'}; ${launch.files.length} file${launch.files.length === 1 ? '' : 's'}; ${launch.jobCount} job${launch.jobCount === 1 ? '' : 's'}`)
    if (launch.split) header.line(`split ${launch.split.spec}: ${launch.split.description} (cursor ${launch.splitCursorBefore ?? 'start'} → ${launch.splitCursorAfter ?? 'start'})`)
    if (datasetError) header.line(`== launch failed: ${datasetError} ==`)
    return header
  }

  const stageQueues = new Map<string, Promise<unknown>>()
  function withStageLock<T>(stageId: string, work: () => Promise<T>): Promise<T> {
    const run = (stageQueues.get(stageId) ?? Promise.resolve()).then(() => work())
    const tail = run.catch(() => undefined)
    stageQueues.set(stageId, tail)
    void tail.then(() => {
      if (stageQueues.get(stageId) === tail) stageQueues.delete(stageId)
    })
    return run
  }

  /** Nothing runs for an approval stage: its submission waits for a person (poms-reference.md §3.8). */
  async function awaitApproval(submission: Submission, actor: Actor, output: LaunchOutput): Promise<void> {
    const now = clock.now()
    db.transaction(() => {
      writeStatus(repos, submission.id, 'New', 'Awaiting Approval', { kind: 'person', username: actor.username, face: actor.face }, now, 'approval stage: nothing runs until a person approves')
      repos.submissions.setLaunchState(submission.id, 'awaiting', null, null, now)
    })()
    output.line('== approval stage: nothing runs; approve (→ Completed, dependents follow) or reject (→ Removed) ==')
    await output.close()
    events.emit('submissions:changed', { experiment: submission.experiment, ids: [submission.id] })
  }

  async function launchNow(actor: Actor, req: ParsedInput<'submissions:launch'>, origin: LaunchOrigin): Promise<LaunchResult> {
    // Read again: an earlier launch of this stage may have moved its cursor while this one waited.
    const stage = repos.stages.require(actor.experiment, req.stageId)
    let prepared: PreparedLaunch
    try {
      prepared = await prepareLaunch(deps, opts.backends, opts.dataHandlers, actor, stage, req, newId(), { preview: req.dryRun, parentSubmissionId: origin.parentSubmissionId ?? null })
    } catch (err) {
      if (!(err instanceof SplitExhausted)) throw err
      if (!req.dryRun) opts.onSplitExhausted?.(stage)
      throw badInput(SPLIT_EXHAUSTED_MESSAGE, [{ path: 'splitType', message: err.message }])
    }

    if (req.dryRun) {
      const now = clock.now()
      const plan = launchPlan(
        {
          id: prepared.submissionId,
          shortId: 's-DRYRUN',
          experiment: actor.experiment,
          batchId: null,
          backend: prepared.loginSetup.backend,
          target: prepared.launch.target
            ? { endpoint: { host: prepared.launch.target.host, port: prepared.launch.target.port, username: prepared.launch.target.account }, timezone: prepared.launch.target.timezone }
            : null,
          setup: prepared.launch.setup,
          env: prepared.launch.env,
          group: prepared.launch.group,
          role: prepared.launch.role,
          createdAt: now,
        },
        prepared.launch,
      )
      return { submission: null, held: null, taskId: null, replayed: false, preview: previewOf(prepared, plan) }
    }

    const now = clock.now()
    const snapshot: SubmissionSnapshot = {
      campaign: prepared.campaign,
      stage,
      jobType: prepared.jobType,
      loginSetup: prepared.loginSetup,
      launch: { ...prepared.launch, env: redactEnv(prepared.launch.env) },
      takenAt: now,
    }
    const journaled = journal(actor, req, prepared, snapshot, origin)
    if ('replay' in journaled) return { submission: journaled.replay, held: null, taskId: null, replayed: true, preview: null }
    const { submissionId } = prepared
    events.emit('submissions:changed', { experiment: actor.experiment, ids: [submissionId] })
    if (prepared.launch.split) events.emit('stages:changed', { experiment: actor.experiment, ids: [stage.id] })
    const output = openOutput(prepared, actor, journaled.shortId, req.test, now)

    const submission = repos.submissions.getById(submissionId)!
    if (prepared.datasetError) {
      await output.close()
      return { submission, held: null, taskId: null, replayed: false, preview: null }
    }
    if (stage.stageType === 'approval') {
      await awaitApproval(submission, actor, output)
      return { submission: repos.submissions.getById(submissionId)!, held: null, taskId: null, replayed: false, preview: null }
    }

    const entry: RunningLaunch = { controller: new AbortController(), remotePid: null, snapshot }
    running.set(submissionId, entry)
    const task = tasks.start(`Launch ${stage.name} (${journaled.shortId})`, { cancellable: false, subject: { type: 'submission', id: submissionId } })
    void runBackend(submission, prepared.backend, snapshot, task, entry, output)
    return { submission, held: null, taskId: task.id, replayed: false, preview: null }
  }

  return {
    /**
     * Launch a stage now (or queue the request while launches are held). `origin` is for the
     * engine's own launches: a recovery's parent and the reason recorded on its New row.
     */
    async launch(actor: Actor, req: ParsedInput<'submissions:launch'>, origin: LaunchOrigin = {}): Promise<LaunchResult> {
      if (!req.dryRun) {
        const earlierId = repos.submissions.idForIdempotencyKey(actor.experiment, req.idempotencyKey)
        const earlier = earlierId ? repos.submissions.getById(earlierId) : null
        if (earlier) return { submission: earlier, held: null, taskId: null, replayed: true, preview: null }
      }
      const stage = repos.stages.require(actor.experiment, req.stageId)
      if (!canDo(actor.username, actor.role, stage)) {
        throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not launch stage ${stage.name} (owned by ${stage.creator} as ${stage.creatorRole})`)
      }
      if (!req.dryRun) {
        // Held launches are queued before the split is looked at: POMS takes the split at release time.
        launchConfig(deps, opts.backends, actor.experiment, stage)
        const hold = launchesHeld(repos, stage)
        if (hold) {
          const queuedOrigin = { idempotencyKey: req.idempotencyKey, parentSubmissionId: origin.parentSubmissionId ?? null, reason: origin.reason ?? null }
          const held = queueHeldLaunch(deps, actor, stage, req, hold, queuedOrigin)
          return { submission: null, held, taskId: null, replayed: false, preview: null }
        }
      }
      // Launches that take a split run one at a time per stage, so no two take the same slice.
      const takesSplit = !req.dryRun && req.datasetOverride === null && splitSpecFor(stage, req.test) !== null
      return takesSplit ? withStageLock(stage.id, () => launchNow(actor, req, origin)) : launchNow(actor, req, origin)
    },

    /**
     * Abort Launch: stop a launch still handing its jobs to the batch system. The SSH command is
     * cancelled and, once the launch script's process id is known, its process group on the launch
     * host is terminated, as POMS's Abort does. Returns false when no launch of it is running.
     */
    async abort(submissionId: string): Promise<boolean> {
      const entry = running.get(submissionId)
      if (!entry) return false
      entry.controller.abort()
      const target = entry.snapshot.launch.target
      if (target && entry.remotePid !== null && opts.sshPool) {
        const endpoint = { host: target.host, port: target.port, username: target.account }
        await opts.sshPool
          .exec(endpoint, remoteCommand(['kill', '-TERM', '--', `-${entry.remotePid}`]), { timeoutMs: 10_000 })
          .catch((err: Error) => logger.warn('could not stop the aborted launch on its host', { submissionId, error: err.message }))
      }
      return true
    },

    /**
     * Launches a queued request now, as the person who asked for it and in the role they asked in.
     * The queued row goes only once the launch is journaled; its id is the idempotency key, so a
     * retried release can never launch twice.
     */
    async releaseHeld(actor: Actor, id: string): Promise<LaunchResult> {
      const held = repos.heldLaunches.list(actor.experiment).find((h) => h.id === id)
      if (!held) throw new AppError('NOT_FOUND', `queued launch ${id} was not found in ${actor.experiment}`)
      const stage = repos.stages.require(actor.experiment, held.stageId)
      if (!canDo(actor.username, actor.role, stage)) throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not launch stage ${stage.name}`)
      const why = launchesHeld(repos, stage)
      if (why) throw badInput(`launches are still held ${why}; allow them first`)
      const launcher = resolveActor(repos, held.launcher, actor.face, held.experiment, held.launcherRole as Actor['role'])
      const queuedAs = repos.heldLaunches.originOf(held.id)
      const result = await this.launch(
        launcher,
        {
          experiment: held.experiment,
          stageId: held.stageId,
          test: held.test,
          datasetOverride: held.datasetOverride,
          paramOverrides: held.paramOverrides,
          // The request's own key when it had one, so the original caller's retry finds this submission.
          idempotencyKey: queuedAs.idempotencyKey ?? `held-launch:${held.id}`,
          dryRun: false,
        },
        { parentSubmissionId: held.parentSubmissionId, reason: queuedAs.reason },
      )
      if (result.submission) {
        db.transaction(() => {
          repos.heldLaunches.remove(held.id)
          recordAudit(repos, clock, actor, 'release-queued-launch', { type: 'submission', id: result.submission!.id }, `released the launch of ${stage.name} queued by ${held.launcher}`)
        })()
      }
      return result
    },

    /** Launches still being handed to their backend (awaited on shutdown). */
    inFlight: (): number => running.size,
  }
}
export type LaunchService = ReturnType<typeof createLaunchService>
