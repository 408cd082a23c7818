import { shell } from 'electron'
import type { Logger } from '../core/ports'

/**
 * Opens a link in the user's browser. The only `shell.openExternal` call site: anything but https
 * (file:, javascript:, custom schemes that launch local programs, plain http) is refused.
 * Resolves to whether the link was handed to the browser.
 */
export async function safeOpenExternal(url: string, logger?: Logger): Promise<boolean> {
  if (!isHttpsUrl(url)) {
    logger?.warn('refused to open a non-https link', { url: url.slice(0, 200) })
    return false
  }
  try {
    await shell.openExternal(url)
    return true
  } catch (err) {
    logger?.warn('could not open link', { url, error: String(err) })
    return false
  }
}

function isHttpsUrl(url: string): boolean {
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'https:' && parsed.hostname !== ''
  } catch {
    return false
  }
}
