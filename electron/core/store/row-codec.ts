import { badInput } from '../../../shared/errors'

export const toBool = (value: unknown): boolean => value === 1 || value === true
export const fromBool = (value: boolean): number => (value ? 1 : 0)

export function parseJson<T>(text: unknown): T {
  return JSON.parse(String(text)) as T
}

/** Keyset cursors: the last row's sort value and id, opaque to callers. */
export function encodeCursor(sortValue: string | number, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id]), 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): { sortValue: string | number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string' && ['string', 'number'].includes(typeof parsed[0])) {
      return { sortValue: parsed[0] as string | number, id: parsed[1] }
    }
  } catch {
    /* fall through */
  }
  throw badInput('the list cursor is not valid', [{ path: 'cursor', message: 'not a cursor this server issued' }])
}

/** SQLite's unique-constraint error, which repositories turn into a field error. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE'
}
