import type { RevisionInfo } from '../../../shared/api/contract'
import { CampaignDocument } from '../../../shared/domain/campaign-document'
import { AppError } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import type { RevisionRecorder } from '../services/crud-service'
import { canonicalJson } from './canonical-json'
import { materializeCampaign } from './materialize'

/**
 * Published revisions of campaigns. A revision is the whole configuration as a document, recorded
 * in the same transaction as the change that made it. A change that leaves the configuration as it
 * was records nothing (the history lists changes, not saves).
 */
export function createRevisions(deps: CoreDeps) {
  const { repos, clock } = deps

  /** Call inside the write's transaction. The latest revision, and whether this call recorded it. */
  function recordRevision(actor: Actor, campaignId: string, summary: string): { info: RevisionInfo; created: boolean } | null {
    const campaign = repos.campaigns.get(actor.experiment, campaignId)
    if (!campaign) return null
    const document = canonicalJson(materializeCampaign(repos, campaign))
    const latest = repos.revisions.latest(campaign.id)
    // Stored documents are read through the schema, so fields added later (with defaults) compare equal.
    if (latest && canonicalJson(CampaignDocument.parse(JSON.parse(latest.document))) === document) return { info: latest.info, created: false }
    const info = repos.revisions.insert({
      experiment: campaign.experiment,
      campaignId: campaign.id,
      revision: (latest?.info.revision ?? 0) + 1,
      document,
      createdAt: clock.now(),
      creator: actor.username,
      face: actor.face,
      summary,
    })
    return { info, created: true }
  }

  const recorder: RevisionRecorder = { record: (actor, campaignId, summary) => recordRevision(actor, campaignId, summary)?.created ?? false }

  return {
    ...recorder,
    recordRevision,
    /** The newest revision number of a campaign; 0 before its first. */
    latestNumber: (campaignId: string): number => repos.revisions.latest(campaignId)?.info.revision ?? 0,
    list(actor: Actor, campaignRef: string): RevisionInfo[] {
      return repos.revisions.list(actor.experiment, repos.campaigns.require(actor.experiment, campaignRef).id)
    },
    get(actor: Actor, campaignRef: string, revision: number): { info: RevisionInfo; document: CampaignDocument } {
      const campaign = repos.campaigns.require(actor.experiment, campaignRef)
      const found = repos.revisions.get(actor.experiment, campaign.id, revision)
      if (!found) throw new AppError('NOT_FOUND', `campaign ${campaign.name} has no revision ${revision}`)
      return { info: found.info, document: CampaignDocument.parse(JSON.parse(found.document)) }
    },
  }
}
export type Revisions = ReturnType<typeof createRevisions>
