import type { Stage } from '../../../shared/domain/stage'
import type { Submission } from '../../../shared/domain/submission'
import { AppError } from '../../../shared/errors'
import type { ApiConnection } from './api-connection'
import { CliFailure } from './cli-context'

/**
 * A stage as people name it on the command line: `campaign/stage` by names, or the stage's short id
 * or id.
 */
export async function findStage(api: ApiConnection, experiment: string, ref: string): Promise<Stage> {
  const slash = ref.lastIndexOf('/')
  if (slash > 0) {
    const campaignName = ref.slice(0, slash)
    const stageName = ref.slice(slash + 1)
    const campaigns = await api.call('campaigns:list', { experiment, filter: { name: campaignName, includeInactive: true }, limit: 500 })
    const campaign = campaigns.items.find((c) => c.name === campaignName)
    if (!campaign) throw new CliFailure(`no campaign named ${campaignName} in ${experiment}`)
    const stages = await api.call('stages:list', { experiment, filter: { campaignId: campaign.id }, limit: 500 })
    const stage = stages.items.find((s) => s.name === stageName)
    if (!stage) throw new CliFailure(`campaign ${campaignName} has no stage named ${stageName} (it has: ${stages.items.map((s) => s.name).join(', ') || 'none'})`)
    return stage
  }
  try {
    return await api.call('stages:get', { experiment, id: ref })
  } catch (err) {
    if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'BAD_INPUT')) {
      throw new CliFailure(`no stage ${ref} in ${experiment}; name it as CAMPAIGN/STAGE or by its id (t-XXXXXX)`)
    }
    throw err
  }
}

export async function findSubmission(api: ApiConnection, experiment: string, ref: string): Promise<Submission> {
  try {
    return (await api.call('submissions:get', { experiment, id: ref })).submission
  } catch (err) {
    if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'BAD_INPUT')) throw new CliFailure(`no submission ${ref} in ${experiment}`)
    throw err
  }
}

/** One line per submission, the way `poms status` lists them. */
export function submissionLine(s: Submission): string {
  const c = s.jobCounts
  const jobs = c.total === 0 ? 'no jobs' : `${c.completed + c.failed + c.removed}/${c.total} done${c.failed ? `, ${c.failed} failed` : ''}${c.running ? `, ${c.running} running` : ''}${c.idle ? `, ${c.idle} idle` : ''}${c.held ? `, ${c.held} held` : ''}`
  const where = s.campaignName ? `${s.campaignName}/${s.stageName}` : s.stageName
  return `${s.shortId}  ${s.status.padEnd(17)} ${where}  (${jobs})${s.test ? '  [test]' : ''}${s.launchError ? `  — ${s.launchError}` : ''}`
}
