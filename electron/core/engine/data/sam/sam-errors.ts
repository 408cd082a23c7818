import { DataServiceError } from '../data-handler'
import type { FaultyRequest } from './circuit-breaker'

export const SAM_SERVICE = 'sam'

/** URLs carry whole dimension strings; messages keep the start, enough to recognise the call. */
export function shortUrl(url: string): string {
  return url.length > 300 ? `${url.slice(0, 300)}…` : url
}

/** The start of a body, for messages about answers that are not what was asked for. */
export function bodySample(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  if (flat === '') return 'an empty body'
  return `"${flat.length > 120 ? `${flat.slice(0, 120)}…` : flat}"`
}

/**
 * SAM's error body is `{"error": "<Class>", "message": "<text>"}` when it is JSON, else the text
 * is the message (protocols.md §3.1).
 */
export function serverMessage(text: string, contentType: string): { errorClass: string | null; message: string } {
  const trimmed = text.trim()
  if (contentType.includes('application/json') || trimmed.startsWith('{')) {
    try {
      const body = JSON.parse(trimmed) as { error?: unknown; message?: unknown }
      if (typeof body.message === 'string') return { errorClass: typeof body.error === 'string' ? body.error : null, message: body.message }
    } catch {
      // Not JSON after all: the text is the message.
    }
  }
  return { errorClass: null, message: trimmed === '' ? '(no message)' : trimmed.length > 500 ? `${trimmed.slice(0, 500)}…` : trimmed }
}

/** SAM answered with an error status: its status and its own message. */
export function httpError(method: string, url: string, status: number, text: string, contentType: string, attempts: number): DataServiceError {
  const { errorClass, message } = serverMessage(text, contentType)
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : ''
  return new DataServiceError(SAM_SERVICE, `SAM ${method} ${shortUrl(url)} answered ${status}${errorClass ? ` ${errorClass}` : ''}: ${message}${tries}`, status)
}

/** SAM answered, but not with what the call expects (HTML from a proxy, truncated JSON, a wrong shape). */
export function garbageError(method: string, url: string, status: number, expected: string, problem: string, text: string): DataServiceError {
  return new DataServiceError(
    SAM_SERVICE,
    `SAM ${method} ${shortUrl(url)} answered ${status} with something that is not ${expected}: ${problem}; the body was ${bodySample(text)}`,
    status,
  )
}

/** A count or list larger than SAM will evaluate (its text contains "query limit"; POMS makes it -1). */
export class SamQueryLimitError extends DataServiceError {
  constructor(method: string, url: string, status: number, text: string, contentType: string) {
    super(SAM_SERVICE, `SAM refused ${method} ${shortUrl(url)}: the query is over SAM's query limit (${serverMessage(text, contentType).message})`, status)
    this.name = 'SamQueryLimitError'
  }
}

export const isQueryLimit = (text: string): boolean => /query limit/i.test(text)

/** The circuit breaker skipped the call: the same URL failed less than its window ago (poms-reference.md §1.17). */
export class SamRequestSkipped extends DataServiceError {
  constructor(
    method: string,
    readonly fault: FaultyRequest,
  ) {
    const what = fault.status === null ? 'a network error' : `status ${fault.status}`
    super(
      SAM_SERVICE,
      `SAM ${method} ${shortUrl(fault.url)} was skipped: it failed with ${what} (${fault.message}) at ${new Date(fault.lastSeen).toISOString()}; ` +
        `it will be tried again after ${new Date(fault.retryAt).toISOString()}`,
      fault.status,
    )
    this.name = 'SamRequestSkipped'
  }
}
