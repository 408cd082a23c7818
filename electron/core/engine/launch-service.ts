import { join } from 'node:path'
import type { ParsedInput } from '../../../shared/api/contract'
import type { LaunchResult } from '../../../shared/api/contract'
import { canDo } from '../../../shared/domain/roles'
import type { Stage } from '../../../shared/domain/stage'
import type { Submission, SubmissionSnapshot } from '../../../shared/domain/submission'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { recordAudit } from '../services/audit'
import { writeStatus } from '../services/status-writer'
import { newId } from '../store/ids'
import type { TaskHandle } from '../tasks/task-registry'
import { LaunchError, type Backend } from './backends/backend'
import type { DataHandler } from './data/data-handler'
import { DatasetError } from './data/data-handler'
import { openLaunchOutput, redactEnv } from './launch-output'
import { resolveLaunch } from './launch-resolver'
import { trackedSubmission } from './tracked-submission'

export const GLOBAL_HOLD_SETTING = 'launches.held'

export interface LaunchServiceOptions {
  backends: ReadonlyMap<string, Backend>
  dataHandler: DataHandler
  /** The engine polls sooner after a launch settles. */
  onLaunched: () => void
}

/**
 * Launch = resolve the configuration, write the submission, its snapshot and `New` in one
 * transaction before anything runs (the journal), then let the backend run it in the background.
 */
