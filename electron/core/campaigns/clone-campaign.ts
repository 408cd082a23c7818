import { ZodError } from 'zod'
import { cloneCampaignDocument } from '../../../shared/campaign-file/clone-document'
import type { Campaign } from '../../../shared/domain/campaign'
import type { CampaignDocument } from '../../../shared/domain/campaign-document'
import { badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import { zodFieldErrors } from '../dispatch'
import type { Actor } from '../services/actor'
import { applyCampaignDocument } from './apply-document'
import { emitChangeSet } from './change-set'
import { materializeCampaign } from './materialize'
import type { Revisions } from './revisions'

/**
 * `campaigns:clone` (POMS's clone with from → to renaming): a new campaign from another's current
 * configuration, sharing its job types and login setups, with revision 1 saying where it came from.
 */
export function cloneCampaign(
  deps: CoreDeps,
  revisions: Revisions,
  actor: Actor,
  sourceRef: string,
  name: string,
  replace: readonly { from: string; to: string }[],
): Campaign {
  const { db, repos, events } = deps
  const source = repos.campaigns.require(actor.experiment, sourceRef)
  if (repos.campaigns.getByName(actor.experiment, name)) {
    throw badInput(`a campaign named "${name}" already exists in ${actor.experiment}`, [{ path: 'name', message: 'already used by another campaign in this experiment' }])
  }
  let doc: CampaignDocument
  try {
    doc = cloneCampaignDocument(materializeCampaign(repos, source), name, replace)
  } catch (err) {
    // A replacement can make a name too long or empty.
    if (err instanceof ZodError) throw badInput(`the clone would not be a valid campaign: ${err.issues[0]?.message ?? 'invalid'}`, zodFieldErrors(err))
    throw err
  }
  const { campaign, changes } = db.transaction(() => {
    const applied = applyCampaignDocument(deps, actor, doc, { kind: 'new' }, `clone of ${source.name}`)
    revisions.recordRevision(actor, applied.campaignId, `cloned from ${source.name}`)
    applied.changes['revisions:changed'].add(applied.campaignId)
    return { campaign: repos.campaigns.require(actor.experiment, applied.campaignId), changes: applied.changes }
  })()
  emitChangeSet(events, actor.experiment, changes)
  return campaign
}
