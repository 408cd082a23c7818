import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

/*
 * resources/bin: `npm start`'s decisions (is there an Electron binary? build first?) against
 * throw-away project folders with fake node_modules, and start.cjs itself run end to end.
 */

interface Found {
  path?: string
  missing?: string
  fetchable?: boolean
}
interface Plan {
  mode: 'electron' | 'browser'
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  notice?: string
}
type Fetch = (root: string) => { ok: boolean; reason?: string }

const binDir = join(__dirname, '../../resources/bin')
const load = createRequire(__filename)
const { findElectronBinary, fetchElectronBinary } = load(join(binDir, 'electron-binary.cjs')) as {
  findElectronBinary(root: string, opts?: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): Found
  fetchElectronBinary(root: string, timeoutMs?: number): { ok: boolean; reason?: string }
}
const { planStart } = load(join(binDir, 'start-plan.cjs')) as {
  planStart(root: string, opts?: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; args?: string[]; fetch?: Fetch }): Plan
}
const { buildStatus, ensureBuildIn, OUTPUTS } = load(join(binDir, 'ensure-build.cjs')) as {
  buildStatus(root: string): { upToDate: boolean; reason?: string }
  ensureBuildIn(root: string): void
  OUTPUTS: string[]
}

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'poms-start-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function write(relative: string, content = '', mode?: number): string {
  const file = join(root, relative)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, content)
  if (mode !== undefined) chmodSync(file, mode)
  return file
}

/** node_modules/electron as npm leaves it: the package, no binary. */
function fakeElectronPackage({ pathTxt, installer }: { pathTxt?: string; installer?: string } = {}) {
  write('node_modules/electron/package.json', JSON.stringify({ name: 'electron', version: '45.5.0' }))
  if (pathTxt !== undefined) write('node_modules/electron/path.txt', pathTxt)
  if (installer !== undefined) write('node_modules/electron/install.js', installer)
}

const setMtime = (relative: string, seconds: number) => utimesSync(join(root, relative), seconds, seconds)

describe('findElectronBinary', () => {
  it('finds the binary named by path.txt', () => {
    fakeElectronPackage({ pathTxt: 'electron' })
    const binary = write('node_modules/electron/dist/electron', '', 0o755)
    expect(findElectronBinary(root, { env: {}, platform: 'linux' })).toEqual({ path: binary })
  })

  it("knows each platform's executable when path.txt was never written (lazy install)", () => {
    fakeElectronPackage()
    const mac = write('node_modules/electron/dist/Electron.app/Contents/MacOS/Electron')
    expect(findElectronBinary(root, { env: {}, platform: 'darwin' })).toEqual({ path: mac })
    expect(findElectronBinary(root, { env: {}, platform: 'win32' })).toMatchObject({ fetchable: true })
  })

  it('reports a missing binary as fetchable, and a missing package as not', () => {
    expect(findElectronBinary(root, { env: {}, platform: 'linux' })).toEqual({
      missing: 'the electron package is not installed',
      fetchable: false,
    })
    fakeElectronPackage()
    const found = findElectronBinary(root, { env: {}, platform: 'linux' })
    expect(found.path).toBeUndefined()
    expect(found.missing).toMatch(/Electron binary is not installed .*node_modules\/electron\/dist\/electron/)
    expect(found.fetchable).toBe(true)
  })

  it('uses ELECTRON_OVERRIDE_DIST_PATH like electron itself, and never downloads over it', () => {
    fakeElectronPackage()
    const own = write('electron-dist/electron', '', 0o755)
    expect(findElectronBinary(root, { env: { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'electron-dist') }, platform: 'linux' })).toEqual({ path: own })
    const elsewhere = findElectronBinary(root, { env: { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'nowhere') }, platform: 'linux' })
    expect(elsewhere.fetchable).toBe(false)
  })
})

