import type { Repos } from '../store/repos'
import type { Clock } from '../ports'
import type { Actor } from './actor'

/** Records one write in the append-only audit log; call inside the write's transaction. */
export function recordAudit(
  repos: Repos,
  clock: Clock,
  actor: Actor,
  action: string,
  entity: { type: string; id: string | null },
  summary: string,
): void {
  repos.audit.append({
    at: clock.now(),
    experiment: actor.experiment,
    actor: actor.username,
    role: actor.role,
    face: actor.face,
    action,
    entityType: entity.type,
    entityId: entity.id,
    summary,
  })
}
