import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readOrCreateToken, rotateToken, TOKEN_FILE, tokenFilePath, watchedToken } from '../../electron/server/token-file'

const modeOf = (file: string) => statSync(file).mode & 0o777
const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/

describe('the server token file', () => {
  let dataDir: string
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'poms-token-')), 'data')
  })
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }))

  it('is made on first use as server-token, mode 0600, holding 32 random bytes in base64url', () => {
    const token = readOrCreateToken(dataDir)
    expect(token).toMatch(BASE64URL_32_BYTES)
    const file = join(dataDir, TOKEN_FILE)
    expect(tokenFilePath(dataDir)).toBe(file)
    expect(modeOf(file)).toBe(0o600)
    expect(readFileSync(file, 'utf8').trim()).toBe(token)
    expect(modeOf(dataDir)).toBe(0o700)
  })

  it('persists: later reads give the same token', () => {
    const token = readOrCreateToken(dataDir)
    expect(readOrCreateToken(dataDir)).toBe(token)
    expect(readOrCreateToken(dataDir)).toBe(token)
  })

  it('rotates to a new token that replaces the old one, still mode 0600, leaving no temp files', () => {
    const first = readOrCreateToken(dataDir)
    const second = rotateToken(dataDir)
    expect(second).toMatch(BASE64URL_32_BYTES)
    expect(second).not.toBe(first)
    expect(readOrCreateToken(dataDir)).toBe(second)
    expect(modeOf(tokenFilePath(dataDir))).toBe(0o600)
    expect(readdirSync(dataDir)).toEqual([TOKEN_FILE])
  })

  it('rotates in a data directory that has no token yet', () => {
    const token = rotateToken(dataDir)
    expect(readOrCreateToken(dataDir)).toBe(token)
  })

  it('tightens a token file whose mode was loosened', () => {
    const token = readOrCreateToken(dataDir)
    chmodSync(tokenFilePath(dataDir), 0o644)
    expect(readOrCreateToken(dataDir)).toBe(token)
    expect(modeOf(tokenFilePath(dataDir))).toBe(0o600)
  })

  it('replaces a file that does not hold a token of ours', () => {
    readOrCreateToken(dataDir)
    writeFileSync(tokenFilePath(dataDir), 'password123\n')
    const token = readOrCreateToken(dataDir)
    expect(token).toMatch(BASE64URL_32_BYTES)
    expect(readFileSync(tokenFilePath(dataDir), 'utf8').trim()).toBe(token)
  })

  it('gives a running server the rotated token without a restart, and keeps the last good one if the file vanishes', () => {
    const current = watchedToken(dataDir)
    const first = current()
    expect(first).toBe(readOrCreateToken(dataDir))
    const second = rotateToken(dataDir)
    expect(current()).toBe(second)
    rmSync(tokenFilePath(dataDir))
    expect(current()).toBe(second)
  })
})
