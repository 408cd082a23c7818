import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * `poms serve` names itself in the data directory while it runs, so other `poms` commands on that
 * directory (refused by the store lock) can talk to it instead. The token stays in its own file.
 */
export const SERVER_FILE = 'server.json'

export interface RunningServer {
  url: string
  pid: number
  since: number
}

const serverFilePath = (dataDir: string) => join(dataDir, SERVER_FILE)

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readServerFile(dataDir: string): RunningServer | null {
  try {
    const value = JSON.parse(readFileSync(serverFilePath(dataDir), 'utf8')) as Partial<RunningServer>
    return typeof value.url === 'string' && typeof value.pid === 'number' && typeof value.since === 'number' ? (value as RunningServer) : null
  } catch {
    return null
  }
}

/** Writes server.json for this process; the returned function removes it again, if it is still ours. */
export function announceServer(dataDir: string, url: string, now: number): () => void {
  const me: RunningServer = { url, pid: process.pid, since: now }
  const temp = `${serverFilePath(dataDir)}.${process.pid}.tmp`
  writeFileSync(temp, `${JSON.stringify(me)}\n`, { mode: 0o600 })
  renameSync(temp, serverFilePath(dataDir))
  return () => {
    const current = readServerFile(dataDir)
    if (current?.pid !== me.pid || current.since !== me.since) return
    try {
      unlinkSync(serverFilePath(dataDir))
    } catch {
      /* already gone */
    }
  }
}

/** The server that serves this data directory now, or null (none announced, or its process is gone). */
export function runningServer(dataDir: string): RunningServer | null {
  const server = readServerFile(dataDir)
  return server && isAlive(server.pid) ? server : null
}
