import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { cloneCampaign } from './clone-campaign'
import { createDrafts } from './drafts'
import { exportCampaign } from './export-campaign'
import { importCampaignFiles, type CampaignFileText } from './import-files'
import type { Revisions } from './revisions'

/** Campaigns as whole documents: files in and out, clones, drafts and published revisions. */
export function createCampaignDocumentServices(deps: CoreDeps, revisions: Revisions) {
  return {
    importFiles: (actor: Actor, files: readonly CampaignFileText[], dryRun: boolean) => importCampaignFiles(deps, revisions, actor, files, dryRun),
    exportCampaign: (actor: Actor, campaignRef: string, revision?: number) => exportCampaign(deps, revisions, actor, campaignRef, revision),
    clone: (actor: Actor, sourceRef: string, name: string, replace: readonly { from: string; to: string }[]) =>
      cloneCampaign(deps, revisions, actor, sourceRef, name, replace),
    drafts: createDrafts(deps, revisions),
    revisions,
  }
}
export type CampaignDocumentServices = ReturnType<typeof createCampaignDocumentServices>
