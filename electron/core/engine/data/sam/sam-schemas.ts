import { z } from 'zod'
import { garbageError, isQueryLimit, SamQueryLimitError } from './sam-errors'
import type { SamAnswer } from './sam-http'

const count = z.number().int().nonnegative()
const counts = z.record(z.string(), count)

/** `/projects/name/<p>/summary?format=json`: the keys POMS reads (protocols.md §3.3). */
export const projectSummarySchema = z.object({
  project_status: z.string(),
  dataset_def_name: z.string().nullable().optional(),
  files_in_snapshot: count,
  file_counts: counts,
  process_counts: counts.optional(),
  processes: z.array(z.object({ status: z.string(), counts })).optional(),
})

/** `/definitions/name/<d>/describe` as JSON: POMS compares `dimensions`. */
export const definitionSchema = z.object({ defname: z.string(), dimensions: z.string() })

export const fileListSchema = z.array(z.string())

export const metadataSchema = z.record(z.string(), z.unknown())

/** A JSON body of the given shape, or a DataServiceError naming the URL and what is wrong. */
export function parseJson<T>(answer: SamAnswer, schema: z.ZodType<T>, expected: string): T {
  let value: unknown
  try {
    value = JSON.parse(answer.text)
  } catch {
    throw garbageError(answer.method, answer.url, answer.status, expected, 'it is not JSON', answer.text)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
    throw garbageError(answer.method, answer.url, answer.status, expected, `${where}${issue?.message ?? 'wrong shape'}`, answer.text)
  }
  return parsed.data
}

/** Counts and snapshot ids are plain decimal text (protocols.md §3.3). */
export function parseInteger(answer: SamAnswer, expected: string): number {
  const text = answer.text.trim()
  if (!/^\d+$/.test(text)) {
    if (isQueryLimit(text)) throw new SamQueryLimitError(answer.method, answer.url, answer.status, answer.text, answer.contentType)
    throw garbageError(answer.method, answer.url, answer.status, expected, 'it is not a whole number', answer.text)
  }
  return Number(text)
}
