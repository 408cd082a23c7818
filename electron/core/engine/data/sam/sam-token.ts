import { readFile } from 'node:fs/promises'
import type { SecretStore } from '../../../ports'
import { DataServiceError } from '../data-handler'
import { SAM_SERVICE } from './sam-errors'

/**
 * Where the bearer token sent to SAM comes from: a value, or a function asked before every
 * request (so a refreshed token file or a changed secret is picked up). Public SAM clients use
 * X.509 certificates; whether SAM takes tokens is not documented (protocols.md §3.1 UNKNOWN), so
 * the token is optional.
 */
export type SamTokenSource = string | (() => Promise<string | null> | string | null)

export async function resolveToken(source: SamTokenSource | undefined): Promise<string | null> {
  if (source === undefined) return null
  const token = typeof source === 'string' ? source : await source()
  return token === null || token.trim() === '' ? null : token.trim()
}

/** A token kept in the secret store under `id`. */
export const tokenFromSecret =
  (store: SecretStore, id: string): SamTokenSource =>
  () =>
    store.get(id)

/** A token file (`BEARER_TOKEN_FILE` style), read on every request. */
export const tokenFromFile =
  (path: string): SamTokenSource =>
  async () => {
    try {
      return await readFile(path, 'utf8')
    } catch (err) {
      throw new DataServiceError(SAM_SERVICE, `the SAM token file ${path} cannot be read: ${(err as Error).message}`)
    }
  }
