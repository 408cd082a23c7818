import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ImportResult } from '../../shared/campaign-file/import-report'
import { createCore } from '../../electron/core/create-core'
import type { CliContext } from '../../electron/server/commands/cli-context'
import { runCli } from '../../electron/server/commands/program'
import { SERVER_FILE } from '../../electron/server/commands/running-server'
import { miniCampaignIni, openTestStore } from '../helpers/core-harness'

/** A CliContext over a real core (opened per command, as `poms` does), recording what it prints. */
function cli() {
  let out = ''
  let err = ''
  let requestStop: (signal: string) => void = () => undefined
  const stopped = new Promise<string>((resolve) => (requestStop = resolve))
  const ctx: CliContext = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    env: {},
    logging: { level: 'silent', stderr: false },
    stopRequested: () => stopped,
    openCore: vi.fn((ports, purpose, options) => createCore(ports, { purpose, pollIntervalMs: 200, ...options })),
  }
  return { ctx, out: () => out, err: () => err, stop: () => requestStop('SIGTERM') }
}

let base: string
let dataDir: string
let files: string
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'poms-cli-campaign-'))
  dataDir = join(base, 'data')
  files = join(base, 'files')
  mkdirSync(files)
})
afterEach(() => rmSync(base, { recursive: true, force: true }))

const file = (name: string, text: string): string => {
  const path = join(files, name)
  writeFileSync(path, text)
  return path
}

/** Runs one `poms` command line against the test data directory. */
async function poms(...args: string[]) {
  const t = cli()
  const code = await runCli([...args, '--data-dir', dataDir], t.ctx)
  return { code, out: t.out(), err: t.err(), ctx: t.ctx }
}

describe('poms import', () => {
  it('--json prints one object per file with the report fields, exit 1 when one is refused', async () => {
    const good = file('mini.ini', miniCampaignIni())
    const bad = file('broken.ini', miniCampaignIni({ name: 'broken', recoLogin: 'nowhere_login' }))
    const { code, out, err } = await poms('import', '--json', good, bad)
    expect(code).toBe(1)
    expect(err).toBe('1 of 2 files was refused\n')
    const results = JSON.parse(out) as ImportResult[]
    expect(results).toHaveLength(2)
    expect(results[0]).toMatchObject({
      file: good,
      accepted: true,
      campaign: 'mini',
      stages: ['gen', 'reco'],
      dependencies: ['gen → reco'],
      created: { campaigns: ['mini'], jobTypes: ['mini_jt'], loginSetups: ['mini_login'], stages: ['gen', 'reco'], dependencies: ['gen → reco'] },
      warnings: [],
      errors: [],
    })
    expect(results[0]!.campaignId).toMatch(/^[0-9a-f-]{36}$/)
    expect(results[1]).toMatchObject({
      file: bad,
      accepted: false,
      campaign: 'broken',
      errors: [{ code: 'MISSING_LOGIN_SETUP', line: 27, column: 15, message: 'login setup nowhere_login is neither defined in the file nor in experiment demo' }],
      warnings: [expect.objectContaining({ code: 'undefined-login-setup', line: 27 })],
    })
  })

  it('prints one line per file and the warnings with file:line, exit 0 when all are accepted', async () => {
    const a = file('a.ini', miniCampaignIni({ name: 'a' }))
    const b = file('b.ini', miniCampaignIni({ name: 'b', recoLogin: 'local' }))
    const { code, out, err } = await poms('import', a, b)
    expect(err).toBe('')
    expect(code).toBe(0)
    expect(out.split('\n')).toEqual([
      `✓ ${a}: imported campaign a (2 stages, 1 dependency; created campaign a, job type mini_jt, login setup mini_login, 2 stages, 1 dependency)`,
      `✓ ${b}: imported campaign b (2 stages, 1 dependency; created campaign b, 2 stages, 1 dependency; reused job type mini_jt, login setup mini_login, login setup local)`,
      `${b}:27:15: warning: login setup "local" is not defined in this file; it must already exist in the experiment (or the shared samdev ones)`,
      '',
    ])
  })

  it('shows a refused file as file:line:column: error', async () => {
    const bad = file('bad.ini', miniCampaignIni({ recoLogin: 'nowhere_login' }))
    const { code, out } = await poms('import', bad)
    expect(code).toBe(1)
    expect(out.split('\n')[0]).toBe(`✗ ${bad}:27:15: login setup nowhere_login is neither defined in the file nor in experiment demo`)
  })

  it('--dry-run reports what would happen and writes nothing', async () => {
    const mini = file('mini.ini', miniCampaignIni())
    const dry = await poms('import', '--dry-run', '--json', mini)
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.out)).toEqual([expect.objectContaining({ accepted: true, dryRun: true, campaignId: null, created: expect.objectContaining({ campaigns: ['mini'] }) })])
    const human = await poms('import', '--dry-run', mini)
    expect(human.out).toMatch(/^✓ .*mini\.ini: would import campaign mini \(2 stages, 1 dependency; would create campaign mini,/)
    // Still not there: a real import creates it.
    const real = await poms('import', '--json', mini)
    expect((JSON.parse(real.out) as ImportResult[])[0]!.created.campaigns).toEqual(['mini'])
  })

  it('reports unreadable files as refused without stopping the others', async () => {
    const mini = file('mini.ini', miniCampaignIni())
    const latin1 = join(files, 'latin1.ini')
    writeFileSync(latin1, Buffer.from([0x5b, 0x63, 0x5d, 0x0a, 0xe9, 0x0a]))
    const { code, out } = await poms('import', '--json', join(files, 'missing.ini'), latin1, mini)
    expect(code).toBe(1)
    const results = JSON.parse(out) as ImportResult[]
    expect(results.map((r) => [r.accepted, r.errors[0]?.message ?? null])).toEqual([
      [false, 'no such file'],
      [false, 'not UTF-8 text; POMS reads campaign files as UTF-8'],
      [true, null],
    ])
  })

  it('refuses usage errors with exit 2, opening nothing', async () => {
    for (const args of [['import'], ['import', 'x.ini', '--role', 'king'], ['validate'], ['export'], ['export', 'c', '--revision', 'zero']]) {
      const { code, ctx } = await poms(...args)
      expect(code, args.join(' ')).toBe(2)
      expect(ctx.openCore).not.toHaveBeenCalled()
    }
  })

  it('acts in the role given with --role, and names an experiment the user is not in', async () => {
    const mini = file('mini.ini', miniCampaignIni())
    expect((await poms('import', mini, '--role', 'production-shifter')).out).toContain('a production shifter may not create a campaign')
    const other = await poms('import', mini, '--experiment', 'nova')
    expect(other.code).toBe(1)
    expect(other.err).toContain('experiment nova does not exist')
  })
})

