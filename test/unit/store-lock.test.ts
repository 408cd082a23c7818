import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { LOCK_FILE, type Store } from '../../electron/core/store/open-store'
import { acquireStoreLock, type LockHolder } from '../../electron/core/store/store-lock'
import { deadPid, isProcessAlive, openTestStore, sleepingChild, tempDataDir } from '../helpers/core-harness'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn()
})

function freshDir(): string {
  const dir = tempDataDir('poms-lock-')
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
function open(dir: string, purpose = 'vitest'): Store {
  const store = openTestStore({ dataDir: dir, purpose })
  cleanups.push(() => store.close())
  return store
}
function refusal(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the open to be refused')
}
const writeLock = (dir: string, holder: LockHolder) => writeFileSync(join(dir, LOCK_FILE), JSON.stringify(holder))
const readLock = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder

describe('the store lock', () => {
  it('names its holder in the lock file while the store is open', () => {
    const dir = freshDir()
    open(dir, 'first opener')
    expect(readLock(dir)).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'first opener' })
  })

  it('refuses a second open in the same process, naming this pid', () => {
    const dir = freshDir()
    const first = open(dir, 'first opener')
    const err = refusal(() => openTestStore({ dataDir: dir, purpose: 'second opener' }))
    expect(err.code).toBe('UNAVAILABLE')
    expect(err.message).toContain(`pid ${process.pid}`)
    expect(err.message).toContain('first opener')
    // The refusal did not disturb the holder.
    expect(readLock(dir).purpose).toBe('first opener')
    expect(first.db.prepare('SELECT 1').pluck().get()).toBe(1)
  })

  it('is released on close, so the store opens again', () => {
    const dir = freshDir()
    openTestStore({ dataDir: dir }).close()
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false)
    const again = open(dir)
    expect(again.db.open).toBe(true)
  })

  it('takes over a lock left by a process that has exited', () => {
    const dir = freshDir()
    const pid = deadPid()
    expect(isProcessAlive(pid)).toBe(false)
    writeLock(dir, { pid, host: hostname(), purpose: 'crashed app', since: 1 })
    open(dir, 'survivor')
    expect(readLock(dir)).toMatchObject({ pid: process.pid, purpose: 'survivor' })
  })

  it('takes over an unreadable lock file (a crash mid-write)', () => {
    const dir = freshDir()
    writeFileSync(join(dir, LOCK_FILE), '{"pid": 12')
    open(dir)
    expect(readLock(dir).pid).toBe(process.pid)
  })

  it('refuses while another live process holds it, naming that pid, and leaves its lock alone', async () => {
    const dir = freshDir()
    const holder = sleepingChild()
    cleanups.push(() => holder.stop())
    writeLock(dir, { pid: holder.pid, host: hostname(), purpose: 'poms serve', since: Date.parse('2024-05-06T07:08:09Z') })

    const err = refusal(() => openTestStore({ dataDir: dir }))
    expect(err.code).toBe('UNAVAILABLE')
    expect(err.message).toContain(`pid ${holder.pid} on ${hostname()}`)
    expect(err.message).toContain('poms serve')
    expect(err.message).toContain('2024-05-06T07:08:09.000Z')
    expect(err.details).toMatchObject({ holder: { pid: holder.pid } })
    expect(readLock(dir).pid).toBe(holder.pid)

    // Once that process is gone, its lock is stale and is taken over.
    await holder.stop()
    expect(isProcessAlive(holder.pid)).toBe(false)
    open(dir)
    expect(readLock(dir).pid).toBe(process.pid)
  })

  it('does not take over a lock from another host, whose pids it cannot check', () => {
    const dir = freshDir()
    writeLock(dir, { pid: deadPid(), host: `not-${hostname()}`, purpose: 'remote app', since: 1 })
    const err = refusal(() => openTestStore({ dataDir: dir }))
    expect(err.code).toBe('UNAVAILABLE')
    expect(err.message).toContain(`not-${hostname()}`)
  })

  it('release removes only its own lock', () => {
    const dir = freshDir()
    const file = join(dir, LOCK_FILE)
    const lock = acquireStoreLock(file, 'mine', 1000)
    // Someone else's lock replaced ours (a stale takeover elsewhere): releasing must not delete it.
    writeLock(dir, { pid: process.pid, host: hostname(), purpose: 'other', since: 2000 })
    lock.release()
    expect(readLock(dir).purpose).toBe('other')
    rmSync(file)

    const mine = acquireStoreLock(file, 'mine', 3000)
    mine.release()
    expect(existsSync(file)).toBe(false)
    mine.release()
  })
})
