import type { Face } from '../../../shared/domain/submission'
import { checkTransition, type ActorKind, type SubmissionStatus } from '../../../shared/domain/submission-status'
import type { Repos } from '../store/repos'

export interface StatusActor {
  kind: ActorKind
  username: string
  face: Face
}

export type StatusWrite = { changed: true } | { changed: false; reason: string; rule: string }

/**
 * The one place a submission's status changes: the guard rules decide, then the history row and
 * the current status are written together. Call inside the caller's transaction.
 */
export function writeStatus(
  repos: Repos,
  submissionId: string,
  from: SubmissionStatus,
  to: SubmissionStatus,
  actor: StatusActor,
  at: number,
  reason: string | null,
): StatusWrite {
  const verdict = checkTransition(from, to, actor.kind)
  if (!verdict.allowed) return { changed: false, reason: verdict.reason, rule: verdict.rule }
  repos.submissions.appendHistory(submissionId, { status: to, at, actor: actor.username, face: actor.face, reason })
  repos.submissions.setStatus(submissionId, to, at)
  return { changed: true }
}
