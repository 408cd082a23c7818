'use strict'
/**
 * ensureBuild(): void
 *
 * Builds the app (`electron-vite build`) when a build output is missing or older than any source, and
 * does nothing otherwise. Synchronous; throws an Error whose message says why the build failed
 * (callers add their own "the build failed:" prefix). The build's own output
 * goes to stderr, so the stdout of the command that asked (`poms … --json`) stays clean.
 *
 *   require('./ensure-build.cjs').ensureBuild()
 *
 * Used by start.cjs (`npm start`) and poms.cjs (`npm run web`, the `poms` CLI).
 */
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const PROJECT_ROOT = path.resolve(__dirname, '..', '..')

/** What electron-vite builds, and what it is built from (paths relative to the project root). */
const OUTPUTS = ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.js', 'out/renderer/index.html']
const SOURCES = ['electron', 'renderer', 'shared', 'electron.vite.config.ts', 'package.json']

/** buildStatus(root) → {upToDate: true} | {upToDate: false, reason} */
function buildStatus(root) {
  let oldestOutput = Infinity
  for (const output of OUTPUTS) {
    const stat = statOrNull(path.join(root, output))
    if (!stat) return { upToDate: false, reason: `${output} is missing` }
    oldestOutput = Math.min(oldestOutput, stat.mtimeMs)
  }
  for (const source of SOURCES) {
    const newer = findNewerFile(path.join(root, source), oldestOutput)
    if (newer) return { upToDate: false, reason: `${path.relative(root, newer)} changed` }
  }
  return { upToDate: true }
}

function ensureBuild() {
  ensureBuildIn(PROJECT_ROOT)
}

function ensureBuildIn(root) {
  const status = buildStatus(root)
  if (status.upToDate) return
  const cli = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  if (!fs.existsSync(cli)) throw new Error(`${status.reason}, and electron-vite is not installed (${cli}); run npm ci first`)
  process.stderr.write(`Building POMS Desktop (${status.reason})...\n`)
  const run = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: ['ignore', 2, 2] })
  if (run.error) throw new Error(`electron-vite could not be started: ${run.error.message}`)
  if (run.status !== 0) {
    throw new Error(`electron-vite build ended with ${run.status === null ? `signal ${run.signal}` : `exit code ${run.status}`}`)
  }
  const missing = OUTPUTS.find((output) => !fs.existsSync(path.join(root, output)))
  if (missing) throw new Error(`electron-vite build finished without producing ${missing}`)
}

function statOrNull(file) {
  try {
    return fs.statSync(file)
  } catch {
    return null
  }
}

/** The first file under `entry` (a file or a folder) modified after `time`, or null. */
function findNewerFile(entry, time) {
  const stat = statOrNull(entry)
  if (!stat) return null
  if (!stat.isDirectory()) return stat.mtimeMs > time ? entry : null
  for (const child of fs.readdirSync(entry, { withFileTypes: true })) {
    if (child.name === 'node_modules' || child.name.startsWith('.')) continue
    const newer = findNewerFile(path.join(entry, child.name), time)
    if (newer) return newer
  }
  return null
}

module.exports = { ensureBuild, ensureBuildIn, buildStatus, OUTPUTS, SOURCES }
