import type { Problem } from '../../../shared/domain/campaign-document'

/** What a problem's `path` points at in the editor: a stage's field, a dependency's, a default… */
export type ProblemTarget =
  | { kind: 'stage'; index: number; field: string | null }
  | { kind: 'dependency'; index: number; field: string | null }
  | { kind: 'defaults'; field: string | null }
  | { kind: 'campaign'; field: string | null }

/**
 * `stages.2.splitType` → stage 2, field `splitType`; `dependencies.1.to` → dependency 1, field `to`;
 * `defaults.jobType` and `keywords.x` → the campaign defaults panel; anything else → the campaign.
 */
export function problemTarget(path: string | null): ProblemTarget {
  if (path === null || path === '') return { kind: 'campaign', field: null }
  const parts = path.split('.')
  const head = parts[0]
  const rest = (from: number) => (parts.length > from ? parts.slice(from).join('.') : null)
  if ((head === 'stages' || head === 'dependencies') && parts.length >= 2 && /^\d+$/.test(parts[1]!)) {
    return { kind: head === 'stages' ? 'stage' : 'dependency', index: Number(parts[1]), field: rest(2) }
  }
  if (head === 'defaults') return { kind: 'defaults', field: rest(1) }
  if (head === 'keywords') return { kind: 'defaults', field: path }
  return { kind: 'campaign', field: path }
}

export type Severity = Problem['severity']

const worse = (a: Severity | undefined, b: Severity): Severity => (a === 'error' || b === 'error' ? 'error' : 'warning')

/** The worst severity and the messages of the problems about each stage and each dependency, by index. */
export function problemsByElement(problems: readonly Problem[]) {
  const stages = new Map<number, { severity: Severity; messages: string[] }>()
  const dependencies = new Map<number, { severity: Severity; messages: string[] }>()
  for (const problem of problems) {
    const target = problemTarget(problem.path)
    if (target.kind !== 'stage' && target.kind !== 'dependency') continue
    const map = target.kind === 'stage' ? stages : dependencies
    const entry = map.get(target.index)
    map.set(target.index, {
      severity: worse(entry?.severity, problem.severity),
      messages: [...(entry?.messages ?? []), problem.message],
    })
  }
  return { stages, dependencies }
}

/**
 * The candidates to look up for a field path, most specific first: `paramOverrides.0.1`,
 * `paramOverrides.0`, `paramOverrides`. Controls carry `data-testid="field-<path>"`.
 */
export function fieldCandidates(field: string | null): string[] {
  if (field === null || field === '') return []
  const parts = field.split('.')
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'))
}
