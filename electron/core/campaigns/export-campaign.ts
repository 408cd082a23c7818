import { campaignDocumentToIni } from '../../../shared/campaign-file/document-to-ini'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { materializeCampaign } from './materialize'
import type { Revisions } from './revisions'

/** A file name from a campaign name: letters, digits, `.`, `_` and `-`; nothing hidden, nothing outside the folder. */
export function campaignFileName(name: string): string {
  const safe = name
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 200)
    // A campaign named after its file (`sample_mc.ini`) must not export as `sample_mc.ini.ini`.
    .replace(/\.ini$/i, '')
  return `${safe || 'campaign'}.ini`
}

/** `campaigns:export`: the campaign as it is now, or one of its revisions, as a POMS .ini file. */
export function exportCampaign(deps: CoreDeps, revisions: Revisions, actor: Actor, campaignRef: string, revision?: number): { fileName: string; text: string } {
  const campaign = deps.repos.campaigns.require(actor.experiment, campaignRef)
  const doc = revision === undefined ? materializeCampaign(deps.repos, campaign) : revisions.get(actor, campaign.id, revision).document
  return {
    fileName: campaignFileName(doc.name),
    text: campaignDocumentToIni(doc, { experiment: actor.experiment, role: campaign.creatorRole }),
  }
}
