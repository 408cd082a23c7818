import { homedir } from 'node:os'
import { join } from 'node:path'

/** Electron's `app.getPath('userData')` for our productName, so browser mode shows the desktop's store. */
export const APP_FOLDER_NAME = 'POMS Desktop'

/**
 * The data directory when none is given: `--data-dir`, then `POMS_DATA_DIR`, then the per-user
 * application data folder the desktop app uses (architecture.md §2).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.POMS_DATA_DIR) return env.POMS_DATA_DIR
  const home = env.HOME ?? homedir()
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER_NAME)
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME)
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), APP_FOLDER_NAME)
}
