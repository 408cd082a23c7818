'use strict'
/*
 * What `npm start` runs: the desktop app when the Electron binary is (or can quickly be) had, else
 * browser mode exactly as `npm run web` runs it, announced in one line (architecture.md §2).
 */
const path = require('node:path')
const { fetchElectronBinary, findElectronBinary } = require('./electron-binary.cjs')

/** The command line of `npm run web` (package.json), run with this Node. */
const browserMode = (root) => ({
  command: process.execPath,
  args: [path.join(root, 'resources', 'bin', 'poms.cjs'), 'serve', '--open-hint'],
})

/**
 * planStart(root, {env, platform, args, fetch}) → {mode, command, args, env, notice?}
 * `fetch(root)` is tried once when the binary is missing, unless downloads are switched off.
 */
function planStart(root, { env = process.env, platform = process.platform, args = [], fetch = fetchElectronBinary } = {}) {
  let found = findElectronBinary(root, { env, platform })
  let reason = found.missing
  if (found.missing && found.fetchable) {
    if (/^(1|true)$/i.test(env.ELECTRON_SKIP_BINARY_DOWNLOAD || '')) {
      reason = `${found.missing}; ELECTRON_SKIP_BINARY_DOWNLOAD is set`
    } else {
      const attempt = fetch(root)
      found = findElectronBinary(root, { env, platform })
      reason = attempt.ok ? found.missing : attempt.reason
    }
  }

  if (found.path) {
    // An inherited ELECTRON_RUN_AS_NODE would turn the app into a plain Node process.
    const { ELECTRON_RUN_AS_NODE: _runAsNode, ...electronEnv } = env
    return { mode: 'electron', command: found.path, args: ['.', ...args], env: electronEnv }
  }
  return {
    mode: 'browser',
    ...browserMode(root),
    env,
    notice: `Electron is not available here (${reason}); starting browser mode instead.`,
  }
}

module.exports = { planStart }
