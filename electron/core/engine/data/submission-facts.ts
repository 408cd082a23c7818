import type { Submission, SubmissionSnapshot } from '../../../../shared/domain/submission'
import type { Repos } from '../../store/repos'
import type { SubmissionFacts } from './data-handler'

/**
 * Output patterns that count as a stage's outputs (poms-reference.md §7.2): the file patterns of
 * the dependencies where it is upstream (a self-dependency passes no files on), else its job type's.
 */
export function outputPatternsOf(repos: Repos, snapshot: SubmissionSnapshot): string[] {
  const { stage } = snapshot
  const fromDeps = stage.campaignId
    ? repos.dependencies
        .listByCampaign(stage.campaignId)
        .filter((d) => d.fromStageId === stage.id && d.toStageId !== stage.id)
        .map((d) => d.filePatterns)
    : []
  return fromDeps.length > 0 ? fromDeps : snapshot.jobType.outputFilePatterns
}

/** What the data side needs to know about a submission: frozen configuration plus its row and project. */
export function submissionFacts(repos: Repos, sub: Submission, snapshot: SubmissionSnapshot): SubmissionFacts {
  const state = repos.submissions.engineState(sub.id)
  return {
    experiment: sub.experiment,
    submissionId: sub.id,
    shortId: sub.shortId,
    stageName: snapshot.stage.name,
    stageType: snapshot.stage.stageType,
    dataset: sub.dataset,
    project: state?.project ?? null,
    softwareVersion: snapshot.launch.variables.version ?? snapshot.stage.softwareVersion,
    createdAt: sub.createdAt,
    outputPatterns: outputPatternsOf(repos, snapshot),
    outputAncestorDepth: snapshot.stage.outputAncestorDepth,
    creator: sub.creator,
    creatorRole: sub.creatorRole,
    jobCount: snapshot.launch.jobCount,
    isRecovery: sub.parentSubmissionId !== null,
  }
}
