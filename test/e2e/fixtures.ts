import { test as base, expect } from '@playwright/test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(__dirname, '..', '..')

export interface ServedApp {
  /** The URL `poms serve` printed, token fragment included. */
  url: string
  origin: string
  dataDir: string
}

/** Starts the built CLI's `poms serve` on a fresh data directory and waits for its ready line. */
export async function serveApp(): Promise<ServedApp & { stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'poms-e2e-'))
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`poms serve did not become ready:\n${output}`)), 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /at (http:\/\/\S+#token=\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolvePromise(match[1]!)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`poms serve exited with ${code}:\n${output}`))
    })
  })
  return {
    url,
    origin: new URL(url).origin,
    dataDir,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** `app`: a served app per test, and the page already open on it with the UI ready. */
export const test = base.extend<{ app: ServedApp }>({
  // auto: every test gets its own server and an open page, even when it never names `app`.
  app: [
    async ({ page }, use) => {
      const served = await serveApp()
      await page.goto(served.url)
      await expect(page.locator('body[data-app-state="ready"]')).toBeVisible()
      await use(served)
      await served.stop()
    },
    { auto: true },
  ],
})

export { expect }
