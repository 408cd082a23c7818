import type { FastifyRequest } from 'fastify'

/** The URL layout of the API (architecture.md §2); the one place that spells these paths. */
export const API_PREFIX = '/api/v1'
export const HEALTH_PATH = `${API_PREFIX}/health`
export const EVENTS_PATH = `${API_PREFIX}/events`
/** Channel names contain ':' (`campaigns:list`); a route parameter takes them whole. */
export const CHANNEL_ROUTE = `${API_PREFIX}/:channel`

/** Routes that answer without the bearer token: health, and the event socket (it authenticates in its first message). */
export const ROUTES_WITHOUT_TOKEN: ReadonlySet<string> = new Set([HEALTH_PATH, EVENTS_PATH])

function decodedPath(url: string): string {
  const path = url.split('?', 1)[0] ?? ''
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/**
 * True for requests that belong to the API. Decided from the matched route pattern, not the raw URL:
 * the router decodes `%61pi/…` into an API route, so a prefix test on the raw URL could be bypassed.
 * Unmatched requests (and the static catch-all) fall back to the decoded path.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url
  if (route !== undefined && route !== '/*') return route.startsWith(`${API_PREFIX}/`)
  const path = decodedPath(request.url)
  return path === '/api' || path.startsWith('/api/')
}
