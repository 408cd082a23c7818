#!/usr/bin/env node
/* global window, location */
/*
 * `npm run test:electron`: drives the real desktop app with Playwright's _electron and checks what
 * only a real Electron can show (window preferences, the sandboxed bridge, navigation and window
 * guards). Needs the Electron binary, so it is not part of `npm test`; where the binary is missing it
 * says so and exits 1.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const require = createRequire(import.meta.url)
const { findElectronBinary } = require(join(root, 'resources/bin/electron-binary.cjs'))
const { ensureBuild } = require(join(root, 'resources/bin/ensure-build.cjs'))

const found = findElectronBinary(root)
if (!found.path) {
  console.error(
    `npm run test:electron needs the Electron binary: ${found.missing}.\n` +
      'Run it where Electron can be downloaded (npx install-electron --no), or point ELECTRON_OVERRIDE_DIST_PATH at an Electron 45 folder.',
  )
  process.exit(1)
}

ensureBuild()
const { _electron } = await import('playwright-core')

const results = []
async function check(name, fn) {
  try {
    await fn()
    results.push({ name, ok: true })
    console.log(`  ok    ${name}`)
  } catch (err) {
    results.push({ name, ok: false })
    console.log(`  FAIL  ${name}\n        ${String(err && err.message ? err.message : err).split('\n').join('\n        ')}`)
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message)
}

const dataDir = mkdtempSync(join(tmpdir(), 'poms-electron-'))
// Chromium refuses to run as root with its OS sandbox; the page sandbox (webPreferences) is unaffected.
const args = [root, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])]
const app = await _electron.launch({ executablePath: found.path, args, cwd: root, env: { ...process.env, POMS_DATA_DIR: dataDir } })

try {
  const page = await app.firstWindow()
  await page.waitForLoadState('domcontentloaded')

  await check('the window is sandboxed, isolated and without Node', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].webContents.getLastWebPreferences())
    assert(prefs.sandbox === true, `sandbox is ${prefs.sandbox}`)
    assert(prefs.contextIsolation === true, `contextIsolation is ${prefs.contextIsolation}`)
    assert(prefs.nodeIntegration === false, `nodeIntegration is ${prefs.nodeIntegration}`)
    assert(prefs.webviewTag === false, `webviewTag is ${prefs.webviewTag}`)
    const globals = await page.evaluate(() => [typeof require, typeof process, typeof module])
    assert(globals.every((t) => t === 'undefined'), `page sees Node globals: ${globals}`)
  })

  await check('the page has window.poms with invoke and on only', async () => {
    const keys = await page.evaluate(() => Object.keys(window.poms ?? {}).sort())
    assert(JSON.stringify(keys) === '["invoke","on"]', `window.poms has ${keys}`)
  })

  await check('session:get answers through IPC as the desktop face', async () => {
    const reply = await page.evaluate(() => window.poms.invoke('session:get', {}))
    assert(reply.ok === true, `session:get failed: ${JSON.stringify(reply)}`)
    assert(reply.value.face === 'desktop', `face is ${reply.value.face}`)
    assert(reply.value.dataDir === dataDir, `dataDir is ${reply.value.dataDir}`)
  })

  await check('bad input comes back as BAD_INPUT, unknown channels are refused in the preload', async () => {
    const bad = await page.evaluate(() => window.poms.invoke('campaigns:list', { experiment: 42 }))
    assert(bad.ok === false && bad.error.code === 'BAD_INPUT', JSON.stringify(bad))
    const refused = await page.evaluate(() => window.poms.invoke('campaigns:drop', {}).then(() => 'resolved', (e) => e.message))
    assert(/unknown channel/.test(refused), refused)
  })

  await check('window.open and navigation away are denied', async () => {
    const opened = await page.evaluate(() => window.open('https://example.org/') === null)
    assert(opened, 'window.open returned a window')
    const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)
    assert(windows === 1, `${windows} windows are open`)
    await page.evaluate(() => {
      location.href = 'https://example.org/'
    })
    await page.waitForTimeout(500)
    assert(page.url().startsWith('file://') && page.url().includes('/out/renderer/index.html'), `navigated to ${page.url()}`)
  })
} finally {
  await app.close().catch(() => undefined)
  rmSync(dataDir, { recursive: true, force: true })
}

const failed = results.filter((r) => !r.ok).length
console.log(`${results.length - failed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
