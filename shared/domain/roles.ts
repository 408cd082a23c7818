import { z } from 'zod'

/** Membership roles in an experiment (poms-reference.md §12). */
export const ROLES = ['analysis', 'production-shifter', 'production', 'superuser'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

/** The roles a member may act in, given their membership role (§12.2 check_experiment_role). */
export function actingRolesFor(member: Role, root: boolean): Role[] {
  if (root) return [...ROLES]
  switch (member) {
    case 'superuser':
      return ['analysis', 'production-shifter', 'production', 'superuser']
    case 'production':
      return ['analysis', 'production-shifter', 'production']
    case 'production-shifter':
      return ['analysis', 'production-shifter']
    case 'analysis':
      return ['analysis']
  }
}

/**
 * The role an object records as `creatorRole`. POMS refuses creation while acting as superuser;
 * we let it happen and file the object under `production`, which is what such users then pick.
 */
export function creatorRoleFor(acting: Role): 'analysis' | 'production' {
  return acting === 'analysis' ? 'analysis' : 'production'
}

export interface Owned {
  creator: string
  creatorRole: string
}

/** May `user`, acting in `role`, change the configuration of `item` (can_modify)? */
export function canModify(user: string, role: Role, item: Owned): boolean {
  if (role === 'superuser') return true
  if (role === 'production-shifter') return false
  if (role === 'production') return item.creatorRole === 'production'
  return item.creatorRole === 'analysis' && item.creator === user
}

/** May `user`, acting in `role`, act on `item` — launch, kill, hold (can_do)? */
export function canDo(user: string, role: Role, item: Owned): boolean {
  if (role === 'superuser') return true
  if (role === 'production' || role === 'production-shifter') return true
  return item.creatorRole === 'analysis' && item.creator === user
}
