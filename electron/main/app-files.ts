import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app } from 'electron'

/*
 * Where electron-vite puts the built preload and renderer, under the app root: the project folder
 * when started with `electron .`, the asar when packaged. The one place that knows these paths.
 */

export const preloadPath = (): string => join(app.getAppPath(), 'out', 'preload', 'index.js')

export const rendererIndexPath = (): string => join(app.getAppPath(), 'out', 'renderer', 'index.html')

/**
 * True for our own renderer page (any hash route or query on it), false for anything else,
 * including other files on disk: a file:// page is not trusted just because it is local.
 */
export function isRendererUrl(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  const own = pathToFileURL(rendererIndexPath())
  return parsed.protocol === 'file:' && parsed.host === own.host && parsed.pathname === own.pathname
}
