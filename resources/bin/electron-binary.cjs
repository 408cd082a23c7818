'use strict'
/*
 * Finding the Electron binary without triggering electron's lazy download (its index.js downloads on
 * `require`), and one bounded attempt to fetch it with electron's own installer.
 */
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

/** The executable's place inside electron's dist folder, as node_modules/electron/install.js names it. */
function platformExecutable(platform) {
  switch (platform) {
    case 'darwin':
    case 'mas':
      return 'Electron.app/Contents/MacOS/Electron'
    case 'win32':
      return 'electron.exe'
    case 'linux':
    case 'freebsd':
    case 'openbsd':
      return 'electron'
    default:
      return null
  }
}

/**
 * findElectronBinary(root, {env, platform}) → {path} when the binary is on disk, else
 * {missing: reason, fetchable}: whether electron's installer could bring it. Honours
 * ELECTRON_OVERRIDE_DIST_PATH like electron's index.js does (and then never downloads).
 */
function findElectronBinary(root, { env = process.env, platform = process.platform } = {}) {
  const packageDir = path.join(root, 'node_modules', 'electron')
  if (!fs.existsSync(path.join(packageDir, 'package.json'))) {
    return { missing: 'the electron package is not installed', fetchable: false }
  }
  const pathFile = path.join(packageDir, 'path.txt')
  const executable = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : platformExecutable(platform)
  if (!executable) return { missing: `Electron has no build for ${platform}`, fetchable: false }
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || path.join(packageDir, 'dist')
  const binary = path.join(distDir, executable)
  if (fs.existsSync(binary)) return { path: binary }
  return {
    missing: `the Electron binary is not installed (${path.relative(root, binary) || binary})`,
    fetchable: !env.ELECTRON_OVERRIDE_DIST_PATH,
  }
}

/**
 * fetchElectronBinary(root, timeoutMs) → {ok: true} | {ok: false, reason}: runs
 * node_modules/electron/install.js once, quietly, killed after `timeoutMs`.
 */
function fetchElectronBinary(root, timeoutMs = 60_000) {
  const packageDir = path.join(root, 'node_modules', 'electron')
  const installer = path.join(packageDir, 'install.js')
  if (!fs.existsSync(installer)) return { ok: false, reason: 'electron has no installer' }
  const run = spawnSync(process.execPath, [installer], {
    cwd: packageDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  })
  if (run.error && run.error.code === 'ETIMEDOUT') {
    return { ok: false, reason: `the download did not finish within ${Math.round(timeoutMs / 1000)} s` }
  }
  if (run.error) return { ok: false, reason: `the installer could not run: ${run.error.message}` }
  if (run.status === 0) return { ok: true }
  return { ok: false, reason: `the download failed: ${firstCause(`${run.stderr}\n${run.stdout}`)}` }
}

/** The most telling line of the installer's output (a DNS error beats a generic "fetch failed"). */
function firstCause(output) {
  const network = /getaddrinfo \w+ [\w.-]+|connect E\w+ [\d.:]+|E(?:CONNREFUSED|CONNRESET|TIMEDOUT|HOSTUNREACH|NETUNREACH)\b/.exec(output)
  if (network) return network[0]
  const line = output.split('\n').map((l) => l.trim()).find((l) => l !== '')
  if (!line) return 'no output'
  return line.length > 120 ? `${line.slice(0, 117)}...` : line
}

module.exports = { findElectronBinary, fetchElectronBinary, platformExecutable }
