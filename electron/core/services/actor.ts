import { actingRolesFor, ROLES, type Role } from '../../../shared/domain/roles'
import type { Face } from '../../../shared/domain/submission'
import { AppError } from '../../../shared/errors'
import type { Repos } from '../store/repos'

/** Who performs a write, in which role, through which face (architecture.md §4). */
export interface Actor {
  username: string
  role: Role
  face: Face
  experiment: string
}

const RANK: Record<Role, number> = { analysis: 0, 'production-shifter': 1, production: 2, superuser: 3 }

/**
 * Checks membership and the requested acting role (poms-reference.md §12.2) and returns the actor.
 * Without a requested role, the member acts in the strongest role they may take.
 */
export function resolveActor(repos: Repos, username: string, face: Face, experiment: string, requested?: Role): Actor {
  if (!repos.experiments.getExperiment(experiment)) throw new AppError('NOT_FOUND', `experiment ${experiment} does not exist`)
  const user = repos.experiments.getUser(username)
  if (!user) throw new AppError('FORBIDDEN', `user ${username} is not known to this store`)
  const member = repos.experiments.roleIn(experiment, username)
  if (!member && !user.root) throw new AppError('FORBIDDEN', `${username} is not a member of experiment ${experiment}`)
  const allowed = actingRolesFor(member ?? 'superuser', user.root)
  if (requested && !allowed.includes(requested)) {
    throw new AppError('FORBIDDEN', `${username} may not act as ${requested} in ${experiment} (allowed: ${allowed.join(', ')})`)
  }
  const role = requested ?? [...allowed].sort((a, b) => RANK[b] - RANK[a])[0] ?? ROLES[0]
  return { username, role, face, experiment }
}
