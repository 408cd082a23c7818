import { z } from 'zod'

export const DEFAULT_PAGE_SIZE = 100
export const MAX_PAGE_SIZE = 500

/** `{filter, sort, cursor, limit}` for every list (architecture.md §2); cursors are opaque strings. */
export function listInput<F extends z.ZodObject, S extends readonly [string, ...string[]]>(filter: F, sorts: S) {
  return z.object({
    filter: filter.prefault({} as z.input<F>),
    sort: z.enum(sorts).default(sorts[0] as S[0]),
    cursor: z.string().max(1000).nullable().default(null),
    limit: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  })
}

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable(),
  })

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
