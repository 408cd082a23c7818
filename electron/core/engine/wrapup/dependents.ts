import { selfDependencyAllowed } from '../../../../shared/domain/dependency-rules'
import type { Dependency } from '../../../../shared/domain/stage'

export type DependentPlan =
  | { kind: 'self'; dependency: Dependency }
  | { kind: 'downstream'; dependency: Dependency; /** POMS's `i` in `poms_depends_<sid>_<i>`, 1-based. */ index: number }
  | { kind: 'skip'; dependency: Dependency; why: string }

/**
 * What a Located submission of `stageId` launches (poms-reference.md §6.2): every dependency whose
 * upstream is the stage, ordered by downstream stage id as POMS orders them. A self-dependency
 * takes the next split (only with a split that moves on) and does not count toward `i`.
 */
export function dependentsOf(dependencies: readonly Dependency[], stageId: string, splitType: string | null): DependentPlan[] {
  const outgoing = dependencies.filter((d) => d.fromStageId === stageId).sort((a, b) => (a.toStageId < b.toStageId ? -1 : a.toStageId > b.toStageId ? 1 : 0))
  let index = 0
  return outgoing.map((dependency): DependentPlan => {
    if (dependency.toStageId !== stageId) return { kind: 'downstream', dependency, index: ++index }
    if (selfDependencyAllowed(splitType)) return { kind: 'self', dependency }
    return { kind: 'skip', dependency, why: `the stage depends on itself but its split (${splitType ?? 'none'}) does not move on, so there is no next split to launch` }
  })
}

/** Deterministic keys: a wrap-up resumed after a crash finds what it launched instead of launching again. */
export const recoveryKey = (parentId: string, position: number): string => `recovery:${parentId}:${position}`
export const dependentKey = (parentId: string, dependencyId: string): string => `dependent:${parentId}:${dependencyId}`
