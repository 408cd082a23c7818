import type { SplitPreview, SplitSlice } from '../../../shared/api/contract'
import { canDo } from '../../../shared/domain/roles'
import { parseSplitSpec } from '../../../shared/domain/split-types'
import type { Stage } from '../../../shared/domain/stage'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { DataHandler, SplitOutcome } from '../engine/data/data-handler'
import type { DataHandlers } from '../engine/data/data-handlers'
import { previewSplits, splitRequestFor, dataCallFailed } from '../engine/launch-preparation'
import { expandKeywords } from '../engine/launch-resolver'
import type { Actor } from './actor'
import { recordAudit } from './audit'

/**
 * A stage's split cursor and the split simulator: reset, the Last Split editor (storing the cursor
 * a submission left, not the snapshot's id as POMS does), and the next launches with no side effect.
 */
export function createSplitService(deps: CoreDeps, handlers: DataHandlers) {
  const { db, repos, clock, events } = deps

  function setCursor(actor: Actor, stage: Stage, cursor: number | null, why: string): Stage {
    if (!canDo(actor.username, actor.role, stage)) throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not move the split of stage ${stage.name}`)
    const now = clock.now()
    db.transaction(() => {
      repos.stages.setSplitCursor(stage.id, cursor, now)
      recordAudit(repos, clock, actor, 'set-split-cursor', { type: 'stage', id: stage.id }, `${why}: split cursor of ${stage.name} ${stage.splitCursor ?? 'start'} → ${cursor ?? 'start'}`)
    })()
    events.emit('stages:changed', { experiment: actor.experiment, ids: [stage.id] })
    return repos.stages.require(actor.experiment, stage.id)
  }

  /** The first files of a slice, when the handler can list them; a slice it cannot list shows none. */
  async function firstFiles(handler: DataHandler, experiment: string, slice: SplitOutcome, limit: number, notes: Set<string>): Promise<string[]> {
    if (limit === 0 || slice.fileCount === 0) return []
    try {
      return await handler.listFiles(experiment, slice.dataset, limit)
    } catch (err) {
      notes.add(`files are not listed for slices that do not exist yet (${(err as Error).message})`)
      return []
    }
  }

  return {
    /** POMS's Reset: the split starts over. */
    reset(actor: Actor, ref: string): Stage {
      return setCursor(actor, repos.stages.require(actor.experiment, ref), null, 'reset the split')
    },

    /**
     * The Last Split editor: to where an earlier submission's launch left the split (its snapshot's
     * cursor after — POMS stores the snapshot's id instead, a bug), or to a typed value.
     */
    setCursor(actor: Actor, ref: string, input: { cursor?: number | null; fromSubmissionId?: string }): Stage {
      const stage = repos.stages.require(actor.experiment, ref)
      if (input.fromSubmissionId === undefined) return setCursor(actor, stage, input.cursor ?? null, 'set the split cursor by hand')
      const sub = repos.submissions.require(actor.experiment, input.fromSubmissionId)
      if (sub.stageId !== stage.id) throw badInput(`submission ${sub.shortId} is of stage ${sub.stageName}, not ${stage.name}`, [{ path: 'fromSubmissionId', message: 'not a submission of this stage' }])
      const taken = repos.submissions.getSnapshot(sub.id)?.launch
      if (!taken?.split) {
        throw badInput(`submission ${sub.shortId} took no slice of the split (it was launched with a dataset override or without a split type)`, [
          { path: 'fromSubmissionId', message: 'took no split' },
        ])
      }
      const current = taken.test ? (stage.testSplitType ?? stage.splitType) : stage.splitType
      if (current !== taken.split.spec) {
        throw badInput(`submission ${sub.shortId} took a slice of ${taken.split.spec}, but the stage now splits by ${current ?? 'nothing'}; its cursor means nothing there`, [
          { path: 'fromSubmissionId', message: 'another split type' },
        ])
      }
      return setCursor(actor, stage, taken.splitCursorAfter, `restored the split to after ${sub.shortId}`)
    },

    /** The split simulator: the next `count` launches of the stage's split, changing nothing. */
    async preview(actor: Actor, input: { stageId: string; count: number; test: boolean; filesPerSlice: number }): Promise<SplitPreview> {
      const stage = repos.stages.require(actor.experiment, input.stageId)
      const campaign = stage.campaignId ? repos.campaigns.get(actor.experiment, stage.campaignId) : null
      const handler = handlers.forExperiment(actor.experiment)
      const request = splitRequestFor(stage, campaign, input.test, clock.now())
      const notes = new Set<string>()
      if (!request) {
        const dataset = expandKeywords(stage.dataset, campaign?.keywords ?? {})
        const only: SplitOutcome = { dataset, cursorAfter: stage.splitCursor, fileCount: null, definitions: [], description: 'no split type: every launch gets the dataset as written' }
        const files = dataset.trim() === '' ? [] : await firstFiles(handler, actor.experiment, only, input.filesPerSlice, notes)
        notes.add('without a split type every launch gets this same dataset; the stage never runs out')
        return { stageId: stage.id, splitType: null, cursor: stage.splitCursor, slices: [{ ...only, files }], exhaustedAfter: null, notes: [...notes] }
      }
      const parsed = parseSplitSpec(request.splitType)
      if (parsed.ok) for (const note of parsed.notes) notes.add(note)
      let preview: Awaited<ReturnType<typeof previewSplits>>
      try {
        preview = await previewSplits(handler, request, input.count, input.filesPerSlice)
      } catch (err) {
        return dataCallFailed(err)
      }
      const slices: SplitSlice[] = []
      for (const { dims, files, ...slice } of preview.slices) {
        // A previewed slice's definition does not exist yet: its files are listed by its query.
        const listable = { ...slice, dataset: dims ?? slice.dataset }
        slices.push({ ...slice, files: files ?? (await firstFiles(handler, actor.experiment, listable, input.filesPerSlice, notes)) })
      }
      if (preview.exhaustedAfter !== null) notes.add(`the split is exhausted after ${preview.exhaustedAfter} more launch${preview.exhaustedAfter === 1 ? '' : 'es'}; the next one fails with "No more splits in this campaign."`)
      return { stageId: stage.id, splitType: request.splitType, cursor: stage.splitCursor, slices, exhaustedAfter: preview.exhaustedAfter, notes: [...notes] }
    },
  }
}
export type SplitService = ReturnType<typeof createSplitService>
