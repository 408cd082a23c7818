import type { Campaign } from '../../../shared/domain/campaign'
import { CAMPAIGN_DOCUMENT_FORMAT, type CampaignDocument } from '../../../shared/domain/campaign-document'
import type { JobType } from '../../../shared/domain/job-type'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { Repos } from '../store/repos'
import { defaultsToDoc, jobTypeToDoc, loginSetupToDoc, settingsToDoc, type IdsToNames } from './document-fields'

/** Names for ids, remembering each job type and login setup it met, in order of first use. */
function usedReferences(repos: Repos, experiment: string) {
  const jobTypes = new Map<string, JobType | null>()
  const loginSetups = new Map<string, LoginSetup | null>()
  const names: IdsToNames = {
    jobType(id) {
      if (id === null) return null
      if (!jobTypes.has(id)) jobTypes.set(id, repos.jobTypes.get(experiment, id))
      return jobTypes.get(id)?.name ?? null
    },
    loginSetup(id) {
      if (id === null) return null
      if (!loginSetups.has(id)) loginSetups.set(id, repos.loginSetups.get(experiment, id))
      return loginSetups.get(id)?.name ?? null
    },
  }
  const live = <T>(map: Map<string, T | null>): T[] => [...map.values()].filter((v): v is T => v !== null)
  return { names, jobTypes: () => live(jobTypes).map(jobTypeToDoc), loginSetups: () => live(loginSetups).map(loginSetupToDoc) }
}

/**
 * A campaign's stored rows as one document by names: its settings and defaults, its stages in
 * their stored order (with their ids, so an edit of the document keeps each stage's history), its
 * dependencies by stage names, and the job types and login setups its defaults and stages use.
 */
export function materializeCampaign(repos: Repos, campaign: Campaign): CampaignDocument {
  const refs = usedReferences(repos, campaign.experiment)
  const defaults = defaultsToDoc(campaign.defaults, refs.names)
  const stages = repos.stages.listByCampaign(campaign.id)
  const stageNames = new Map(stages.map((s) => [s.id, s.name]))
  const docStages = stages.map((s) => ({ id: s.id, name: s.name, ...settingsToDoc(s, refs.names) }))
  const dependencies = repos.dependencies
    .listByCampaign(campaign.id)
    .filter((d) => stageNames.has(d.fromStageId) && stageNames.has(d.toStageId))
    .map((d) => ({ from: stageNames.get(d.fromStageId)!, to: stageNames.get(d.toStageId)!, filePatterns: d.filePatterns }))
  return {
    format: CAMPAIGN_DOCUMENT_FORMAT,
    name: campaign.name,
    campaignType: campaign.campaignType,
    active: campaign.active,
    keywords: campaign.keywords,
    tags: campaign.tags,
    defaults,
    stages: docStages,
    dependencies,
    jobTypes: refs.jobTypes(),
    loginSetups: refs.loginSetups(),
    layout: campaign.layout,
  }
}
