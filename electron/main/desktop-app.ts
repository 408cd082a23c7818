import { app, BrowserWindow, dialog, ipcMain } from 'electron'
import type { CoreApi } from '../core/core-api'
import type { Logger, Ports } from '../core/ports'
import { forwardCoreEvents } from './events'
import { isTrustedSender, registerIpc } from './ipc'
import { createDesktopPorts } from './platform'
import { installSecurityGuards } from './security'
import { createMainWindow } from './window'

export type CreateCore = (ports: Ports, opts: { purpose: string }) => Promise<CoreApi>

/** Shown by the store lock to a second process that tries to open the same store. */
export const CORE_PURPOSE = 'POMS Desktop (desktop app)'

export interface DesktopAppOptions {
  createCore: CreateCore
  /** The platform ports; tests hand in their own. */
  createPorts?: () => Promise<Ports>
}

/**
 * The desktop's life cycle: one instance per user, the core opened once `app` is ready, IPC and
 * events bound, then the window. Quitting waits for the core to close its store. A core that cannot
 * open (store locked by another process, store from a newer version) is reported in a dialog.
 * Resolves when start-up has finished (or failed).
 */
export function runDesktopApp({ createCore, createPorts = createDesktopPorts }: DesktopAppOptions): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    // Another POMS Desktop runs for this user; it gets a `second-instance` event and comes forward.
    app.quit()
    return Promise.resolve()
  }

  let core: CoreApi | null = null
  let closing: Promise<void> | null = null
  let logger: Logger | null = null

  const showMainWindow = (): void => {
    const [window] = BrowserWindow.getAllWindows()
    if (!window) {
      if (core && logger) createMainWindow(logger)
      return
    }
    if (window.isMinimized()) window.restore()
    window.focus()
  }

  app.on('second-instance', showMainWindow)
  app.on('activate', showMainWindow)
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('before-quit', (event) => {
    if (!core) return
    // Hold the quit until the store is closed, then quit again (core is null by then).
    event.preventDefault()
    if (closing) return
    const open = core
    closing = open
      .close()
      .catch((err: unknown) => logger?.error('closing the core failed', { error: String(err) }))
      .finally(() => {
        core = null
        app.quit()
      })
  })

  return app.whenReady().then(async () => {
    try {
      const ports = await createPorts()
      logger = ports.logger.child('desktop')
      installSecurityGuards(logger)
      core = await createCore(ports, { purpose: CORE_PURPOSE })
      registerIpc(ipcMain, core, isTrustedSender, logger.child('ipc'))
      forwardCoreEvents(core, () => BrowserWindow.getAllWindows())
      createMainWindow(logger)
    } catch (err) {
      logger?.error('POMS Desktop could not start', { error: err instanceof Error ? err.stack : String(err) })
      dialog.showErrorBox('POMS Desktop cannot start', err instanceof Error ? err.message : String(err))
      // Release the store (and its lock) if the core had opened it before start-up failed.
      const opened = core
      core = null
      await opened?.close().catch(() => undefined)
      app.exit(1)
    }
  })
}
