import { randomBytes } from 'node:crypto'
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TokenSource } from './http/bearer-token'

/** The server token lives here until rotated (architecture.md §2); only its owner may read it. */
export const TOKEN_FILE = 'server-token'
const FILE_MODE = 0o600

export const tokenFilePath = (dataDir: string): string => join(dataDir, TOKEN_FILE)

const newToken = (): string => randomBytes(32).toString('base64url')
/** 32 random bytes in base64url; anything else in the file is not a token we made. */
const isWellFormed = (token: string): boolean => /^[A-Za-z0-9_-]{43}$/.test(token)

/** Writes the token to a private temp file; the caller moves it into place atomically. */
function writeTemp(dataDir: string, token: string): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const temp = join(dataDir, `.${TOKEN_FILE}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  writeFileSync(temp, `${token}\n`, { mode: FILE_MODE, flag: 'wx' })
  return temp
}

function readToken(file: string): string | null {
  try {
    const token = readFileSync(file, 'utf8').trim()
    return isWellFormed(token) ? token : null
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/** A new token replaces the old one at once: readers see either the old file or the new, never half. */
export function rotateToken(dataDir: string): string {
  const token = newToken()
  renameSync(writeTemp(dataDir, token), tokenFilePath(dataDir))
  return token
}

/**
 * The data directory's token, made on first use. Two processes starting at once agree on one token:
 * the file is created with link(), which fails if another process got there first.
 */
export function readOrCreateToken(dataDir: string): string {
  const file = tokenFilePath(dataDir)
  const existing = readToken(file)
  if (existing !== null) {
    // A copy or an editor may have loosened the mode; the token is only as safe as the file.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, FILE_MODE)
    return existing
  }
  const token = newToken()
  const temp = writeTemp(dataDir, token)
  try {
    linkSync(temp, file)
    return token
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    // Another process made one meanwhile (use it), or the file holds something that is not a token (replace it).
    return readToken(file) ?? rotateToken(dataDir)
  } finally {
    unlinkSync(temp)
  }
}

/**
 * The current token for a running server: re-read when the file changes, so `poms token --rotate`
 * locks out the old token without a restart. A missing or broken file keeps the last good token.
 */
export function watchedToken(dataDir: string): TokenSource {
  const file = tokenFilePath(dataDir)
  let current = readOrCreateToken(dataDir)
  let seen = ''
  return () => {
    try {
      const stat = statSync(file)
      const signature = `${stat.ino}:${stat.mtimeMs}:${stat.size}`
      if (signature !== seen) {
        current = readToken(file) ?? current
        seen = signature
      }
    } catch {
      /* keep the last good token */
    }
    return current
  }
}
