import { app, session, type WebContents } from 'electron'
import type { Logger } from '../core/ports'
import { isRendererUrl } from './app-files'
import { withContentSecurityPolicy } from './content-security-policy'
import { safeOpenExternal } from './open-external'

/*
 * The security baseline of architecture.md §8 for everything that renders: no navigation away from
 * our page, no new windows, no webviews, no permissions, and our CSP on every response.
 * Call once, after `app` is ready (the default session exists only then) and before any window.
 */
export function installSecurityGuards(logger: Logger): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, logger))
  hardenDefaultSession(logger)
}

/** Navigation, window and webview rules for one web contents. */
export function guardWebContents(contents: WebContents, logger: Logger): void {
  contents.on('will-navigate', (event, legacyUrl) => {
    const url = event.url ?? legacyUrl
    if (isRendererUrl(url)) return
    event.preventDefault()
    logger.warn('blocked navigation away from the app', { url: url.slice(0, 200) })
  })

  // New windows are never opened in the app; an https link goes to the user's browser instead.
  contents.setWindowOpenHandler(({ url }) => {
    void safeOpenExternal(url, logger)
    return { action: 'deny' }
  })

  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    logger.warn('blocked a webview')
  })
}

function hardenDefaultSession(logger: Logger): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn('denied a permission request', { permission })
    callback(false)
  })
  ses.setPermissionCheckHandler(() => false)
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withContentSecurityPolicy(details.responseHeaders) })
  })
}
