import { connect as tcpConnect, type Socket } from 'node:net'
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2'
import type { Logger } from '../ports'
import { verifyHostKey, type HostKeyStore } from './host-keys'
import { SshError } from './ssh-errors'

/** Where and as whom: one pooled connection per endpoint. */
export interface SshEndpoint {
  host: string
  port: number
  username: string
}

export interface SshCredentials {
  /** OpenSSH-format private key text. */
  privateKey?: string
  passphrase?: string
  /** Path of an ssh-agent socket (SSH_AUTH_SOCK). */
  agent?: string
}

export interface ExecOptions {
  timeoutMs?: number
  signal?: AbortSignal
  onStdout?: (chunk: string) => void
  onStderr?: (chunk: string) => void
  /** Output kept in the result beyond this is dropped (streaming callbacks still see it). */
  maxOutputBytes?: number
  /** End the command's stdin at once, so nothing in it waits for input (like `</dev/null`). */
  closeStdin?: boolean
}

export interface ExecResult {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
  durationMs: number
}

export interface SshPoolOptions {
  hostKeys: HostKeyStore
  credentials: (endpoint: SshEndpoint) => Promise<SshCredentials>
  logger: Logger
  connectTimeoutMs?: number
  keepaliveIntervalMs?: number
  /** Sessions open at once per connection; OpenSSH's MaxSessions defaults to 10. */
  maxSessions?: number
}

interface PooledConnection {
  client: Client
  ready: Promise<void>
  active: number
  waiting: (() => void)[]
  limit: number
  closed: boolean
}

const keyOf = (e: SshEndpoint) => `${e.username}@${e.host}:${e.port}`
const DEFAULT_MAX_OUTPUT = 16 * 1024 * 1024

/**
 * SSH for the whole app: one ssh2 connection per (host, port, account), reused for every command, on
 * a socket with Nagle off (an exec then costs ~2 ms instead of ~44 ms, toolchain.md §7a). Commands are
 * strings the remote login shell runs; build them with `remoteCommand` so inserted values stay data.
 */
