import type { EventBus } from '../events'

/** The ids a campaign-document write touched, per event, so the events go out after the commit. */
export interface ChangeSet {
  'jobTypes:changed': Set<string>
  'loginSetups:changed': Set<string>
  'campaigns:changed': Set<string>
  'stages:changed': Set<string>
  'dependencies:changed': Set<string>
  /** Campaign ids. */
  'drafts:changed': Set<string>
  /** Campaign ids that gained a revision. */
  'revisions:changed': Set<string>
}

export const newChangeSet = (): ChangeSet => ({
  'jobTypes:changed': new Set(),
  'loginSetups:changed': new Set(),
  'campaigns:changed': new Set(),
  'stages:changed': new Set(),
  'dependencies:changed': new Set(),
  'drafts:changed': new Set(),
  'revisions:changed': new Set(),
})

export function mergeChangeSets(into: ChangeSet, from: ChangeSet): void {
  for (const name of Object.keys(from) as (keyof ChangeSet)[]) for (const id of from[name]) into[name].add(id)
}

/** One event per kind that changed; call only after the transaction committed. */
export function emitChangeSet(events: EventBus, experiment: string, changes: ChangeSet): void {
  for (const name of Object.keys(changes) as (keyof ChangeSet)[]) {
    if (changes[name].size > 0) events.emit(name, { experiment, ids: [...changes[name]] })
  }
}