describe('fetchElectronBinary', () => {
  it("runs electron's installer once and reports success", () => {
    fakeElectronPackage({
      installer: `require('fs').mkdirSync('dist', {recursive: true}); require('fs').writeFileSync('dist/electron', ''); require('fs').writeFileSync('path.txt', 'electron')`,
    })
    expect(fetchElectronBinary(root)).toEqual({ ok: true })
    expect(findElectronBinary(root, { env: {}, platform: 'linux' }).path).toBe(join(root, 'node_modules/electron/dist/electron'))
  })

  it("turns the installer's failure into a short reason", () => {
    fakeElectronPackage({
      installer: `console.error('TypeError: fetch failed\\n    at node:internal/deps/undici/undici:14976:13'); process.exit(1)`,
    })
    expect(fetchElectronBinary(root)).toEqual({ ok: false, reason: 'the download failed: TypeError: fetch failed' })
  })

  it('prefers the network cause when the installer names one', () => {
    fakeElectronPackage({ installer: `console.error('RequestError: getaddrinfo ENOTFOUND github.com\\n  at x'); process.exit(1)` })
    expect(fetchElectronBinary(root).reason).toBe('the download failed: getaddrinfo ENOTFOUND github.com')
  })

  it('gives up on an installer that hangs', () => {
    fakeElectronPackage({ installer: `setTimeout(() => {}, 60_000)` })
    const started = Date.now()
    expect(fetchElectronBinary(root, 500)).toEqual({ ok: false, reason: 'the download did not finish within 1 s' })
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('planStart', () => {
  it('starts Electron on the app root when the binary is there, without ELECTRON_RUN_AS_NODE', () => {
    fakeElectronPackage({ pathTxt: 'electron' })
    const binary = write('node_modules/electron/dist/electron', '', 0o755)
    const fetch = vi.fn<Fetch>()
    const plan = planStart(root, { env: { HOME: '/home/a', ELECTRON_RUN_AS_NODE: '1' }, platform: 'linux', args: ['--trace-warnings'], fetch })
    expect(plan).toEqual({ mode: 'electron', command: binary, args: ['.', '--trace-warnings'], env: { HOME: '/home/a' } })
    expect(plan.notice).toBeUndefined()
    expect(fetch).not.toHaveBeenCalled()
  })

  it('tries one download, and starts Electron when it worked', () => {
    fakeElectronPackage()
    const fetch = vi.fn<Fetch>(() => {
      write('node_modules/electron/dist/electron', '', 0o755)
      return { ok: true }
    })
    const plan = planStart(root, { env: {}, platform: 'linux', fetch })
    expect(fetch).toHaveBeenCalledExactlyOnceWith(root)
    expect(plan.mode).toBe('electron')
  })

  it('falls back to exactly `npm run web`, announced in one line with the reason', () => {
    fakeElectronPackage()
    const fetch = vi.fn<Fetch>(() => ({ ok: false, reason: 'the download failed: getaddrinfo ENOTFOUND github.com' }))
    const plan = planStart(root, { env: { HOME: '/home/a' }, platform: 'linux', args: ['--ignored'], fetch })
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(plan).toEqual({
      mode: 'browser',
      command: process.execPath,
      args: [join(root, 'resources/bin/poms.cjs'), 'serve', '--open-hint'],
      env: { HOME: '/home/a' },
      notice: 'Electron is not available here (the download failed: getaddrinfo ENOTFOUND github.com); starting browser mode instead.',
    })
    expect(plan.notice?.split('\n')).toHaveLength(1)
  })

  it('runs the same command line as the package.json "web" script', () => {
    const scripts = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).scripts as Record<string, string>
    const plan = planStart(root, { env: {}, platform: 'linux', fetch: () => ({ ok: false, reason: 'x' }) })
    const asScript = ['node', ...plan.args.map((arg) => arg.replace(`${root}/`, ''))].join(' ')
    expect(asScript).toBe(scripts.web)
  })

  it('does not download when ELECTRON_SKIP_BINARY_DOWNLOAD is set, or when electron is not installed at all', () => {
    fakeElectronPackage()
    const fetch = vi.fn<Fetch>()
    const skipped = planStart(root, { env: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, platform: 'linux', fetch })
    expect(skipped.mode).toBe('browser')
    expect(skipped.notice).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD is set\); starting browser mode instead\.$/)

    rmSync(join(root, 'node_modules'), { recursive: true })
    const absent = planStart(root, { env: {}, platform: 'linux', fetch })
    expect(absent.notice).toBe('Electron is not available here (the electron package is not installed); starting browser mode instead.')
    expect(fetch).not.toHaveBeenCalled()
  })
})

describe('ensure-build', () => {
  const SOURCE = 'electron/main/index.ts'

  /** A complete, fresh build: sources at t=1000 s, outputs at t=2000 s. */
  function builtProject() {
    write(SOURCE, 'export {}')
    write('package.json', '{}')
    setMtime(SOURCE, 1000)
    setMtime('package.json', 1000)
    for (const output of OUTPUTS) {
      write(output, '// built')
      setMtime(output, 2000)
    }
  }

  /** A stand-in electron-vite that records how it was run and writes the outputs (or fails). */
  function fakeElectronVite(exitCode = 0) {
    write(
      'node_modules/electron-vite/bin/electron-vite.js',
      `const fs = require('fs'), path = require('path')
       fs.writeFileSync('ran.json', JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd() }))
       console.log('vite output on stdout')
       if (${exitCode}) process.exit(${exitCode})
       for (const f of ${JSON.stringify(OUTPUTS)}) { fs.mkdirSync(path.dirname(f), { recursive: true }); fs.writeFileSync(f, '// built') }`,
    )
  }

  it('names the first missing output', () => {
    expect(buildStatus(root)).toEqual({ upToDate: false, reason: 'out/main/index.js is missing' })
    builtProject()
    rmSync(join(root, 'out/preload/index.js'))
    expect(buildStatus(root)).toEqual({ upToDate: false, reason: 'out/preload/index.js is missing' })
  })

  it('is up to date when every output is newer than every source', () => {
    builtProject()
    expect(buildStatus(root)).toEqual({ upToDate: true })
  })

  it.each(['electron/main/index.ts', 'renderer/src/views/NewView.vue', 'shared/api/channels.ts', 'electron.vite.config.ts', 'package.json'])(
    'is stale when %s is newer than the oldest output',
    (source) => {
      builtProject()
      write(source, 'changed')
      setMtime(source, 1500)
      setMtime('out/renderer/index.html', 1200) // the oldest output
      expect(buildStatus(root)).toEqual({ upToDate: false, reason: `${source} changed` })
    },
  )

  it('does not run the build when nothing changed', () => {
    builtProject()
    fakeElectronVite()
    ensureBuildIn(root)
    expect(existsSync(join(root, 'ran.json'))).toBe(false)
  })

  it('runs `electron-vite build` in the project, with this Node, when needed', () => {
    write(SOURCE, 'export {}')
    fakeElectronVite()
    ensureBuildIn(root)
    const ran = JSON.parse(readFileSync(join(root, 'ran.json'), 'utf8'))
    expect(ran).toEqual({ args: ['build'], cwd: root })
    expect(buildStatus(root)).toEqual({ upToDate: true })
  })

  it('throws when the build fails', () => {
    fakeElectronVite(3)
    expect(() => ensureBuildIn(root)).toThrow('electron-vite build ended with exit code 3')
  })

  it('throws with a hint when electron-vite is not installed', () => {
    expect(() => ensureBuildIn(root)).toThrow(/out\/main\/index\.js is missing, and electron-vite is not installed .*npm ci/)
  })

  it("keeps the build's chatter off stdout (so `poms … --json` stays parseable)", () => {
    fakeElectronVite()
    const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(binDir, 'ensure-build.cjs'))}).ensureBuildIn(${JSON.stringify(root)})`], {
      encoding: 'utf8',
    })
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('vite output on stdout')
    expect(run.stderr).toContain('Building POMS Desktop (out/main/index.js is missing)')
  })
})

describe('start.cjs, end to end in a throw-away project', () => {
  /** A project with a fresh build, the real bin scripts and a fake poms.cjs that reports how it ran. */
  function project(pomsBody: string) {
    for (const script of ['start.cjs', 'ensure-build.cjs', 'start-plan.cjs', 'electron-binary.cjs']) {
      mkdirSync(join(root, 'resources/bin'), { recursive: true })
      copyFileSync(join(binDir, script), join(root, 'resources/bin', script))
    }
    write('resources/bin/poms.cjs', pomsBody)
    for (const output of OUTPUTS) write(output, '// built')
  }
  const npmStart = (env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [join(root, 'resources/bin/start.cjs')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
      timeout: 20_000,
    })

  it('without Electron: one line, then browser mode, and its exit code', () => {
    project(`console.log('poms ' + process.argv.slice(2).join(' ')); process.exit(7)`)
    fakeElectronPackage({ installer: `console.error('TypeError: fetch failed'); process.exit(1)` })
    const run = npmStart()
    expect(run.stdout).toBe(
      'Electron is not available here (the download failed: TypeError: fetch failed); starting browser mode instead.\npoms serve --open-hint\n',
    )
    expect(run.status).toBe(7)
  })

  it("ends the way browser mode ended when it was killed by a signal", () => {
    project(`process.kill(process.pid, 'SIGTERM')`)
    const run = npmStart()
    expect(run.signal).toBe('SIGTERM')
  })

  it('with Electron: runs the binary on the app root and passes its exit code on', () => {
    project(`process.exit(99)`)
    fakeElectronPackage({ pathTxt: 'electron' })
    write(
      'node_modules/electron/dist/electron',
      `#!${process.execPath}\nconsole.log('electron ' + process.argv.slice(2).join(' ') + ' in ' + process.cwd() + ' run-as-node=' + (process.env.ELECTRON_RUN_AS_NODE ?? 'unset')); process.exit(4)\n`,
      0o755,
    )
    const run = npmStart({ ELECTRON_RUN_AS_NODE: '1' })
    expect(run.stdout).toBe(`electron . in ${root} run-as-node=unset\n`)
    expect(run.status).toBe(4)
  })

  it('stops with a clear message when the build fails', () => {
    project(`process.exit(0)`)
    rmSync(join(root, 'out/main/cli.js'))
    const run = npmStart()
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^npm start: the build failed: out\/main\/cli\.js is missing, and electron-vite is not installed/)
  })
})
