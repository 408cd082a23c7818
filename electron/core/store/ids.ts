import { randomBytes } from 'node:crypto'
import { v7 as uuidv7 } from 'uuid'
import { SHORT_ID_ALPHABET } from '../../../shared/domain/common'

export const newId = (): string => uuidv7()

/** Kind letters of short ids, one per entity people refer to. */
export const SHORT_ID_KIND = {
  submission: 's',
  stage: 't',
  campaign: 'c',
  jobType: 'j',
  loginSetup: 'l',
  dependency: 'd',
} as const
export type ShortIdKind = keyof typeof SHORT_ID_KIND

/** Six random Crockford base-32 characters after the kind letter: ~1e9 values per kind. */
export function newShortId(kind: ShortIdKind): string {
  const bytes = randomBytes(6)
  let tail = ''
  for (const byte of bytes) tail += SHORT_ID_ALPHABET[byte & 31]
  return `${SHORT_ID_KIND[kind]}-${tail}`
}

/** A short id not yet used in `table`; collisions are rare, so a few retries always suffice. */
export function uniqueShortId(kind: ShortIdKind, isTaken: (candidate: string) => boolean): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = newShortId(kind)
    if (!isTaken(candidate)) return candidate
  }
  throw new Error(`could not find a free ${kind} short id`)
}
