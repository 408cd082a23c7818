import type { Command } from 'commander'
import { readFileSync } from 'node:fs'
import type { Channel } from '../../../shared/api/channels'
import type { Input, Output } from '../../../shared/api/contract'
import type { Result } from '../../../shared/api/envelope'
import { AppError } from '../../../shared/errors'
import { createNodePorts } from '../node-ports'
import { tokenFilePath } from '../token-file'
import { CliFailure, type CliContext } from './cli-context'
import { dataDirFrom, withDataDirOption, type DataDirOptions } from './data-dir-option'
import { runningServer } from './running-server'

/** A command's line to the core: a running server over HTTP, or the store opened in this process. */
export interface ApiConnection {
  /** Answers the channel's value; a refusal throws the AppError the core answered. */
  call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>>
  close(): Promise<void>
}

export interface ConnectionOptions extends DataDirOptions {
  server?: string
}

/** `--server` and `--data-dir`, for every command that calls the API. */
export const withConnectionOptions = (command: Command): Command =>
  withDataDirOption(
    command.option('--server <url>', 'talk to this running server (default: the one serving the data directory, else open the store here)'),
  )

function readDataDirToken(dataDir: string): string | null {
  try {
    return readFileSync(tokenFilePath(dataDir), 'utf8').trim() || null
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

/**
 * `POST /api/v1/<channel>` with the bearer token. The URL may be the one `poms serve` prints, with
 * the token in its fragment; otherwise the token comes from POMS_TOKEN or the data directory.
 */
function httpConnection(serverUrl: string, dataDir: string, env: NodeJS.ProcessEnv): ApiConnection {
  let base: URL
  try {
    base = new URL(serverUrl)
  } catch {
    throw new CliFailure(`--server ${serverUrl} is not a URL (expected something like http://127.0.0.1:8080/)`, 2)
  }
  const token = new URLSearchParams(base.hash.slice(1)).get('token') ?? env.POMS_TOKEN ?? readDataDirToken(dataDir)
  if (!token) {
    throw new CliFailure(`no token for ${base.origin}: the data directory ${dataDir} has none; pass the URL poms serve printed (with #token=…) or set POMS_TOKEN`)
  }
  return {
    async call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
      let response: Response
      try {
        response = await fetch(new URL(`/api/v1/${channel}`, base.origin), {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(input),
        })
      } catch (err) {
        throw new CliFailure(`cannot reach the server at ${base.origin}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`)
      }
      let reply: Result<Output<C>>
      try {
        reply = (await response.json()) as Result<Output<C>>
      } catch {
        throw new CliFailure(`the server at ${base.origin} answered HTTP ${response.status} without an API reply; is it a POMS Desktop server?`)
      }
      if (reply.ok) return reply.value
      throw AppError.fromWire(reply.error)
    },
    close: async () => undefined,
  }
}

const isLockRefusal = (err: unknown): err is AppError => err instanceof AppError && err.code === 'UNAVAILABLE' && err.details?.holder !== undefined

/**
 * Talks to `--server` when given; else to the server that announced itself in the data directory;
 * else opens the store in this process (architecture.md §2), as the CLI user of that store.
 */
export async function connect(options: ConnectionOptions, ctx: CliContext, purpose: string): Promise<ApiConnection> {
  const dataDir = dataDirFrom(options, ctx.env)
  if (options.server) return httpConnection(options.server, dataDir, ctx.env)
  const running = runningServer(dataDir)
  if (running) {
    ctx.err(`using the server that serves ${dataDir} at ${running.url} (pid ${running.pid})\n`)
    return httpConnection(running.url, dataDir, ctx.env)
  }
  const ports = createNodePorts({ dataDir, logLevel: ctx.logging.level, stderr: ctx.logging.stderr })
  let core: Awaited<ReturnType<CliContext['openCore']>>
  try {
    // This process ends with the command: recoveries, dependents and scheduled runs wait for the app or a server.
    core = await ctx.openCore(ports, purpose, { automaticLaunches: false })
  } catch (err) {
    if (isLockRefusal(err)) {
      throw new CliFailure(`${err.message}\nIf that process serves the API, run this command against it with --server URL (the URL poms serve printed).`)
    }
    throw err
  }
  const call = { username: core.localUsername, face: 'cli' as const }
  return {
    async call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
      const reply = await core.dispatch(channel, input, call)
      if (reply.ok) return reply.value
      throw AppError.fromWire(reply.error)
    },
    close: () => core.close(),
  }
}

/** `--experiment`, else the session's default experiment. */
export async function experimentFor(api: ApiConnection, requested: string | undefined): Promise<string> {
  if (requested) return requested
  const session = await api.call('session:get', {})
  if (!session.defaultExperiment) throw new CliFailure(`${session.user.username} is not a member of any experiment; pass --experiment`)
  return session.defaultExperiment
}

/** Runs `work` on a connection and always closes it (the in-process store must be unlocked). */
export async function withConnection<T>(options: ConnectionOptions, ctx: CliContext, purpose: string, work: (api: ApiConnection) => Promise<T>): Promise<T> {
  const api = await connect(options, ctx, purpose)
  try {
    return await work(api)
  } finally {
    await api.close()
  }
}
