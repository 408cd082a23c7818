import { BrowserWindow } from 'electron'
import type { Logger } from '../core/ports'
import { preloadPath, rendererIndexPath } from './app-files'

/**
 * The main window: a sandboxed, context-isolated page without Node, whose only way out is the
 * preload's `window.poms` bridge. Shown once its first frame is ready, so it never flashes blank.
 */
export function createMainWindow(logger: Logger): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    webPreferences: {
      preload: preloadPath(),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      // webSecurity stays at its default (on).
    },
  })
  window.once('ready-to-show', () => window.show())
  window.loadFile(rendererIndexPath()).catch((err: unknown) => {
    logger.error('could not load the renderer', { error: String(err), file: rendererIndexPath() })
  })
  return window
}
