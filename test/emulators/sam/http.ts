import type { IncomingHttpHeaders } from 'node:http'
import { badRequest, type SamError } from './errors'

/** One request to `<base>/...`, with its parameters from the query string or a form body. */
export interface SamRequest {
  method: string
  /** The path after `/sam/<exp>/api/`, still encoded (`files/name/a%20b/metadata`). */
  path: string
  segments: string[]
  query: URLSearchParams
  form: URLSearchParams
  /** The parsed body of a `Content-Type: application/json` request. */
  json: unknown
  headers: IncomingHttpHeaders
  /** `<scheme>://<host>/sam/<exp>/api`, for URLs the server hands out (project URLs). */
  base: string
}

export interface SamReply {
  status: number
  body: string
  contentType: string
  headers?: Record<string, string>
}

export const plain = (body: string, status = 200, headers?: Record<string, string>): SamReply => ({
  status,
  body,
  contentType: 'text/plain; charset=utf-8',
  ...(headers ? { headers } : {}),
})
export const json = (value: unknown, status = 200): SamReply => ({ status, body: JSON.stringify(value), contentType: 'application/json' })
export const empty = (status: number): SamReply => ({ status, body: '', contentType: 'text/plain; charset=utf-8' })

/** A parameter from the query string or the form body (SAM takes either). */
export function param(req: SamRequest, name: string): string | null {
  return req.query.get(name) ?? req.form.get(name)
}

export function required(req: SamRequest, name: string): string {
  const value = param(req, name)
  if (value === null || value === '') throw badRequest(`Missing required parameter "${name}"`)
  return value
}

/** `format=json` or `format=plain` decides; without it, `Accept: application/json` does (protocols.md §3.6). */
export function wantsJson(req: SamRequest): boolean {
  const format = param(req, 'format')
  if (format === 'json') return true
  if (format !== null) return false
  return (req.headers.accept ?? '').includes('application/json')
}

/** SAM's error body: JSON `{error, message}` for JSON clients, else the message as text (protocols.md §3.1). */
export function errorReply(err: SamError, asJson: boolean): SamReply {
  return asJson ? json({ error: err.errorClass, message: err.message }, err.status) : plain(err.message, err.status)
}

/** Reads a form-encoded or JSON body. */
export function parseBody(raw: string, contentType: string | undefined): { form: URLSearchParams; json: unknown } {
  if ((contentType ?? '').includes('application/json')) {
    try {
      return { form: new URLSearchParams(), json: raw === '' ? undefined : JSON.parse(raw) }
    } catch {
      throw badRequest('The request body is not valid JSON', 'InvalidMetadata')
    }
  }
  return { form: new URLSearchParams(raw), json: undefined }
}