describe('poms validate', () => {
  it('answers 0 for a valid file and 1 for an invalid one, and writes nothing', async () => {
    const good = file('good.ini', miniCampaignIni())
    const valid = await poms('validate', good)
    expect(valid.code).toBe(0)
    expect(valid.out).toBe(`✓ ${good}: valid (campaign mini, 2 stages, 1 dependency)\n`)

    const bad = file('bad.ini', '[campaign]\nname = x\n\n[campaign_stage s\n')
    const invalid = await poms('validate', bad, good)
    expect(invalid.code).toBe(1)
    expect(invalid.out.split('\n')[0]).toMatch(new RegExp(`^✗ ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4(:\\d+)?: `))
    expect(invalid.err).toBe('1 of 2 files was not valid\n')

    // Nothing was imported: a real import still creates the campaign.
    const real = await poms('import', '--json', good)
    expect((JSON.parse(real.out) as ImportResult[])[0]!.created.campaigns).toEqual(['mini'])
  })

  it('--json gives the same objects as import --dry-run', async () => {
    const good = file('good.ini', miniCampaignIni({ recoLogin: 'local' }))
    const validate = JSON.parse((await poms('validate', '--json', good)).out) as ImportResult[]
    const dry = JSON.parse((await poms('import', '--dry-run', '--json', good)).out) as ImportResult[]
    expect(validate).toEqual(dry)
    expect(validate[0]!.warnings).toEqual([expect.objectContaining({ line: 27, column: 15, code: 'undefined-login-setup' })])
  })
})

