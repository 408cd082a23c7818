import { defineConfig } from '@playwright/test'

// Browser mode in Debian's Chromium (the Electron binary cannot be downloaded here; see README).
// Each spec starts its own `poms serve` on a fresh data directory (test/e2e/fixtures.ts). The
// loopback HTCondor host (test/services/condor.sh) is started once for the run by the global setup,
// which also stops it; test/e2e/remote-launch.spec.ts launches on it.
export default defineConfig({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/services-setup.ts',
  outputDir: 'test-results',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
})
