import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname } from 'node:os'
import { AppError } from '../../../shared/errors'

export interface LockHolder {
  pid: number
  host: string
  purpose: string
  since: number
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockHolder
  } catch {
    return null
  }
}

/**
 * One process opens a store at a time (architecture.md §2). The lock file names its holder;
 * a lock left by a process that no longer runs on this host is taken over.
 */
export function acquireStoreLock(file: string, purpose: string, now: number): { release(): void; holder: LockHolder } {
  const me: LockHolder = { pid: process.pid, host: hostname(), purpose, since: now }
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number
    try {
      fd = openSync(file, 'wx', 0o600)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = readHolder(file)
      const stale = holder !== null && holder.host === me.host && holder.pid !== process.pid && !isAlive(holder.pid)
      if (holder === null || stale) {
        // Unreadable (a crash mid-write) or left by a dead process: take it over.
        try {
          unlinkSync(file)
        } catch {
          /* another process may have removed it first */
        }
        continue
      }
      throw new AppError(
        'UNAVAILABLE',
        `The store is already open in another process: pid ${holder.pid} on ${holder.host} (${holder.purpose}, since ${new Date(holder.since).toISOString()}). ` +
          `Close it, or point this one at another data directory with --data-dir.`,
        { details: { lockFile: file, holder } },
      )
    }
    writeSync(fd, JSON.stringify(me))
    closeSync(fd)
    let released = false
    return {
      holder: me,
      release() {
        if (released) return
        released = true
        const current = readHolder(file)
        if (current && current.pid === me.pid && current.since === me.since) unlinkSync(file)
      },
    }
  }
  throw new AppError('UNAVAILABLE', `Could not take the store lock ${file}`)
}
