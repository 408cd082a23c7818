import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

/*
 * electron-builder cannot run here (it needs the network), so its configuration is checked the way
 * electron-builder itself checks it first: parsed with its YAML parser and validated against its
 * own JSON schema. Then the keys that matter for security and for the native module are asserted.
 */

const projectRoot = join(__dirname, '../..')
const load = createRequire(__filename)
const yaml = load('js-yaml') as { load(text: string): unknown }
const { validateSchema } = load('app-builder-lib/out/util/config/schemaValidator') as {
  validateSchema(schema: unknown, data: unknown, options?: { name?: string }): void
}
const schema = load('app-builder-lib/scheme.json') as unknown

/** The parts of the configuration these tests read. */
interface BuilderConfig {
  appId: string
  productName: string
  directories: unknown
  files: string[]
  extraResources: unknown[]
  asar?: boolean
  asarUnpack: string[]
  npmRebuild: boolean
  electronFuses: Record<string, boolean>
  linux: { target: string[]; category: string }
  mac: { target: string[] }
  win: { target: string[] }
}

const config = yaml.load(readFileSync(join(projectRoot, 'electron-builder.yml'), 'utf8')) as BuilderConfig

describe('electron-builder.yml', () => {
  it("is valid for electron-builder's own schema", () => {
    expect(() => validateSchema(schema, config, { name: 'electron-builder' })).not.toThrow()
  })

  it('would be caught by that schema check if a key were misspelt', () => {
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }
    expect(() => validateSchema(schema, broken, { name: 'electron-builder' })).toThrow(/electronFuses/)
  })

  it('names the app', () => {
    expect(config.productName).toBe('POMS Desktop')
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/)
  })

  it('flips the security fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
    })
  })

  it('packs the build into an asar with the native binding unpacked, and rebuilds it for Electron at pack time', () => {
    expect(config.asar).not.toBe(false)
    expect(config.asarUnpack).toContain('**/*.node')
    expect(config.npmRebuild).toBe(true)
  })

  it('ships only the build and package.json, without source maps or tests', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**/*', 'package.json', '!**/*.map']))
    expect(config.files.some((pattern) => /^!.*test/.test(pattern))).toBe(true)
    expect(config.files.some((pattern) => /^(electron|renderer|shared|test)\//.test(pattern))).toBe(false)
  })

  it('ships the sample job scripts as real files, where the desktop looks for them (resourcesDir/samples)', () => {
    expect(config.extraResources).toContainEqual({ from: 'resources/samples', to: 'samples' })
  })

  it('builds AppImage and deb for Linux, dmg for macOS, NSIS for Windows', () => {
    expect(config.directories).toEqual({ buildResources: 'resources/build', output: 'dist' })
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.linux.category).toBe('Science')
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target).toEqual(['nsis'])
  })
})

describe('app icon (resources/build/icon.png)', () => {
  it('is a valid 512x512 RGBA PNG whose pixels decode', () => {
    const png = readFileSync(join(projectRoot, 'resources/build/icon.png'))
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    const chunks: { type: string; data: Buffer }[] = []
    for (let at = 8; at < png.length; ) {
      const length = png.readUInt32BE(at)
      chunks.push({ type: png.toString('ascii', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) })
      at += 12 + length
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND'])
    const header = chunks[0]!.data
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([512, 512, 8, 6])
    const pixels = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)))
    expect(pixels.length).toBe(512 * (1 + 512 * 4))
  })
})
