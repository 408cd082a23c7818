import type { Draft, RevisionInfo } from '../../../shared/api/contract'
import { validateCampaignDocument } from '../../../shared/campaign-file/validate-document'
import type { Campaign } from '../../../shared/domain/campaign'
import { CampaignDocument, type Problem } from '../../../shared/domain/campaign-document'
import { AppError } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { assertMayChange } from '../services/crud-service'
import { applyCampaignDocument } from './apply-document'
import { emitChangeSet } from './change-set'
import { materializeCampaign } from './materialize'
import type { Revisions } from './revisions'

/**
 * Drafts: edits collect in one shared draft per campaign (whoever edits the campaign edits the same
 * draft; a stale `expectedRev` answers CONFLICT, so nobody overwrites unseen work), and publishing
 * applies it in one transaction and records the next revision.
 */
export function createDrafts(deps: CoreDeps, revisions: Revisions) {
  const { db, repos, clock, events } = deps

  const problemsOf = (experiment: string, document: CampaignDocument): Problem[] =>
    validateCampaignDocument(document, { jobTypes: repos.jobTypes.names(experiment), loginSetups: repos.loginSetups.names(experiment) })

  function view(actor: Actor, campaign: Campaign): Draft {
    const stored = repos.drafts.get(actor.experiment, campaign.id)
    const document = stored ? CampaignDocument.parse(JSON.parse(stored.document)) : materializeCampaign(repos, campaign)
    return {
      campaignId: campaign.id,
      document,
      isDraft: stored !== null,
      baseRevision: stored ? stored.baseRevision : revisions.latestNumber(campaign.id),
      rev: stored?.rev ?? null,
      updatedAt: stored?.updatedAt ?? null,
      updater: stored?.updater ?? null,
      problems: problemsOf(actor.experiment, document),
    }
  }

  const editable = (actor: Actor, campaignRef: string): Campaign => {
    const campaign = repos.campaigns.require(actor.experiment, campaignRef)
    assertMayChange(actor, 'campaign', campaign.name, campaign)
    return campaign
  }

  const stale = (campaign: Campaign, expectedRev: number | null, current: number | null): AppError =>
    new AppError(
      'CONFLICT',
      current === null
        ? `the draft of ${campaign.name} was published or discarded meanwhile; reload it`
        : `the draft of ${campaign.name} was saved by someone else meanwhile (draft revision ${current}, you edited ${expectedRev ?? 'none'}); reload it`,
      { details: { currentRev: current, expectedRev } },
    )

  const changed = (experiment: string, campaignId: string) => events.emit('drafts:changed', { experiment, ids: [campaignId] })

  return {
    get: (actor: Actor, campaignRef: string): Draft => view(actor, repos.campaigns.require(actor.experiment, campaignRef)),

    save(actor: Actor, campaignRef: string, document: CampaignDocument, expectedRev: number | null): Draft {
      const campaign = editable(actor, campaignRef)
      const text = JSON.stringify(document)
      db.transaction(() => {
        const now = clock.now()
        const current = repos.drafts.get(actor.experiment, campaign.id)
        if (expectedRev === null) {
          if (current) throw stale(campaign, expectedRev, current.rev)
          repos.drafts.insert({ experiment: actor.experiment, campaignId: campaign.id, document: text, baseRevision: revisions.latestNumber(campaign.id), now, updater: actor.username })
        } else if (!repos.drafts.update({ experiment: actor.experiment, campaignId: campaign.id, document: text, expectedRev, now, updater: actor.username })) {
          throw stale(campaign, expectedRev, current?.rev ?? null)
        }
      })()
      changed(actor.experiment, campaign.id)
      return view(actor, campaign)
    },

    discard(actor: Actor, campaignRef: string): Draft {
      const campaign = editable(actor, campaignRef)
      if (repos.drafts.remove(actor.experiment, campaign.id)) changed(actor.experiment, campaign.id)
      return view(actor, campaign)
    },

    publish(actor: Actor, campaignRef: string, expectedRev: number, summary: string): RevisionInfo {
      const campaign = editable(actor, campaignRef)
      const { info, changes } = db.transaction(() => {
        const stored = repos.drafts.get(actor.experiment, campaign.id)
        if (!stored || stored.rev !== expectedRev) throw stale(campaign, expectedRev, stored?.rev ?? null)
        const document = CampaignDocument.parse(JSON.parse(stored.document))
        const errors = problemsOf(actor.experiment, document).filter((p) => p.severity === 'error')
        if (errors.length > 0) {
          throw new AppError(
            'BAD_INPUT',
            `the draft of ${campaign.name} has ${errors.length} problem${errors.length > 1 ? 's' : ''} to fix before it can be published: ${errors.map((p) => p.message).join('; ')}`,
            { fields: errors.map((p) => ({ path: p.path ?? 'document', message: p.message })), details: { problems: errors } },
          )
        }
        const applied = applyCampaignDocument(deps, actor, document, { kind: 'existing', campaignId: campaign.id }, `publish of a draft`)
        const recorded = revisions.recordRevision(actor, campaign.id, summary || `published a draft by ${stored.updater}`)!
        repos.drafts.remove(actor.experiment, campaign.id)
        const changes = applied.changes
        changes['campaigns:changed'].add(campaign.id)
        changes['drafts:changed'].add(campaign.id)
        if (recorded.created) changes['revisions:changed'].add(campaign.id)
        return { info: recorded.info, changes }
      })()
      emitChangeSet(events, actor.experiment, changes)
      return info
    },
  }
}
export type Drafts = ReturnType<typeof createDrafts>
