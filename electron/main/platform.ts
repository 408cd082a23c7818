import { join } from 'node:path'
import { app, Notification } from 'electron'
import { createLogger } from '../core/logging/logger'
import { systemClock, type Notifier, type Paths, type Ports } from '../core/ports'
import { createSafeStorageSecretStore } from './safe-storage-secrets'

/**
 * Where the desktop keeps its data and finds its shipped files. `POMS_DATA_DIR` wins, as for the
 * server and CLI; otherwise Electron's userData folder, which the Node faces also default to, so
 * browser mode shows the desktop's campaigns (architecture.md §2).
 */
export function desktopPaths(env: NodeJS.ProcessEnv = process.env): Paths {
  return {
    dataDir: env.POMS_DATA_DIR || app.getPath('userData'),
    // Packaged, the sample job scripts are real files under resources/ (extraResources), not in the asar.
    resourcesDir: app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources'),
  }
}

/** Desktop notifications, where the OS offers them. */
export const desktopNotifier: Notifier = {
  notify(title, body) {
    if (Notification.isSupported()) new Notification({ title, body }).show()
  },
}

/** The core's platform ports for the desktop. Call after `app` is ready (safeStorage needs it). */
export async function createDesktopPorts(): Promise<Ports> {
  const paths = desktopPaths()
  const logger = createLogger({ dataDir: paths.dataDir, stderr: !app.isPackaged })
  const secrets = await createSafeStorageSecretStore(paths.dataDir)
  if (!secrets.encrypted) logger.warn(secrets.description)
  return { paths, secrets, clock: systemClock, logger, notifier: desktopNotifier }
}