describe('poms export', () => {
  it('exports by name to a file, which imports back unchanged (a round trip through the CLI)', async () => {
    await poms('import', file('mini.ini', miniCampaignIni()))
    const target = join(base, 'exported.ini')
    const exported = await poms('export', 'mini', '-o', target)
    expect(exported.code).toBe(0)
    expect(exported.out).toBe(`exported campaign mini to ${target}\n`)
    const text = readFileSync(target, 'utf8')
    expect(text).toMatch(/^\[campaign\]$/m)
    expect(text).toMatch(/^name = mini$/m)

    const again = JSON.parse((await poms('import', '--json', target)).out) as ImportResult[]
    expect(again[0]).toMatchObject({
      accepted: true,
      created: { campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] },
      reused: { campaigns: ['mini'], stages: ['gen', 'reco'], dependencies: ['gen → reco'] },
      warnings: [],
    })
    // Exporting again gives the same file: nothing changed.
    expect((await poms('export', 'mini')).out).toBe(text)
  })

  it('finds a campaign by short id, writes into a directory as <name>.ini, and exports a revision', async () => {
    const imported = JSON.parse((await poms('import', '--json', file('mini.ini', miniCampaignIni()))).out) as ImportResult[]
    await poms('import', file('mini2.ini', miniCampaignIni({ extraStage: true })))
    const campaignId = imported[0]!.campaignId!
    const store = openTestStore({ dataDir })
    const shortId = store.db.prepare('SELECT short_id FROM campaigns WHERE id = ?').pluck().get(campaignId) as string
    store.close()
    const outDir = join(base, 'out')
    mkdirSync(outDir)
    expect((await poms('export', shortId, '-o', outDir)).code).toBe(0)
    expect(readFileSync(join(outDir, 'mini.ini'), 'utf8')).toContain('[campaign_stage ana]')
    const first = await poms('export', campaignId, '--revision', '1')
    expect(first.out).toContain('[campaign_stage reco]')
    expect(first.out).not.toContain('[campaign_stage ana]')
  })

  it('says so when there is no such campaign (exit 1)', async () => {
    const { code, err } = await poms('export', 'nope')
    expect(code).toBe(1)
    expect(err).toBe('no campaign named nope (or with that id) in demo\n')
  })
})

describe('with a running server', () => {
  it('--server sends the calls to a real poms serve; without it, the CLI finds the server by itself', async () => {
    const server = cli()
    const serving = runCli(['serve', '--data-dir', dataDir], server.ctx)
    await vi.waitFor(() => expect(server.out()).toContain('\n'), { timeout: 10_000 })
    const url = /at (http:\S+\/)#token=/.exec(server.out())![1]!
    expect(JSON.parse(readFileSync(join(dataDir, SERVER_FILE), 'utf8'))).toMatchObject({ url, pid: process.pid })

    try {
      const mini = file('mini.ini', miniCampaignIni())
      const viaServer = await poms('import', '--json', '--server', url, mini)
      expect(viaServer.err).toBe('')
      expect(viaServer.code).toBe(0)
      expect((JSON.parse(viaServer.out) as ImportResult[])[0]).toMatchObject({ accepted: true, campaign: 'mini' })
      // The command never opened the store itself: the server holds it.
      expect(viaServer.ctx.openCore).not.toHaveBeenCalled()

      const found = await poms('export', 'mini')
      expect(found.err).toBe(`using the server that serves ${dataDir} at ${url} (pid ${process.pid})\n`)
      expect(found.out).toMatch(/^name = mini$/m)
      expect(found.ctx.openCore).not.toHaveBeenCalled()

      const wrongToken = await poms('validate', '--server', `${url}#token=${'x'.repeat(43)}`, mini)
      expect(wrongToken.code).toBe(1)
    } finally {
      server.stop()
      expect(await serving).toBe(0)
    }
    expect(existsSync(join(dataDir, SERVER_FILE))).toBe(false)
    // The server recorded the import (face "web": the HTTP face) — and with it stopped, the CLI opens the store itself.
    const after = await poms('export', 'mini')
    expect(after.code).toBe(0)
    expect(after.ctx.openCore).toHaveBeenCalledOnce()
  })

  it('a store held by another process that serves nothing: exit 1, saying who holds it and to use --server', async () => {
    const holder = openTestStore({ dataDir, purpose: 'POMS Desktop (desktop app)' })
    try {
      const { code, err } = await poms('import', file('mini.ini', miniCampaignIni()))
      expect(code).toBe(1)
      expect(err).toContain(`The store is already open in another process: pid ${process.pid}`)
      expect(err).toContain('POMS Desktop (desktop app)')
      expect(err).toContain('run this command against it with --server URL')
    } finally {
      holder.close()
    }
  })
})
