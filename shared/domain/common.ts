import { z } from 'zod'

/** UUIDv7 (any RFC 9562 UUID is accepted on input, so rows synced from other stores still parse). */
export const Id = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a UUID')

/**
 * Short display ids: a kind letter, a dash and six Crockford base-32 characters (no I, L, O, U),
 * random rather than a UUIDv7 prefix (that prefix is a timestamp and collides within a burst).
 */
export const SHORT_ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export const ShortId = z.string().regex(/^[a-z]-[0-9A-HJKMNP-TV-Z]{6}$/, 'must be a short id like s-7KQ2MX')

/** An id as people type it: the full UUID or the short id, case-insensitive for the short form. */
export const IdRef = z
  .string()
  .trim()
  .min(1, 'an id is required')
  .max(64)
  .transform((value) => (/^[a-z]-[0-9a-z]{6}$/i.test(value) ? `${value[0]!.toLowerCase()}-${value.slice(2).toUpperCase()}` : value.toLowerCase()))

/** UTC epoch milliseconds. */
export const EpochMs = z.number().int().nonnegative()

/** Names of things people create: unique within their scope, trimmed, printable. */
export const Name = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(200, 'at most 200 characters')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters')

/** Experiment codes as POMS has them: short, lower-case (`nova`, `dune`, `samdev`). */
export const ExperimentCode = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'an experiment code: lower-case letters, digits, _ or -, starting with a letter')

export const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/, 'a user name: letters, digits, _ . @ -')

export const Rev = z.number().int().positive()

/** A `[key, value]` pair of a POMS parameter list; key and value are concatenated on the command line. */
export const ParamPair = z.tuple([z.string().max(10_000), z.string().max(100_000)])
export const ParamPairs = z.array(ParamPair).max(1000)
export type ParamPair = z.infer<typeof ParamPair>

/** Fields every stored, syncable entity carries. */
export const StoredMeta = {
  id: Id,
  shortId: ShortId,
  experiment: ExperimentCode,
  rev: Rev,
  createdAt: EpochMs,
  updatedAt: EpochMs,
  creator: z.string(),
  creatorRole: z.string(),
  updater: z.string().nullable(),
}

/** Optimistic concurrency: writes to editable entities name the revision they were based on. */
export const ExpectedRev = z.number().int().positive({ message: 'expectedRev is required for updates' })
