import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '../../shared/errors'
import type { CoreApi } from '../../electron/core/core-api'
import type { CliContext } from '../../electron/server/commands/cli-context'
import { runCli } from '../../electron/server/commands/program'
import { readOrCreateToken, tokenFilePath } from '../../electron/server/token-file'
import { createFakeCore } from '../main/support/fake-core'

const REPO = resolve(__dirname, '../..')
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version

/** A CliContext that records output, and stops `serve` when the test says so. */
function testContext(dataDir: string, openCore?: (ports: unknown, purpose: string) => Promise<CoreApi>) {
  const fake = createFakeCore('alice')
  let out = ''
  let err = ''
  let requestStop: (signal: string) => void = () => undefined
  const stopped = new Promise<string>((resolve) => (requestStop = resolve))
  const ctx: CliContext = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    env: { POMS_DATA_DIR: dataDir },
    logging: { level: 'silent', stderr: false },
    stopRequested: () => stopped,
    openCore: vi.fn(openCore ?? (async () => fake.core)),
  }
  return { ctx, fake, out: () => out, err: () => err, stop: () => requestStop('SIGTERM') }
}

describe('the poms program', () => {
  let base: string
  let dataDir: string
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'poms-cli-'))
    dataDir = join(base, 'data')
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  it('prints help listing its commands, exit 0', async () => {
    const t = testContext(dataDir)
    expect(await runCli(['--help'], t.ctx)).toBe(0)
    expect(t.out()).toMatch(/^Usage: poms /)
    expect(t.out()).toMatch(/^\s+serve\b/m)
    expect(t.out()).toMatch(/^\s+token\b/m)
  })

  it('prints help for a command, exit 0', async () => {
    const t = testContext(dataDir)
    expect(await runCli(['serve', '--help'], t.ctx)).toBe(0)
    for (const option of ['--port', '--host', '--data-dir', '--open-hint']) expect(t.out()).toContain(option)
  })

  it('prints the package.json version, exit 0', async () => {
    const t = testContext(dataDir)
    expect(await runCli(['--version'], t.ctx)).toBe(0)
    expect(t.out().trim()).toBe(VERSION)
  })

  it.each([
    [['--bogus']],
    [['serve', '--bogus']],
    [['no-such-command']],
    [['serve', '--port', 'eighty']],
    [['serve', '--port', '70000']],
    [['serve', '--port']],
    [[]],
  ])('answers the usage error %j with exit 2 and a message on stderr, doing nothing', async (args) => {
    const t = testContext(dataDir)
    expect(await runCli(args, t.ctx)).toBe(2)
    expect(t.err()).not.toBe('')
    expect(t.ctx.openCore).not.toHaveBeenCalled()
  })

  describe('token', () => {
    it('prints the data directory token, making it on first use', async () => {
      const t = testContext(dataDir)
      expect(await runCli(['token', '--data-dir', dataDir], t.ctx)).toBe(0)
      expect(t.out()).toBe(`${readOrCreateToken(dataDir)}\n`)
    })

    it('takes the data directory from POMS_DATA_DIR when --data-dir is not given', async () => {
      const t = testContext(dataDir)
      expect(await runCli(['token'], t.ctx)).toBe(0)
      expect(existsSync(tokenFilePath(dataDir))).toBe(true)
    })

    it('rotates with --rotate and prints the new token', async () => {
      const old = readOrCreateToken(dataDir)
      const t = testContext(dataDir)
      expect(await runCli(['token', '--rotate'], t.ctx)).toBe(0)
      const printed = t.out().trim()
      expect(printed).not.toBe(old)
      expect(readOrCreateToken(dataDir)).toBe(printed)
    })
  })

  describe('serve', () => {
    it('prints the ready line with the token in the fragment, serves, and stops cleanly on a stop signal', async () => {
      const t = testContext(dataDir)
      const running = runCli(['serve', '--data-dir', dataDir], t.ctx)
      await vi.waitFor(() => expect(t.out()).toContain('\n'), { timeout: 5000 })

      const token = readOrCreateToken(dataDir)
      const match = /^POMS Desktop is serving (.+) at (http:\/\/127\.0\.0\.1:(\d+)\/)#token=(\S+)\n$/.exec(t.out())
      expect(match).not.toBeNull()
      const [, shownDir, url, , shownToken] = match!
      expect(shownDir).toBe(dataDir)
      expect(shownToken).toBe(token)
      expect(t.ctx.openCore).toHaveBeenCalledWith(expect.objectContaining({ paths: expect.objectContaining({ dataDir }) }), 'poms serve')

      const res = await fetch(`${url}api/v1/session:get`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
      expect(res.status).toBe(200)
      expect(t.fake.core.dispatch).toHaveBeenCalledWith('session:get', {}, { username: 'alice', face: 'web' })

      t.stop()
      expect(await running).toBe(0)
      expect(t.fake.core.close).toHaveBeenCalledOnce()
      await expect(fetch(`${url}api/v1/health`)).rejects.toThrow()
    })

    it('adds the browser hint with --open-hint', async () => {
      const t = testContext(dataDir)
      const running = runCli(['serve', '--open-hint'], t.ctx)
      await vi.waitFor(() => expect(t.out().split('\n')).toHaveLength(3), { timeout: 5000 })
      expect(t.out().split('\n')[1]).toBe('Open that URL in a browser (Chromium, Firefox…).')
      t.stop()
      expect(await running).toBe(0)
    })

    it('accepts a rotated token at once, and refuses the old one', async () => {
      const t = testContext(dataDir)
      const running = runCli(['serve'], t.ctx)
      await vi.waitFor(() => expect(t.out()).toContain('\n'), { timeout: 5000 })
      const url = /at (http:\S+\/)#/.exec(t.out())![1]!
      const old = readOrCreateToken(dataDir)
      const rotate = testContext(dataDir)
      expect(await runCli(['token', '--rotate'], rotate.ctx)).toBe(0)
      const fresh = rotate.out().trim()
      const status = async (token: string) =>
        (await fetch(`${url}api/v1/session:get`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status
      expect(await status(old)).toBe(401)
      expect(await status(fresh)).toBe(200)
      t.stop()
      expect(await running).toBe(0)
    })

    it('prints the core error and exits 1 when the store cannot be opened', async () => {
      const message = 'The store is already open in another process: pid 4242 on host (poms serve, since …).'
      const t = testContext(dataDir, async () => {
        throw new AppError('UNAVAILABLE', message)
      })
      expect(await runCli(['serve'], t.ctx)).toBe(1)
      expect(t.err()).toBe(`${message}\n`)
      expect(t.out()).toBe('')
    })

    it('exits 1 and closes the core when the port is taken', async () => {
      const first = testContext(dataDir)
      const running = runCli(['serve'], first.ctx)
      await vi.waitFor(() => expect(first.out()).toContain('\n'), { timeout: 5000 })
      const port = /127\.0\.0\.1:(\d+)\//.exec(first.out())![1]!

      const second = testContext(join(base, 'other'))
      expect(await runCli(['serve', '--port', port], second.ctx)).toBe(1)
      expect(second.err()).toMatch(/EADDRINUSE|in use/)
      expect(second.fake.core.close).toHaveBeenCalledOnce()

      first.stop()
      expect(await running).toBe(0)
    })
  })
})

describe('the cli.ts entry in a child process', () => {
  const runEntry = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'electron/server/cli.ts'), ...args], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, POMS_DATA_DIR: join(tmpdir(), 'poms-cli-never-written') },
    })

  it('exits 0 for --help and lists serve', () => {
    const run = runEntry(['--help'])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^\s+serve\b/m)
  })

  it('exits 2 for an unknown option, with the error on stderr', () => {
    const run = runEntry(['--no-such-option'])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("unknown option '--no-such-option'")
    expect(run.stdout).toBe('')
  })
})
