import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../electron/core/ports'
import { FileSecretStore } from '../../electron/core/secrets/file-secret-store'
import { appRoot, appVersion, findAppPackage, rendererDir, resourcesDir } from '../../electron/core/app-package'
import { createNodePorts } from '../../electron/server/node-ports'

const REPO = resolve(__dirname, '../..')

describe('the app root', () => {
  let base: string
  beforeEach(() => (base = mkdtempSync(join(tmpdir(), 'poms-root-'))))
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  it('is this repository when running from the TS sources', () => {
    expect(appRoot()).toBe(REPO)
    expect(appVersion()).toBe((JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version)
    expect(resourcesDir()).toBe(join(REPO, 'resources'))
    expect(rendererDir()).toBe(join(REPO, 'out', 'renderer'))
  })

  it('is found from a built file deep below it, passing other packages by', () => {
    writeFileSync(join(base, 'package.json'), JSON.stringify({ name: 'poms-desktop', version: '3.2.1' }))
    const chunks = join(base, 'out', 'main', 'chunks')
    mkdirSync(chunks, { recursive: true })
    writeFileSync(join(base, 'out', 'package.json'), JSON.stringify({ name: 'something-else' }))
    expect(findAppPackage(chunks)).toEqual({ dir: base, version: '3.2.1' })
  })

  it('says where it looked when there is none', () => {
    expect(() => findAppPackage(base)).toThrow(/Cannot find the poms-desktop package.json/)
  })
})

describe('createNodePorts', () => {
  it('gives the core the data directory, the app resources, a file secret store and the system clock', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'poms-ports-')), 'data')
    try {
      const ports = createNodePorts({ dataDir, logLevel: 'silent' })
      expect(ports.paths).toEqual({ dataDir, resourcesDir: join(REPO, 'resources') })
      expect(ports.secrets).toBeInstanceOf(FileSecretStore)
      await ports.secrets.set('x', 'y')
      expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain('"x": "y"')
      expect(ports.clock).toBe(systemClock)
      expect(typeof ports.logger.child('t').info).toBe('function')
    } finally {
      rmSync(join(dataDir, '..'), { recursive: true, force: true })
    }
  })
})