export function createLaunchService(deps: CoreDeps, opts: LaunchServiceOptions) {
  const { db, repos, clock, events, tasks, logger } = deps
  const running = new Map<string, AbortController>()
  const launchFile = (submissionId: string) => join(deps.paths.dataDir, 'launches', `${submissionId}.log`)

  function launchConfig(actor: Actor, stage: Stage) {
    const campaign = stage.campaignId ? repos.campaigns.get(actor.experiment, stage.campaignId) : null
    const jobTypeId = stage.jobTypeId ?? campaign?.defaults.jobTypeId ?? null
    const loginSetupId = stage.loginSetupId ?? campaign?.defaults.loginSetupId ?? null
    const missing: { path: string; message: string }[] = []
    if (!jobTypeId) missing.push({ path: 'jobTypeId', message: 'choose the job type this stage runs' })
    if (!loginSetupId) missing.push({ path: 'loginSetupId', message: 'choose the login setup this stage launches with' })
    if (missing.length > 0) {
      throw badInput(`stage ${stage.name} cannot be launched: it has no ${missing.map((m) => (m.path === 'jobTypeId' ? 'job type' : 'login setup')).join(' and no ')}`, missing)
    }
    const jobType = repos.jobTypes.get(actor.experiment, jobTypeId!)
    const loginSetup = repos.loginSetups.get(actor.experiment, loginSetupId!)
    if (!jobType) throw badInput(`stage ${stage.name} refers to a job type that no longer exists`, [{ path: 'jobTypeId', message: 'deleted' }])
    if (!loginSetup) throw badInput(`stage ${stage.name} refers to a login setup that no longer exists`, [{ path: 'loginSetupId', message: 'deleted' }])
    const backend = opts.backends.get(loginSetup.backend)
    if (!backend) {
      throw badInput(`the ${loginSetup.backend} backend of login setup ${loginSetup.name} is not available in this version`, [
        { path: 'loginSetupId', message: `${loginSetup.backend} is not available` },
      ])
    }
    return { campaign, jobType, loginSetup, backend }
  }

  async function runBackend(submissionId: string, backend: Backend, snapshot: SubmissionSnapshot, task: TaskHandle, controller: AbortController) {
    const experiment = snapshot.stage.experiment
    const output = openLaunchOutput(launchFile(submissionId), () => events.emit('launchOutput:appended', { experiment, submissionId }))
    const settle = (fn: () => void) => {
      db.transaction(fn)()
      events.emit('submissions:changed', { experiment, ids: [submissionId] })
      events.emit('jobs:changed', { experiment, submissionIds: [submissionId] })
    }
    try {
      repos.submissions.setLaunchState(submissionId, 'launching', null, null, clock.now())
      const { launch } = snapshot
      const submission = repos.submissions.getById(submissionId)!
      const result = await backend.submit(
        { ...trackedSubmission(submission, snapshot), argv: launch.argv, command: launch.command, files: launch.files, jobCount: launch.jobCount, tags: launch.tags },
        { log: (line) => output.line(line), signal: controller.signal },
      )
      const now = clock.now()
      settle(() => {
        for (const job of result.jobs) repos.jobs.insert({ ...job, id: newId(), submissionId, updatedAt: now })
        repos.submissions.setLaunchState(submissionId, 'launched', null, result.batchId, now)
      })
      output.line(`== submitted ${result.jobs.length} job${result.jobs.length === 1 ? '' : 's'} as ${result.batchId} ==`)
      task.succeed(`submitted as ${result.batchId}`)
    } catch (err) {
      const reason = err instanceof LaunchError ? err.message : `unexpected error: ${(err as Error).message}`
      if (!(err instanceof LaunchError)) logger.error('launch failed unexpectedly', { submissionId, error: (err as Error).stack })
      output.line(`== launch failed: ${reason} ==`)
      settle(() => {
        const current = repos.submissions.getById(submissionId)
        if (current) writeStatus(repos, submissionId, current.status, 'LaunchFailed', { kind: 'engine', username: 'engine', face: 'engine' }, clock.now(), reason)
        repos.submissions.setLaunchState(submissionId, 'failed', reason, null, clock.now())
      })
      task.fail(reason)
    } finally {
      output.close()
      running.delete(submissionId)
      opts.onLaunched()
    }
  }

  return {
    async launch(actor: Actor, req: ParsedInput<'submissions:launch'>): Promise<LaunchResult> {
      const earlier = repos.submissions.findByIdempotencyKey(actor.experiment, req.idempotencyKey)
      if (earlier) return { submission: earlier, held: null, taskId: null, replayed: true }

      const stage = repos.stages.require(actor.experiment, req.stageId)
      if (!canDo(actor.username, actor.role, stage)) {
        throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not launch stage ${stage.name} (owned by ${stage.creator} as ${stage.creatorRole})`)
      }
      const { campaign, jobType, loginSetup, backend } = launchConfig(actor, stage)

      const heldGlobally = repos.settings.get<boolean>(GLOBAL_HOLD_SETTING, false)
      if (heldGlobally || stage.hold) {
        const held = {
          id: newId(),
          experiment: actor.experiment,
          stageId: stage.id,
          createdAt: clock.now(),
          launcher: actor.username,
          launcherRole: actor.role,
          test: req.test,
          datasetOverride: req.datasetOverride,
          paramOverrides: req.paramOverrides,
          parentSubmissionId: null,
        }
        db.transaction(() => {
          repos.heldLaunches.insert(held)
          recordAudit(repos, clock, actor, 'queue-launch', { type: 'stage', id: stage.id }, `queued a launch of ${stage.name}: launches are held ${heldGlobally ? 'globally' : 'for this stage'}`)
        })()
        return { submission: null, held, taskId: null, replayed: false }
      }

      const submissionId = newId()
      const resolved = resolveLaunch({
        stage,
        campaign,
        jobType,
        loginSetup,
        request: { test: req.test, datasetOverride: req.datasetOverride, paramOverrides: req.paramOverrides },
        launcher: actor.username,
        submissionId,
      })
      const { jobCountRequested, ...command } = resolved
      let files: string[] = []
      let datasetError: string | null = null
      try {
        files = await opts.dataHandler.listFiles(resolved.dataset)
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err
        datasetError = `the dataset cannot be read: ${err.message}`
      }
      const now = clock.now()
      const snapshot: SubmissionSnapshot = {
        campaign,
        stage,
        jobType,
        loginSetup,
        launch: { ...command, env: redactEnv(command.env), files, jobCount: jobCountRequested },
        takenAt: now,
      }
      const person = { kind: 'person' as const, username: actor.username, face: actor.face }

      const journal = db.transaction((): { shortId: string } | { replay: Submission } => {
        // A retry with the same key that raced this call past the check above (both awaited the
        // data handler) gets the first call's submission, not a unique-index error.
        const raced = repos.submissions.findByIdempotencyKey(actor.experiment, req.idempotencyKey)
        if (raced) return { replay: raced }
        // The journal: everything is recorded before anything runs, so a crash is always visible.
        const shortId = repos.submissions.insert({
          id: submissionId,
          experiment: actor.experiment,
          campaignId: campaign?.id ?? null,
          stageId: stage.id,
          status: 'New',
          launchState: datasetError ? 'failed' : 'pending',
          test: req.test,
          backend: loginSetup.backend,
          dataset: resolved.dataset,
          parentSubmissionId: null,
          idempotencyKey: req.idempotencyKey,
          launchOutputFile: launchFile(submissionId),
          creator: actor.username,
          creatorRole: stage.creatorRole,
          now,
        })
        repos.submissions.appendHistory(submissionId, { status: 'New', at: now, actor: actor.username, face: actor.face, reason: req.test ? 'test launch' : null })
        repos.submissions.insertSnapshot(submissionId, snapshot)
        if (datasetError) {
          writeStatus(repos, submissionId, 'New', 'LaunchFailed', person, now, datasetError)
          repos.submissions.setLaunchState(submissionId, 'failed', datasetError, null, now)
        }
        if (campaign && repos.campaigns.activate(campaign.id, now)) {
          recordAudit(repos, clock, actor, 'activate', { type: 'campaign', id: campaign.id }, `campaign ${campaign.name} re-activated by a launch`)
        }
        recordAudit(repos, clock, actor, req.test ? 'test-launch' : 'launch', { type: 'submission', id: submissionId }, `launched stage ${stage.name}${campaign ? ` of ${campaign.name}` : ''}`)
        return { shortId }
      })()
      if ('replay' in journal) return { submission: journal.replay, held: null, taskId: null, replayed: true }
      const { shortId } = journal
      events.emit('submissions:changed', { experiment: actor.experiment, ids: [submissionId] })

      const header = openLaunchOutput(launchFile(submissionId), () => undefined)
      header.line(`== POMS Desktop launch of submission ${shortId} (${submissionId}) ==`)
      header.line(`stage ${stage.name}${campaign ? ` of campaign ${campaign.name}` : ''}, ${req.test ? 'test launch, ' : ''}by ${actor.username} as ${actor.role} at ${new Date(now).toISOString()}`)
      header.line(`login setup ${loginSetup.name} (${loginSetup.backend}), job type ${jobType.name}`)
      header.line(`command: ${command.command}`)
      for (const [key, value] of Object.entries(redactEnv(command.env))) header.line(`env ${key}=${value}`)
      header.line(`dataset: ${resolved.dataset || '(none)'}; ${files.length} file${files.length === 1 ? '' : 's'}; ${jobCountRequested} job${jobCountRequested === 1 ? '' : 's'}`)
      if (datasetError) header.line(`== launch failed: ${datasetError} ==`)
      header.close()

      const submission = repos.submissions.getById(submissionId)!
      if (datasetError) return { submission, held: null, taskId: null, replayed: false }

      const controller = new AbortController()
      running.set(submissionId, controller)
      const task = tasks.start(`Launch ${stage.name} (${shortId})`, { cancellable: false, subject: { type: 'submission', id: submissionId } })
      void runBackend(submissionId, backend, snapshot, task, controller)
      return { submission, held: null, taskId: task.id, replayed: false }
    },

    /** Asks a launch still in progress to stop (Abort Launch). */
    abort(submissionId: string): boolean {
      const controller = running.get(submissionId)
      controller?.abort()
      return controller !== undefined
    },

    /** Launches still being handed to their backend (awaited on shutdown). */
    inFlight: (): number => running.size,
  }
}
export type LaunchService = ReturnType<typeof createLaunchService>
