import { parseSplitSpec } from './split-types'

/**
 * A stage may depend on itself — "when a submission is Located, launch the next split" — only
 * when its split moves on: not without a split, and not with `draining`, which hands out the same
 * dataset every time (POMS refuses both as an infinite loop, poms-reference.md §6.1).
 */
export function selfDependencyAllowed(splitType: string | null): boolean {
  const parsed = parseSplitSpec(splitType)
  return parsed.ok && parsed.type !== null && parsed.type !== 'draining'
}
