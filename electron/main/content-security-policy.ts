import { RENDERER_CSP } from '../../shared/api/content-security-policy'

export const CONTENT_SECURITY_POLICY = RENDERER_CSP

const CSP_HEADER = 'Content-Security-Policy'

/** Response headers with our policy in place of any policy the response brought. */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() !== CSP_HEADER.toLowerCase())
  return { ...Object.fromEntries(kept), [CSP_HEADER]: [CONTENT_SECURITY_POLICY] }
}
