import { CampaignDocument, type Problem } from '../../../shared/domain/campaign-document'
import type { FieldErrors } from '../lib/field-errors'
import { problemTarget } from './problem-paths'

/**
 * What the schema itself refuses (an empty name, a percentage over 100) as problems, so the
 * problems panel is the one place to look; such a document is not saved until fixed.
 */
export function schemaProblems(doc: CampaignDocument): Problem[] {
  const checked = CampaignDocument.safeParse(doc)
  if (checked.success) return []
  return checked.error.issues.map((issue) => ({
    code: 'schema',
    message: issue.message,
    severity: 'error' as const,
    path: issue.path.map(String).join('.') || null,
    line: null,
    column: null,
    section: null,
    key: null,
  }))
}

/** Problems from several checks, each (path, message) once. */
export function mergeProblems(...lists: (readonly Problem[])[]): Problem[] {
  const seen = new Set<string>()
  const merged: Problem[] = []
  for (const problem of lists.flat()) {
    const key = `${problem.path ?? ''}\u0000${problem.message}`
    if (seen.has(key)) continue
    seen.add(key)
    merged.push(problem)
  }
  return merged
}

/** The messages about one stage (or dependency) by field, for the side panel's inline errors. */
export function fieldErrorsOf(problems: readonly Problem[], kind: 'stage' | 'dependency', index: number): FieldErrors {
  const errors: FieldErrors = {}
  for (const problem of problems) {
    const target = problemTarget(problem.path)
    if (target.kind === kind && target.index === index) errors[target.field ?? ''] ??= problem.message
  }
  return errors
}

/** The messages about the defaults (`jobType`) and keywords (`keywords.x`), by field. */
export function defaultsFieldErrors(problems: readonly Problem[]): FieldErrors {
  const errors: FieldErrors = {}
  for (const problem of problems) {
    const target = problemTarget(problem.path)
    if (target.kind === 'defaults' && target.field !== null) errors[target.field] ??= problem.message
  }
  return errors
}

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((problem) => problem.severity === 'error')
