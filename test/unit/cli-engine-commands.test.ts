import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { RecoveryPreview, Schedule, SplitPreview } from '../../shared/api/contract'
import type { Submission } from '../../shared/domain/submission'
import { createCore } from '../../electron/core/create-core'
import type { CliContext } from '../../electron/server/commands/cli-context'
import { runCli } from '../../electron/server/commands/program'
import { testPorts } from '../helpers/core-harness'

let base: string
let dataDir: string

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

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'poms-cli-engine-'))
  dataDir = join(base, 'data')
  // The sample campaign, with process split in slices of 8 of its 20 files.
  const core = await createCore(testPorts(dataDir), { purpose: 'setup', automaticLaunches: false })
  const process = core.deps.repos.stages.list('demo', { conditions: [{ sql: 'name = ?', params: ['process'] }], sort: { column: 'name', direction: 'asc' }, cursor: null, limit: 1 }).items[0]!
  core.deps.repos.stages.update('demo', process.id, process.rev, { splitType: 'nfiles(8)' }, core.localUsername, Date.now())
  await core.close()
})
afterAll(() => rmSync(base, { recursive: true, force: true }))

const sample = (i: number) => join(dataDir, 'sample-data', `run0001_subrun${String(i).padStart(3, '0')}.dat`)

describe('poms split preview', () => {
  it('lists the next launches with their first files, and where the split ends; nothing moves', async () => {
    const { code, out } = await poms('split', 'preview', 'sample-campaign/process', '-n', '5', '--files', '2')
    expect(code).toBe(0)
    const glob = join(dataDir, 'sample-data', '*.dat')
    const lines = out.split('\n')
    expect(lines[0]).toMatch(/^process \(t-[0-9A-Z]{6}\): split nfiles\(8\), cursor at the start; nothing was launched or moved$/)
    expect(lines.slice(1, 10)).toEqual([
      `   1. ${glob}_slice0_files8  8 files  cursor → 1`,
      expect.stringMatching(/^ {8}\S/),
      `        ${sample(0)}, ${sample(1)}, …`,
      `   2. ${glob}_slice1_files8  8 files  cursor → 2`,
      expect.stringMatching(/^ {8}\S/),
      `        ${sample(8)}, ${sample(9)}, …`,
      `   3. ${glob}_slice2_files8  4 files  cursor → 3`,
      expect.stringMatching(/^ {8}\S/),
      `        ${sample(16)}, ${sample(17)}, …`,
    ])
    expect(out).toContain('note: the split is exhausted after 3 more launches; the next one fails with "No more splits in this campaign."')
    const json = JSON.parse((await poms('split', 'preview', 'sample-campaign/process', '--json')).out) as SplitPreview
    expect(json).toMatchObject({ splitType: 'nfiles(8)', cursor: null, exhaustedAfter: 3 })
    expect(json.slices.map((s) => s.fileCount)).toEqual([8, 8, 4])
  })

  it('rejects a count that is not a whole number as a usage error', async () => {
    expect((await poms('split', 'preview', 'sample-campaign/process', '-n', 'lots')).code).toBe(2)
  })
})

describe('poms schedule', () => {
  it('sets a schedule in a zone, lists it with its next runs, and removes it', async () => {
    const set = await poms('schedule', 'sample-campaign/generate', '30 2 * * 1-5', '--timezone', 'America/Chicago')
    expect(set.code).toBe(0)
    expect(set.out).toMatch(/^generate: "30 2 \* \* 1-5" in America\/Chicago, launching as \S+; removed when the split is exhausted\n {2}next runs:\n( {4}\d{4}-\d\d-\d\dT(07|08):30:00\.000Z\n){5}/)
    expect(set.out).toContain('runs missed while neither does are not made up')
    const listed = JSON.parse((await poms('schedule', '--list', '--json')).out) as Schedule[]
    expect(listed).toHaveLength(1)
    expect(listed[0]).toMatchObject({ stageName: 'generate', cron: '30 2 * * 1-5', timezone: 'America/Chicago', lastRunAt: null })
    expect(listed[0]!.nextRuns).toHaveLength(5)
    for (const t of listed[0]!.nextRuns) expect([1, 2, 3, 4, 5]).toContain(new Date(t - 6 * 3600_000).getUTCDay())
    const removed = await poms('schedule', 'sample-campaign/generate', '--delete')
    expect(removed.out).toBe('removed the schedule of generate\n')
    expect((await poms('schedule', '--list')).out).toBe('no schedules\n')
  })

  it('refuses a bad expression or zone with the reason, and a missing stage or expression as usage', async () => {
    const bad = await poms('schedule', 'sample-campaign/generate', '* * *')
    expect(bad.code).toBe(1)
    expect(bad.err).toMatch(/is not a five-field cron expression/)
    const zone = await poms('schedule', 'sample-campaign/generate', '0 1 * * *', '--timezone', 'Mars/Olympus')
    expect(zone.err).toMatch(/"Mars\/Olympus" is not an IANA time zone/)
    expect((await poms('schedule')).code).toBe(2)
    expect((await poms('schedule', 'sample-campaign/generate')).code).toBe(2)
  })
})

describe('poms recover', () => {
  let generate: Submission

  beforeAll(async () => {
    generate = JSON.parse((await poms('launch', 'sample-campaign/generate', '--json')).out) as Submission
  }, 60_000)

  it('--preview lists the files a recovery would take and why, and launches nothing', async () => {
    expect(generate).toMatchObject({ status: 'Located', jobCounts: { total: 5, failed: 1 } })
    const preview = await poms('recover', generate.shortId, '--type', 'consumed_status', '--preview')
    expect(preview.code).toBe(0)
    const lines = preview.out.trim().split('\n')
    expect(lines[0]).toMatch(/^consumed_status \(chosen type\): 4 files to recover as \S+; nothing was launched$/)
    expect(lines[1]).toMatch(/^why: /)
    // Job 3 of 5 failed: its share of the 20 files, 12 to 15.
    expect(lines.slice(2)).toEqual([12, 13, 14, 15].map((i) => `  ${sample(i)}`))
    const plan = JSON.parse((await poms('recover', generate.shortId, '--preview', '--json')).out) as RecoveryPreview
    expect(plan).toMatchObject({ type: 'added_files', position: 0, count: 0, files: [] })
    const status = JSON.parse((await poms('status', '--json')).out) as Submission[]
    expect(status).toHaveLength(1)
  })

  it('launches a recovery of the chosen type, follows it, and refuses one with nothing to recover', async () => {
    const { code, out } = await poms('recover', generate.shortId, '--type', 'consumed_status')
    expect(code).toBe(0)
    expect(out).toMatch(/^== POMS Desktop launch of submission s-/)
    expect(out).toContain('dataset: ')
    expect(out).toMatch(/4 files; 5 jobs\n/)
    expect(out.trim().split('\n').at(-1)).toMatch(/^s-[0-9A-Z]{6}\s+Located\s+sample-campaign\/generate\s+\(5\/5 done, 1 failed\)$/)
    const refused = await poms('recover', generate.shortId, '--type', 'added_files')
    expect(refused.code).toBe(1)
    expect(refused.err).toMatch(/^No recovery needed, launch skipped: /)
    expect((await poms('recover', generate.shortId, '--type', 'bogus')).code).toBe(2)
  }, 60_000)
})
