import type { LaunchResult, Output, RecoveryPreview } from '../../../shared/api/contract'
import type { RecoveryType } from '../../../shared/domain/job-type'
import { canDo } from '../../../shared/domain/roles'
import type { Submission, SubmissionSnapshot } from '../../../shared/domain/submission'
import type { SubmissionStatus } from '../../../shared/domain/submission-status'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { RecoveryDataset } from '../engine/data/data-handler'
import type { DataHandlers } from '../engine/data/data-handlers'
import { submissionFacts } from '../engine/data/submission-facts'
import { dataCallFailed } from '../engine/launch-preparation'
import type { LaunchService } from '../engine/launch-service'
import type { Actor } from './actor'

/** Statuses after which a person may launch a recovery (POMS: ≥ Completed; we add Failed, which needs it most). */
const RECOVERABLE: readonly SubmissionStatus[] = ['Completed', 'Located', 'Failed']

/** How many files a recovery preview lists when the handler did not list them itself. */
const PREVIEW_FILES = 500

interface Subject {
  sub: Submission
  snapshot: SubmissionSnapshot
  /** The submission whose plan and position count: the parent when `sub` is a recovery. */
  owner: Submission
  ownerSnapshot: SubmissionSnapshot
  position: number
}

/**
 * File accounting, the recovery preview and manual recovery. A manual recovery launches the chosen
 * type (or the plan's next step) as the person who asked, and leaves the plan's position alone:
 * POMS advances it, which can skip automatic steps that were never evaluated.
 */
export function createRecoveryService(deps: CoreDeps, handlers: DataHandlers, launches: () => Pick<LaunchService, 'launch'>) {
  const { repos } = deps

  function subject(actor: Actor, ref: string): Subject {
    const sub = repos.submissions.require(actor.experiment, ref)
    const snapshot = repos.submissions.getSnapshot(sub.id)
    const owner = (sub.parentSubmissionId ? repos.submissions.getById(sub.parentSubmissionId) : null) ?? sub
    const ownerSnapshot = owner === sub ? snapshot : repos.submissions.getSnapshot(owner.id)
    if (!snapshot || !ownerSnapshot) throw badInput(`submission ${sub.shortId} has no snapshot, so the data it used is unknown`)
    return { sub, snapshot, owner, ownerSnapshot, position: repos.submissions.engineState(owner.id)?.recoveryPosition ?? 0 }
  }

  /** The step to preview or launch: the chosen type, else the plan's next step (which a manual launch does not consume). */
  function stepOf(s: Subject, type: RecoveryType | undefined) {
    const plan = s.ownerSnapshot.jobType.recoveryPlan
    if (type) return { type, position: null, paramOverrides: plan.find((p) => p.type === type)?.paramOverrides ?? [] }
    const next = plan[s.position]
    if (!next) {
      throw badInput(
        plan.length === 0
          ? `job type ${s.ownerSnapshot.jobType.name} has no recovery plan; choose a recovery type`
          : `the recovery plan of ${s.owner.shortId} is used up (${plan.length} step${plan.length === 1 ? '' : 's'} evaluated); choose a recovery type`,
        [{ path: 'type', message: 'choose a recovery type' }],
      )
    }
    return { type: next.type, position: s.position, paramOverrides: next.paramOverrides }
  }

  async function evaluate(s: Subject, type: RecoveryType): Promise<RecoveryDataset> {
    const handler = handlers.forExperiment(s.sub.experiment)
    try {
      const parent = s.owner.id === s.sub.id ? null : submissionFacts(repos, s.owner, s.ownerSnapshot)
      return await handler.recoveryDataset(submissionFacts(repos, s.sub, s.snapshot), type, s.position, parent)
    } catch (err) {
      return dataCallFailed(err)
    }
  }

  return {
    /** Per-submission file accounting from its data handler (poms-reference.md §8.3). */
    async files(actor: Actor, ref: string): Promise<Output<'submissions:files'>> {
      const sub = repos.submissions.require(actor.experiment, ref)
      const snapshot = repos.submissions.getSnapshot(sub.id)
      if (!snapshot) throw badInput(`submission ${sub.shortId} has no snapshot, so the data it used is unknown`)
      try {
        const accounting = await handlers.forExperiment(sub.experiment).accounting(submissionFacts(repos, sub, snapshot))
        return { ...accounting, project: repos.submissions.engineState(sub.id)?.project ?? null }
      } catch (err) {
        return dataCallFailed(err)
      }
    },

    /** What a recovery would take, and why, without launching anything. */
    async preview(actor: Actor, ref: string, type?: RecoveryType): Promise<RecoveryPreview> {
      const s = subject(actor, ref)
      const step = stepOf(s, type)
      const found = await evaluate(s, step.type)
      let files = found.files ?? []
      if (found.files === null && found.dataset !== null && found.count > 0) {
        files = await handlers
          .forExperiment(s.sub.experiment)
          .listFiles(s.sub.experiment, found.dataset, PREVIEW_FILES)
          .catch(() => [])
      }
      return { submissionId: s.sub.id, type: step.type, position: step.position, dataset: found.dataset, count: found.count, files, detail: found.detail }
    },

    /** Manual recovery (POMS's Launch Recovery): same stage, the parent as parent, launched by the person. */
    async recover(actor: Actor, ref: string, type: RecoveryType | undefined, idempotencyKey: string): Promise<LaunchResult> {
      const s = subject(actor, ref)
      const stage = repos.stages.require(actor.experiment, s.owner.stageId)
      if (!canDo(actor.username, actor.role, stage)) throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not launch recoveries of stage ${stage.name}`)
      if (!RECOVERABLE.includes(s.sub.status)) {
        throw badInput(`submission ${s.sub.shortId} is ${s.sub.status}; recoveries are launched once it is ${RECOVERABLE.join(', ')}`, [{ path: 'id', message: 'not finished' }])
      }
      const earlier = repos.submissions.findByIdempotencyKey(actor.experiment, idempotencyKey)
      if (earlier) return { submission: earlier, held: null, taskId: null, replayed: true, preview: null }
      const step = stepOf(s, type)
      const found = await evaluate(s, step.type)
      if (found.count === 0 || found.dataset === null) throw badInput(`No recovery needed, launch skipped: ${found.detail}`, [{ path: 'type', message: 'nothing to recover' }])
      return launches().launch(
        actor,
        { experiment: actor.experiment, stageId: stage.id, test: s.owner.test, datasetOverride: found.dataset, paramOverrides: step.paramOverrides, idempotencyKey, dryRun: false },
        {
          parentSubmissionId: s.owner.id,
          reason: `manual recovery of ${s.owner.shortId} (${step.type}) by ${actor.username}: ${found.count} file${found.count === 1 ? '' : 's'} (${found.detail}); the plan's position stays at ${s.position}`,
        },
      )
    },
  }
}
export type RecoveryService = ReturnType<typeof createRecoveryService>
