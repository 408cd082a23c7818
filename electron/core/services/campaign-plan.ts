import type { Output } from '../../../shared/api/contract'
import type { Dependency, Stage } from '../../../shared/domain/stage'
import type { CoreDeps } from '../deps'
import type { DataHandler } from '../engine/data/data-handler'
import type { DataHandlers } from '../engine/data/data-handlers'
import { submissionFacts } from '../engine/data/submission-facts'
import { previewSplits, splitRequestFor, dataCallFailed } from '../engine/launch-preparation'
import { expandKeywords } from '../engine/launch-resolver'
import type { Actor } from './actor'

type PlanStep = Output<'campaigns:plan'>['steps'][number]

/** How many recent submissions of a stage its expected recoveries are drawn from. */
const HISTORY = 5
/** A plan lists at most this many steps. */
const MAX_STEPS = 2000

interface History {
  /** Average share of input files left unprocessed, 0..1. */
  fraction: number
  shortIds: string[]
}

const pct = (f: number) => `${Math.round(f * 1000) / 10}%`

/**
 * The campaign simulator: launch by launch, what the campaign will do next — each leading stage's
 * next slices, the recoveries its history makes likely, and the dependents they feed — with the
 * reason for each step. Nothing is launched, defined or moved.
 */
export function createCampaignPlanner(deps: CoreDeps, handlers: DataHandlers) {
  const { repos, clock } = deps

  /** The unprocessed share of a stage's recent first launches: from file accounting, else from failed jobs. */
  async function historyOf(handler: DataHandler, stage: Stage): Promise<History | null> {
    const fractions: number[] = []
    const shortIds: string[] = []
    for (const id of repos.submissions.recentFinishedOfStage(stage.id, HISTORY)) {
      const sub = repos.submissions.getById(id)
      const snapshot = sub ? repos.submissions.getSnapshot(id) : null
      if (!sub || !snapshot) continue
      let fraction: number | null = null
      try {
        const a = await handler.accounting(submissionFacts(repos, sub, snapshot))
        if (a.submitted !== null && a.submitted > 0 && a.consumed !== null) fraction = Math.max(0, a.submitted - a.consumed) / a.submitted
      } catch {
        /* fall back on the jobs */
      }
      if (fraction === null && sub.jobCounts.total > 0) fraction = sub.jobCounts.failed / sub.jobCounts.total
      if (fraction === null) continue
      fractions.push(fraction)
      shortIds.push(sub.shortId)
    }
    if (fractions.length === 0) return null
    return { fraction: fractions.reduce((a, b) => a + b, 0) / fractions.length, shortIds }
  }

  return {
    async plan(actor: Actor, ref: string, launches: number): Promise<Output<'campaigns:plan'>> {
      const campaign = repos.campaigns.require(actor.experiment, ref)
      const stages = repos.stages.listByCampaign(campaign.id)
      const byId = new Map(stages.map((s) => [s.id, s]))
      const dependencies = repos.dependencies.listByCampaign(campaign.id)
      const downstreamOf = (stageId: string): Dependency[] => dependencies.filter((d) => d.fromStageId === stageId && d.toStageId !== stageId)
      const selfLoop = (stageId: string) => dependencies.some((d) => d.fromStageId === stageId && d.toStageId === stageId)
      // Leading stages feed from no other stage. A self-loop does not count: POMS counts it, so a
      // campaign whose first stage loops on itself could not be launched from the campaign.
      const leading = stages.filter((s) => !dependencies.some((d) => d.toStageId === s.id && d.fromStageId !== s.id))
      const handler = handlers.forExperiment(actor.experiment)
      const histories = new Map<string, History | null>()
      const history = async (stage: Stage) => {
        if (!histories.has(stage.id)) histories.set(stage.id, await historyOf(handler, stage))
        return histories.get(stage.id)!
      }
      const steps: PlanStep[] = []
      const push = (step: Omit<PlanStep, 'order'>) => {
        if (steps.length < MAX_STEPS) steps.push({ ...step, order: steps.length + 1 })
      }

      async function expectRecovery(stage: Stage, fileCount: number | null, what: string) {
        const jobType = stage.jobTypeId ? repos.jobTypes.get(actor.experiment, stage.jobTypeId) : null
        const first = jobType?.recoveryPlan[0]
        const h = await history(stage)
        if (!first || !h || h.fraction === 0) return
        const expected = fileCount === null ? null : Math.max(1, Math.round(fileCount * h.fraction))
        push({
          stageId: stage.id,
          stageName: stage.name,
          kind: 'recovery',
          dataset: `${first.type} recovery of ${what}`,
          fileCount: expected,
          why:
            `expected from history: on average ${pct(h.fraction)} of the input of ${stage.name}'s last ${h.shortIds.length} submission${h.shortIds.length === 1 ? '' : 's'} ` +
            `(${h.shortIds.join(', ')}) was not processed, so step 1 of its recovery plan (${first.type}) would likely relaunch ` +
            (expected === null ? 'part of it' : `about ${expected} of ${fileCount} files`) +
            ' once it is Located; its dependents wait until the recoveries are done',
        })
      }

      async function dependentsAfter(stage: Stage, what: string, seen: Set<string>) {
        for (const dep of downstreamOf(stage.id)) {
          const down = byId.get(dep.toStageId)
          if (!down || seen.has(down.id)) continue
          // Approval and transfer stages pass their input on as it is (poms-reference.md §3.8).
          const passesOn = stage.stageType === 'approval' || stage.stageType === 'datatransfer'
          const output = passesOn ? `the input of ${what}, passed on unchanged` : `outputs of ${what} matching ${dep.filePatterns}`
          push({
            stageId: down.id,
            stageName: down.name,
            kind: down.stageType === 'approval' ? 'approval' : 'dependent',
            dataset: output,
            fileCount: null,
            why:
              `dependency ${stage.name} → ${down.name} (${dep.filePatterns}): launched on those outputs once ${what} is Located and no recovery is launched` +
              (down.stageType === 'approval' ? '; an approval stage runs nothing and waits in Awaiting Approval for a person' : ''),
          })
          const next = new Set(seen).add(down.id)
          if (down.stageType !== 'approval') await expectRecovery(down, null, `${down.name} on ${output}`)
          await dependentsAfter(down, `${down.name} on ${output}`, next)
        }
      }

      for (const stage of leading) {
        const request = splitRequestFor(stage, campaign, false, clock.now())
        const loops = selfLoop(stage.id)
        let slices: { dataset: string; fileCount: number | null; description: string }[]
        let exhaustedAfter: number | null = null
        if (request) {
          try {
            const preview = await previewSplits(handler, request, loops ? launches : 1, 0)
            slices = preview.slices
            exhaustedAfter = preview.exhaustedAfter
          } catch (err) {
            return dataCallFailed(err)
          }
        } else {
          slices = [{ dataset: expandKeywords(stage.dataset, campaign.keywords), fileCount: null, description: 'no split type: the dataset as written' }]
        }
        if (slices.length === 0) {
          push({ stageId: stage.id, stageName: stage.name, kind: 'split', dataset: '', fileCount: 0, why: `the split ${request?.splitType} of ${stage.name} is exhausted: its next launch fails with "No more splits in this campaign."` })
          continue
        }
        for (const [k, slice] of slices.entries()) {
          const how =
            k === 0
              ? `the next launch of ${stage.name} (a leading stage: no other stage feeds it)`
              : `launched by ${stage.name} itself when its previous submission is Located and has no recovery pending (self-dependency)`
          const last = exhaustedAfter !== null && k === slices.length - 1 ? '; after this slice the split is exhausted' : ''
          push({
            stageId: stage.id,
            stageName: stage.name,
            kind: stage.stageType === 'approval' ? 'approval' : 'split',
            dataset: slice.dataset,
            fileCount: slice.fileCount,
            why: `${how}: ${request ? `slice ${k + 1} of ${request.splitType}, ${slice.description}` : slice.description}${last}`,
          })
          const what = `${stage.name} slice ${k + 1}`
          if (stage.stageType !== 'approval') await expectRecovery(stage, slice.fileCount, what)
          await dependentsAfter(stage, what, new Set([stage.id]))
        }
      }
      return { campaignId: campaign.id, steps }
    },
  }
}
export type CampaignPlanner = ReturnType<typeof createCampaignPlanner>
