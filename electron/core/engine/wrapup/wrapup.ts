import type { ParsedInput } from '../../../../shared/api/contract'
import type { RecoveryStep } from '../../../../shared/domain/job-type'
import type { Role } from '../../../../shared/domain/roles'
import type { Stage } from '../../../../shared/domain/stage'
import type { HeldLaunch, Submission, SubmissionSnapshot } from '../../../../shared/domain/submission'
import { AppError } from '../../../../shared/errors'
import type { CoreDeps } from '../../deps'
import type { Actor } from '../../services/actor'
import { writeStatus } from '../../services/status-writer'
import type { DataHandler, SubmissionFacts } from '../data/data-handler'
import type { DataHandlers } from '../data/data-handlers'
import { submissionFacts } from '../data/submission-facts'
import { splitSpecFor } from '../launch-preparation'
import type { LaunchOrigin, LaunchService } from '../launch-service'
import { decideCompletion } from './completion'
import { dependentKey, dependentsOf, recoveryKey } from './dependents'
import { walkRecoveryPlan } from './recovery-walk'

export interface WrapupOptions {
  dataHandlers: DataHandlers
  launches: Pick<LaunchService, 'launch'>
  /** How soon a submission whose check found nothing yet (or failed) is looked at again; default 60 s. */
  recheckMs?: number
  /** Finished local jobs' results recorded first, so completion sees their outputs. */
  localResults?: { run(): Promise<string[]> }
  /** Cron-scheduled launches that are due, run at the end of each cycle. */
  schedules?: { runDue(): Promise<string[]> }
  /**
   * False in a short-lived process (a one-shot CLI command): it locates, but leaves recoveries,
   * dependents and scheduled runs to the app or server that keeps the store open, since local jobs
   * would die with it. The follow-ups stay pending in the store, so nothing is lost.
   */
  automaticLaunches?: boolean
}

export type WrapupTrigger = 'engine' | 'manual'

const ENGINE = { kind: 'engine' as const, username: 'engine', face: 'engine' as const }

/** What an automatic launch came to. `retry`: a service did not answer, try the whole step again later. */
type Automatic =
  | { kind: 'launched' | 'replayed'; submission: Submission }
  | { kind: 'queued'; held: HeldLaunch }
  | { kind: 'refused'; message: string }
  | { kind: 'retry'; message: string }

class RetryLater extends Error {}

function describe(a: Automatic): string {
  switch (a.kind) {
    case 'launched':
      return `launched ${a.submission.shortId}`
    case 'replayed':
      return `${a.submission.shortId} (launched before)`
    case 'queued':
      return 'queued (launches are held; the request waits in the queue)'
    case 'refused':
      return `not launched: ${a.message}`
    case 'retry':
      return `not launched yet: ${a.message}`
  }
}

const stepLabel = (position: number, plan: readonly RecoveryStep[]) => `step ${position + 1} of ${plan.length} (${plan[position]!.type})`

/**
 * Wrap-up (poms-reference.md §2.2 step 4, §5, §6, §7): Completed submissions become Located when
 * done; each newly Located submission then walks its parent's recovery plan, and only when that
 * launches nothing, launches the dependents. Every automatic launch has a deterministic key, so a
 * crash between steps resumes without launching anything twice. Cycles run one at a time.
 */
