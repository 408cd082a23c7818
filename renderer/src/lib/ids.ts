/** One key per person's click: a retried request with it never launches twice (architecture.md §2). */
export const newIdempotencyKey = (): string => crypto.randomUUID()
