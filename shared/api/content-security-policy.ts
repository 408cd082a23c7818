/**
 * The renderer's Content Security Policy, one text for every face. renderer/index.html carries it in
 * a meta tag (tests keep them equal) for file:// loads where a header may not apply; Electron and
 * the server also send it as a header.
 */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ')

/** `frame-ancestors` only works as a header, so the server adds it there. */
export const SERVER_CSP = `${RENDERER_CSP}; frame-ancestors 'none'`
