#!/usr/bin/env node
// `npm test`: builds what the tests need, runs every suite (unit, main, renderer, integration,
// end-to-end in Chromium), and ends with one plain line: `N passed, N failed`. Exits non-zero if
// anything failed or could not run. Suites that cannot start count as failures, never as skips.
'use strict'
const { spawnSync } = require('node:child_process')
const { existsSync, mkdirSync, readFileSync, rmSync } = require('node:fs')
const { join } = require('node:path')

const root = join(__dirname, '..')
const reports = join(root, 'reports')
rmSync(reports, { recursive: true, force: true })
mkdirSync(reports, { recursive: true })

const bin = (pkg, file) => join(root, 'node_modules', pkg, file)
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ELECTRON_SKIP_BINARY_DOWNLOAD: '1', PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' }
const problems = []
/** Problems already counted as failed tests (suites that crashed, Playwright errors). */
const counted = new Set()

function run(title, args, extraEnv = {}) {
  process.stdout.write(`\n=== ${title} ===\n`)
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } })
  if (result.error) problems.push(`${title}: ${result.error.message}`)
  return result.status ?? 1
}

// 1. Build: the e2e tests drive the built renderer through the built server.
if (run('build (electron-vite)', [bin('electron-vite', 'bin/electron-vite.js'), 'build']) !== 0) {
  problems.push('the build failed, so the end-to-end tests cannot run')
}

// 2. Services the integration tests need are started by the tests themselves (test/services/).
// 3. Vitest: fast projects in parallel, then the integration project alone, one file at a time.
const vitest = bin('vitest', 'vitest.mjs')
run('unit, main and renderer tests (vitest)', [vitest, 'run', '--project', 'unit', '--project', 'main', '--project', 'renderer', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest-fast.json')}`])
run('integration tests (vitest, serial)', [vitest, 'run', '--project', 'integration', '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, 'vitest-integration.json')}`])

// 4. End-to-end in Debian's Chromium.
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
if (!existsSync(chromium)) {
  problems.push(`Chromium is missing at ${chromium}: install it with \`apt-get install -y chromium\` (as root), or set CHROMIUM_PATH`)
} else if (!problems.some((p) => p.startsWith('the build failed'))) {
  run('end-to-end tests (Playwright, Chromium)', [bin('@playwright/test', 'cli.js'), 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: join(reports, 'e2e.json'),
    CHROMIUM_PATH: chromium,
  })
}

// Summary.
let passed = 0
let failed = 0
const expected = [
  ['vitest-fast.json', 'unit/main/renderer'],
  ['vitest-integration.json', 'integration'],
  ['e2e.json', 'end-to-end'],
]
for (const [file, label] of expected) {
  const path = join(reports, file)
  if (!existsSync(path)) {
    problems.push(`no ${label} report: that suite did not run to the end`)
    continue
  }
  const report = JSON.parse(readFileSync(path, 'utf8'))
  if ('numPassedTests' in report) {
    passed += report.numPassedTests
    failed += report.numFailedTests
    if (report.numPendingTests || report.numTodoTests) problems.push(`${label}: ${report.numPendingTests + report.numTodoTests} tests were skipped`)
    const broken = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0)
    for (const r of broken) {
      const msg = `${label}: ${r.name} could not run: ${String(r.message ?? '').split('\n')[0]}`
      problems.push(msg)
      counted.add(msg)
    }
    failed += broken.length
  } else if (report.stats) {
    passed += report.stats.expected + report.stats.flaky
    failed += report.stats.unexpected
    if (report.stats.skipped) problems.push(`${label}: ${report.stats.skipped} tests were skipped`)
    for (const e of report.errors ?? []) {
      const msg = `${label}: ${String(e.message ?? e).split('\n')[0]}`
      problems.push(msg)
      counted.add(msg)
    }
    failed += (report.errors ?? []).length
  }
}
// Every problem not already counted as a failed test (a suite that did not run, a skip, a missing
// browser) counts as one failure: nothing is allowed to pass by not running.
const uncounted = problems.filter((p) => !counted.has(p)).length
failed += uncounted
if (problems.length > 0) process.stdout.write('\nProblems:\n' + problems.map((p) => `- ${p}\n`).join(''))
process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