export function createWrapup(deps: CoreDeps, opts: WrapupOptions) {
  const { db, repos, clock, events, logger } = deps
  const recheckMs = opts.recheckMs ?? 60_000
  const lastTried = new Map<string, number>()
  let chain: Promise<unknown> = Promise.resolve()

  const due = (id: string, force: boolean, now: number) => force || now - (lastTried.get(id) ?? -Infinity) >= recheckMs
  const facts = (sub: Submission, snapshot: SubmissionSnapshot): SubmissionFacts => submissionFacts(repos, sub, snapshot)
  /** Automatic launches run as the submission's creator, in the stage's creator role (POMS §5.3, §6.2). */
  const ownerActor = (owner: Submission, stage: Stage): Actor => ({ username: owner.creator, role: stage.creatorRole as Role, face: 'engine', experiment: owner.experiment })

  /** A history row that keeps the status and says what wrap-up did. */
  function note(id: string, reason: string, now: number): void {
    const status = repos.submissions.statusOf(id)
    if (status) repos.submissions.appendHistory(id, { status, at: now, actor: 'engine', face: 'engine', reason: `wrap-up: ${reason}` })
  }

  async function launchAutomatic(actor: Actor, req: Omit<ParsedInput<'submissions:launch'>, 'experiment' | 'dryRun'>, origin: LaunchOrigin): Promise<Automatic> {
    try {
      const result = await opts.launches.launch(actor, { ...req, experiment: actor.experiment, dryRun: false }, origin)
      if (result.held) return { kind: 'queued', held: result.held }
      return { kind: result.replayed ? 'replayed' : 'launched', submission: result.submission! }
    } catch (err) {
      if (err instanceof AppError && !['UNAVAILABLE', 'INTERNAL', 'CONFLICT'].includes(err.code)) return { kind: 'refused', message: err.message }
      return { kind: 'retry', message: (err as Error).message }
    }
  }

  /** An automatic launch made before (a crash came between it and recording it), found by its key. */
  function earlier(experiment: string, key: string): Automatic | null {
    const id = repos.submissions.idForIdempotencyKey(experiment, key)
    if (id) return { kind: 'replayed', submission: repos.submissions.getById(id)! }
    const held = repos.heldLaunches.findByKey(experiment, key)
    return held ? { kind: 'queued', held } : null
  }

  async function complete(id: string, lines: string[], force: boolean): Promise<void> {
    const now = clock.now()
    if (!due(id, force, now)) return
    const sub = repos.submissions.getById(id)
    const snapshot = sub ? repos.submissions.getSnapshot(id) : null
    if (!sub) return
    const label = `${sub.shortId} ${sub.stageName}`
    let decision: { located: boolean; reason: string }
    if (!snapshot) {
      decision = { located: true, reason: 'no snapshot to check its outputs against (store damaged outside the app)' }
    } else {
      try {
        decision = await decideCompletion(sub, snapshot, (pct) => opts.dataHandlers.forExperiment(sub.experiment).located(facts(sub, snapshot), pct), now)
      } catch (err) {
        lastTried.set(id, now)
        lines.push(`${label}: cannot check completion (${(err as Error).message}); again in ${Math.round(recheckMs / 1000)} s`)
        return
      }
    }
    if (!decision.located) {
      // Said once when it starts waiting (and whenever a person asks), not on every recheck.
      if (force || !lastTried.has(id)) lines.push(`${label}: ${decision.reason}; checked again every ${Math.round(recheckMs / 1000)} s`)
      lastTried.set(id, now)
      return
    }
    const written = db.transaction(() => writeStatus(repos, id, repos.submissions.statusOf(id) ?? sub.status, 'Located', ENGINE, now, decision.reason))()
    lastTried.delete(id)
    if (written.changed) {
      lines.push(`${label}: Completed → Located: ${decision.reason}`)
      events.emit('submissions:changed', { experiment: sub.experiment, ids: [id] })
    }
  }

  /** The recovery walk of `owner`'s plan after `sub` (the owner or one of its recoveries) was Located. */
  async function recover(sub: Submission, owner: Submission, ownerSnap: SubmissionSnapshot, subSnap: SubmissionSnapshot, stage: Stage, handler: DataHandler, summary: string[]) {
    const plan = ownerSnap.jobType.recoveryPlan
    const from = repos.submissions.engineState(owner.id)?.recoveryPosition ?? 0
    const walk = await walkRecoveryPlan({
      plan,
      from,
      alreadyLaunched: (position) => earlier(owner.experiment, recoveryKey(owner.id, position)) !== null,
      evaluate: async (step, position) => {
        try {
          return await handler.recoveryDataset(facts(sub, subSnap), step.type, position, sub.id === owner.id ? null : facts(owner, ownerSnap))
        } catch (err) {
          throw new RetryLater(`recovery ${stepLabel(position, plan)} of ${owner.shortId} could not be evaluated: ${(err as Error).message}`)
        }
      },
    })
    for (const w of walk.walked) {
      if (w !== walk.launch && w.found) summary.push(`recovery ${stepLabel(w.position, plan)}: nothing to recover (${w.found.detail})`)
    }
    if (!walk.launch) return { launched: false, positionAfter: walk.positionAfter }
    const { position, step, found } = walk.launch
    const key = recoveryKey(owner.id, position)
    const outcome =
      earlier(owner.experiment, key) ??
      (await launchAutomatic(
        ownerActor(owner, stage),
        { stageId: owner.stageId, test: owner.test, datasetOverride: found!.dataset, paramOverrides: step.paramOverrides, idempotencyKey: key },
        {
          parentSubmissionId: owner.id,
          reason: `recovery of ${owner.shortId}, ${stepLabel(position, plan)}: ${found!.count} file${found!.count === 1 ? '' : 's'} (${found!.detail}); after ${sub.shortId} was Located`,
        },
      ))
    if (outcome.kind === 'retry') throw new RetryLater(`the recovery of ${owner.shortId} could not be launched yet: ${outcome.message}`)
    summary.push(`recovery ${stepLabel(position, plan)}${found ? `: ${found.count} file${found.count === 1 ? '' : 's'}` : ''} → ${describe(outcome)}`)
    // A refused launch ends the chain like an empty plan: the dependents still follow.
    return { launched: outcome.kind !== 'refused', positionAfter: walk.positionAfter }
  }

  /** Dependents of `owner` (POMS §6.2): the next split for a self-dependency, else the downstream stage on the outputs. */
  async function launchDependents(owner: Submission, ownerSnap: SubmissionSnapshot, stage: Stage, handler: DataHandler, summary: string[]) {
    if (!stage.campaignId) return
    const plans = dependentsOf(repos.dependencies.listByCampaign(stage.campaignId), stage.id, splitSpecFor(stage, owner.test))
    for (const plan of plans) {
      const key = dependentKey(owner.id, plan.dependency.id)
      if (plan.kind === 'skip') {
        summary.push(`self-dependency of ${stage.name} skipped: ${plan.why}`)
        continue
      }
      if (plan.kind === 'self') {
        const outcome =
          earlier(owner.experiment, key) ??
          (await launchAutomatic(
            ownerActor(owner, stage),
            { stageId: stage.id, test: owner.test, datasetOverride: null, paramOverrides: [], idempotencyKey: key },
            { reason: `next split of ${stage.name}, after ${owner.shortId} was Located (self-dependency)` },
          ))
        if (outcome.kind === 'retry') throw new RetryLater(`the next split of ${stage.name} could not be launched yet: ${outcome.message}`)
        summary.push(`next split of ${stage.name} → ${describe(outcome)}`)
        continue
      }
      const downstream = repos.stages.get(owner.experiment, plan.dependency.toStageId)
      if (!downstream) continue
      const already = earlier(owner.experiment, key)
      if (already) {
        summary.push(`dependent ${downstream.name} → ${describe(already)}`)
        continue
      }
      let dataset
      try {
        dataset = await handler.dependencyDataset(facts(owner, ownerSnap), plan.dependency.filePatterns, plan.index, ownerSnap.stage.stageType)
      } catch (err) {
        throw new RetryLater(`the dataset of dependent ${downstream.name} could not be built: ${(err as Error).message}`)
      }
      if (dataset.count === 0) {
        summary.push(`dependent ${downstream.name}: no output of ${owner.shortId} matches ${plan.dependency.filePatterns}, so it is not launched (${dataset.detail})`)
        continue
      }
      const outcome = await launchAutomatic(
        ownerActor(owner, downstream),
        { stageId: downstream.id, test: owner.test, datasetOverride: dataset.dataset, paramOverrides: [], idempotencyKey: key },
        { reason: `dependent of ${owner.shortId} (${stage.name} → ${downstream.name}, ${plan.dependency.filePatterns}): ${dataset.count} file${dataset.count === 1 ? '' : 's'}` },
      )
      if (outcome.kind === 'retry') throw new RetryLater(`dependent ${downstream.name} could not be launched yet: ${outcome.message}`)
      summary.push(`dependent ${downstream.name} on ${dataset.count} file${dataset.count === 1 ? '' : 's'} → ${describe(outcome)}`)
    }
  }

  /** Recovery, else dependents, for one newly Located submission; marked done only when all of it ran. */
  async function followUp(id: string, lines: string[], force: boolean): Promise<void> {
    const now = clock.now()
    if (!due(id, force, now)) return
    const sub = repos.submissions.getById(id)
    if (!sub) return
    const owner = (sub.parentSubmissionId ? repos.submissions.getById(sub.parentSubmissionId) : null) ?? sub
    const subSnap = repos.submissions.getSnapshot(sub.id)
    const ownerSnap = repos.submissions.getSnapshot(owner.id)
    const stage = repos.stages.get(owner.experiment, owner.stageId)
    const label = `${sub.shortId} ${sub.stageName}`
    const summary: string[] = []
    let positionAfter: number | null = null
    try {
      if (!subSnap || !ownerSnap) summary.push('no snapshot: nothing to recover or launch after it')
      else if (!stage) summary.push('its stage was deleted: no recovery or dependents')
      else {
        const handler = opts.dataHandlers.forExperiment(owner.experiment)
        let recovered = false
        // Approval submissions ran nothing, so there is nothing to recover.
        if (ownerSnap.stage.stageType !== 'approval') {
          const r = await recover(sub, owner, ownerSnap, subSnap, stage, handler, summary)
          positionAfter = r.positionAfter
          recovered = r.launched
        }
        if (!recovered) await launchDependents(owner, ownerSnap, stage, handler, summary)
      }
    } catch (err) {
      lastTried.set(id, now)
      const why = err instanceof RetryLater || err instanceof AppError ? err.message : `unexpected error: ${(err as Error).message}`
      if (!(err instanceof RetryLater) && !(err instanceof AppError)) logger.error('wrap-up follow-up failed', { submission: sub.shortId, error: (err as Error).stack })
      lines.push(`${label}: ${summary.length ? `${summary.join('; ')}; ` : ''}${why}; again in ${Math.round(recheckMs / 1000)} s`)
      return
    }
    const at = clock.now()
    db.transaction(() => {
      if (positionAfter !== null) repos.submissions.setRecoveryPosition(owner.id, positionAfter, at)
      if (repos.submissions.markFollowedUp(sub.id, at) && summary.length > 0) note(sub.id, summary.join('; '), at)
    })()
    lastTried.delete(id)
    if (summary.length > 0) lines.push(`${label}: ${summary.join('; ')}`)
    events.emit('submissions:changed', { experiment: sub.experiment, ids: [...new Set([sub.id, owner.id])] })
  }

  async function cycle(trigger: WrapupTrigger): Promise<string[]> {
    const lines: string[] = []
    const force = trigger === 'manual'
    if (opts.localResults) lines.push(...(await opts.localResults.run()))
    for (const id of repos.submissions.completedIds()) await complete(id, lines, force)
    if (opts.automaticLaunches === false) return report(trigger, lines)
    for (const id of repos.submissions.followUpIds()) await followUp(id, lines, force)
    if (opts.schedules) lines.push(...(await opts.schedules.runDue()))
    return report(trigger, lines)
  }

  function report(trigger: WrapupTrigger, lines: string[]): string[] {
    if (lines.length > 0) db.transaction(() => repos.wrapupReports.append(clock.now(), trigger, lines))()
    return lines
  }

  return {
    /** One wrap-up cycle; `manual` re-checks everything now and reports what is still waiting. */
    run(trigger: WrapupTrigger): Promise<string[]> {
      const next = chain.then(() => cycle(trigger))
      chain = next.catch(() => undefined)
      return next
    },
  }
}
export type Wrapup = ReturnType<typeof createWrapup>