export function createSshPool(opts: SshPoolOptions) {
  const connections = new Map<string, PooledConnection>()
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000

  function openSocket(endpoint: SshEndpoint): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const sock = tcpConnect({ host: endpoint.host, port: endpoint.port })
      sock.setNoDelay(true)
      const timer = setTimeout(() => {
        sock.destroy()
        reject(new SshError('connect', `no answer from ${endpoint.host}:${endpoint.port} within ${connectTimeoutMs} ms`))
      }, connectTimeoutMs)
      sock.once('connect', () => {
        clearTimeout(timer)
        resolve(sock)
      })
      sock.once('error', (err) => {
        clearTimeout(timer)
        reject(new SshError('connect', `cannot connect to ${endpoint.host}:${endpoint.port}: ${err.message}`))
      })
    })
  }

  function connection(endpoint: SshEndpoint): PooledConnection {
    const key = keyOf(endpoint)
    const existing = connections.get(key)
    if (existing && !existing.closed) return existing
    const client = new Client()
    const pooled: PooledConnection = { client, ready: Promise.resolve(), active: 0, waiting: [], limit: opts.maxSessions ?? 10, closed: false }
    let hostKeyError: SshError | null = null
    const drop = () => {
      pooled.closed = true
      if (connections.get(key) === pooled) connections.delete(key)
      for (const wake of pooled.waiting.splice(0)) wake()
    }
    pooled.ready = (async () => {
      const [sock, creds] = await Promise.all([openSocket(endpoint), opts.credentials(endpoint)])
      await new Promise<void>((resolve, reject) => {
        client.once('ready', () => resolve())
        client.once('error', (err: Error & { level?: string }) => {
          if (hostKeyError) return reject(hostKeyError)
          if (err.level === 'client-authentication') {
            return reject(new SshError('auth', `${endpoint.username}@${endpoint.host}:${endpoint.port} refused our credentials (${err.message})`))
          }
          if (err.level === 'client-timeout') {
            return reject(new SshError('connect', `the SSH handshake with ${endpoint.host}:${endpoint.port} did not finish within ${connectTimeoutMs} ms`))
          }
          reject(new SshError('connect', `SSH connection to ${endpoint.host}:${endpoint.port} failed: ${err.message}`))
        })
        client.connect({
          sock,
          username: endpoint.username,
          privateKey: creds.privateKey,
          passphrase: creds.passphrase,
          agent: creds.agent,
          readyTimeout: connectTimeoutMs,
          keepaliveInterval: opts.keepaliveIntervalMs ?? 15_000,
          keepaliveCountMax: 3,
          hostVerifier: (keyBlob: Buffer) => {
            try {
              verifyHostKey(opts.hostKeys, endpoint.host, endpoint.port, keyBlob)
              return true
            } catch (err) {
              hostKeyError = err as SshError
              return false
            }
          },
        })
      })
      client.on('error', (err) => opts.logger.warn('ssh connection error', { endpoint: key, error: err.message }))
      client.on('close', drop)
      client.on('end', drop)
    })()
    pooled.ready.catch(() => {
      drop()
      client.end()
    })
    connections.set(key, pooled)
    return pooled
  }

  async function withSession<T>(endpoint: SshEndpoint, signal: AbortSignal | undefined, run: (c: PooledConnection) => Promise<T>): Promise<T> {
    const pooled = connection(endpoint)
    await pooled.ready
    while (pooled.active >= pooled.limit && !pooled.closed) {
      if (signal?.aborted) throw new SshError('cancelled', 'cancelled while waiting for a free SSH session')
      await new Promise<void>((resolve) => pooled.waiting.push(resolve))
    }
    if (pooled.closed) throw new SshError('closed', `the connection to ${keyOf(endpoint)} closed`)
    pooled.active++
    try {
      return await run(pooled)
    } finally {
      pooled.active--
      pooled.waiting.shift()?.()
    }
  }

  function openExec(pooled: PooledConnection, command: string): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      pooled.client.exec(command, (err, channel) => {
        if (err) {
          // OpenSSH answers "open failed" when MaxSessions is reached: learn the real limit.
          if (/open failed/i.test(err.message) && pooled.active > 1) pooled.limit = Math.max(1, pooled.active - 1)
          reject(new SshError('channel', `the server refused a session: ${err.message}`))
        } else resolve(channel)
      })
    })
  }

  return {
    /** Runs `command` (a shell command line for the remote login shell) and collects its output. */
    exec(endpoint: SshEndpoint, command: string, o: ExecOptions = {}): Promise<ExecResult> {
      if (o.signal?.aborted) return Promise.reject(new SshError('cancelled', 'cancelled before it started'))
      const started = Date.now()
      return withSession(endpoint, o.signal, async (pooled) => {
        let channel: ClientChannel
        for (let attempt = 0; ; attempt++) {
          try {
            channel = await openExec(pooled, command)
            break
          } catch (err) {
            if (attempt >= 3 || !(err instanceof SshError) || err.failure !== 'channel') throw err
            await new Promise((r) => setTimeout(r, 50 * (attempt + 1)))
          }
        }
        return new Promise<ExecResult>((resolve, reject) => {
          const max = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT
          let stdout = ''
          let stderr = ''
          let settled = false
          const finish = (fn: () => void) => {
            if (settled) return
            settled = true
            clearTimeout(timer)
            o.signal?.removeEventListener('abort', onAbort)
            pooled.client.removeListener('close', onClose)
            fn()
          }
          const stop = (failure: 'timeout' | 'cancelled', message: string) => {
            try {
              channel.signal('KILL')
            } catch {
              /* not every server honours signals */
            }
            channel.close()
            finish(() => reject(new SshError(failure, message)))
          }
          const onAbort = () => stop('cancelled', 'cancelled while the command ran')
          const onClose = () => finish(() => reject(new SshError('closed', `the connection to ${keyOf(endpoint)} dropped while the command ran`)))
          const timer = o.timeoutMs ? setTimeout(() => stop('timeout', `the command did not finish within ${o.timeoutMs} ms`), o.timeoutMs) : undefined
          o.signal?.addEventListener('abort', onAbort, { once: true })
          pooled.client.once('close', onClose)
          if (o.closeStdin) channel.end()
          channel.on('data', (chunk: Buffer) => {
            const text = chunk.toString('utf8')
            o.onStdout?.(text)
            if (stdout.length < max) stdout += text
          })
          channel.stderr.on('data', (chunk: Buffer) => {
            const text = chunk.toString('utf8')
            o.onStderr?.(text)
            if (stderr.length < max) stderr += text
          })
          channel.on('close', (code: number | null, signal?: string) => {
            finish(() => resolve({ code: code ?? null, signal: signal ?? null, stdout, stderr, durationMs: Date.now() - started }))
          })
        })
      })
    },

    /** Writes a file on the remote host over SFTP. */
    upload(endpoint: SshEndpoint, remotePath: string, data: string | Buffer, mode = 0o644): Promise<void> {
      return withSession(endpoint, undefined, (pooled) =>
        new Promise<void>((resolve, reject) => {
          pooled.client.sftp((err, sftp: SFTPWrapper) => {
            if (err) return reject(new SshError('channel', `SFTP is not available: ${err.message}`))
            sftp.writeFile(remotePath, data, { mode }, (writeErr) => {
              sftp.end()
              if (writeErr) reject(new SshError('channel', `cannot write ${remotePath}: ${writeErr.message}`))
              else resolve()
            })
          })
        }),
      )
    },

    /** Drops the pooled connection (e.g. after the host key was re-pinned). */
    disconnect(endpoint: SshEndpoint): void {
      const pooled = connections.get(keyOf(endpoint))
      connections.delete(keyOf(endpoint))
      pooled?.client.end()
    },

    close(): void {
      for (const pooled of connections.values()) pooled.client.end()
      connections.clear()
    },
  }
}
export type SshPool = ReturnType<typeof createSshPool>
