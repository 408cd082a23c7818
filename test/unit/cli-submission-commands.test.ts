import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Submission } from '../../shared/domain/submission'
import type { LaunchPreview } from '../../shared/api/contract'
import { createCore } from '../../electron/core/create-core'
import type { CliContext } from '../../electron/server/commands/cli-context'
import { runCli } from '../../electron/server/commands/program'

let base: string
let dataDir: string
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'poms-cli-submissions-'))
  dataDir = join(base, 'data')
})
afterEach(() => rmSync(base, { recursive: true, force: true }))

/** Runs one `poms` command line in-process against the test data directory, as `poms` would. */
async function poms(...args: string[]) {
  let out = ''
  let err = ''
  const ctx: CliContext = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    env: {},
    logging: { level: 'silent', stderr: false },
    stopRequested: () => new Promise(() => undefined),
    openCore: vi.fn((ports, purpose, options) => createCore(ports, { purpose, pollIntervalMs: 100, ...options })),
  }
  const code = await runCli([...args, '--data-dir', dataDir], ctx)
  return { code, out, err }
}

describe('poms launch / status / logs / kill on the local backend', () => {
  it('--dry-run shows what would run and launches nothing', async () => {
    const { code, out } = await poms('launch', 'sample-campaign/generate', '--dry-run', '--json')
    expect(code).toBe(0)
    const preview = JSON.parse(out) as LaunchPreview
    expect(preview.backend).toBe('local')
    expect(preview.jobCount).toBe(5)
    expect(preview.argv).toContain('--fail-jobs=3')
    const status = await poms('status', '--json')
    expect(JSON.parse(status.out)).toEqual([])
  })

  it('launches a stage by CAMPAIGN/STAGE, follows it to its end (local jobs die with the process) and reports it', async () => {
    const launched = await poms('launch', 'sample-campaign/generate', '--json')
    expect(launched.code).toBe(0)
    const submission = JSON.parse(launched.out) as Submission
    // Followed to its end: its jobs finished and wrap-up located its outputs.
    expect(submission.status).toBe('Located')
    expect(submission.jobCounts).toMatchObject({ total: 5, completed: 4, failed: 1 })

    // A one-shot command launches nothing by itself: generate's dependent (process) waits for the app or a server.
    const list = await poms('status')
    expect(list.out).toMatch(new RegExp(`^${submission.shortId}\\s+Located\\s+sample-campaign/generate\\s+\\(5/5 done, 1 failed\\)`, 'm'))
    expect(list.out.trim().split('\n')).toHaveLength(1)

    const detail = await poms('status', submission.shortId)
    expect(detail.out).toContain('history:')
    expect(detail.out).toMatch(/^\s+3\s+failed\s+exit 3/m)

    const output = await poms('logs', submission.shortId)
    expect(output.out).toContain('== submitted as local:')
    const jobLog = await poms('logs', submission.shortId, '--job', '3')
    expect(jobLog.out).toContain('simulated failure')
  }, 60_000)

  it('refuses to kill a finished submission and names an unknown one', async () => {
    const launched = JSON.parse((await poms('launch', 'sample-campaign/process', '--json')).out) as Submission
    expect(launched.status).toBe('Failed')
    const kill = await poms('kill', launched.shortId)
    expect(kill.code).toBe(1)
    expect(kill.err).toMatch(/nothing left to kill/)
    const unknown = await poms('status', 's-ZZZZZZ')
    expect(unknown.code).toBe(1)
    expect(unknown.err).toMatch(/no submission s-ZZZZZZ/)
  }, 60_000)

  it('names a missing stage with the stages the campaign has', async () => {
    const { code, err } = await poms('launch', 'sample-campaign/reco')
    expect(code).toBe(1)
    expect(err).toMatch(/has no stage named reco \(it has: generate, process\)/)
  })

  it('rejects a job index that is not a number as a usage error', async () => {
    const { code } = await poms('logs', 's-AAAAAA', '--job', 'x')
    expect(code).toBe(2)
  })
})
