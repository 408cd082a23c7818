import { createHash, timingSafeEqual } from 'node:crypto'

/** Where the server reads its token from; a function so a rotated token takes effect without a restart. */
export type TokenSource = () => string

/**
 * Constant-time comparison. Hashing first gives two equal-length buffers, so neither the content nor
 * the length of the expected token leaks through timing.
 */
export function tokensMatch(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()
  return expected.length > 0 && timingSafeEqual(digest(given), digest(expected))
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +(\S+) *$/i.exec(header ?? '')
  return match?.[1] ?? null
}
