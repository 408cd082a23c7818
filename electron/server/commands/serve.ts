import { InvalidArgumentError, type Command } from 'commander'
import { appVersion, rendererDir } from '../../core/app-package'
import { createHttpServer, type HttpServer } from '../http-server'
import { createNodePorts } from '../node-ports'
import { watchedToken } from '../token-file'
import type { CliContext } from './cli-context'
import { dataDirFrom, withDataDirOption, type DataDirOptions } from './data-dir-option'
import { announceServer } from './running-server'

interface ServeOptions extends DataDirOptions {
  port?: number
  host?: string
  allowHost?: string[]
  openHint?: boolean
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535.')
  return port
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

/** The line scripts and `npm run web` users look for; the token rides in the fragment, which browsers never send. */
export const readyLine = (dataDir: string, url: string, token: string): string => `POMS Desktop is serving ${dataDir} at ${url}#token=${token}`
export const OPEN_HINT = 'Open that URL in a browser (Chromium, Firefox…).'

async function serve(options: ServeOptions, ctx: CliContext): Promise<void> {
  const dataDir = dataDirFrom(options, ctx.env)
  const ports = createNodePorts({ dataDir, logLevel: ctx.logging.level, stderr: ctx.logging.stderr })
  // A locked or newer store rejects here; runCli prints its message and exits 1.
  const core = await ctx.openCore(ports, 'poms serve')
  let server: HttpServer | undefined
  let withdraw: () => void = () => undefined
  try {
    const token = watchedToken(dataDir)
    server = createHttpServer({
      core,
      token,
      host: options.host,
      port: options.port,
      rendererDir: rendererDir(),
      version: appVersion(),
      logger: ports.logger,
      extraAllowedHosts: options.allowHost,
    })
    const { url } = await server.listen()
    // Other poms commands on this data directory find the server here (the store is locked to us).
    withdraw = announceServer(dataDir, url, ports.clock.now())
    ctx.out(`${readyLine(dataDir, url, token())}\n`)
    if (options.openHint) ctx.out(`${OPEN_HINT}\n`)
    const signal = await ctx.stopRequested()
    ports.logger.info('stopping', { signal })
  } finally {
    withdraw()
    try {
      await server?.close()
    } finally {
      await core.close()
    }
  }
}

/** `poms serve`: the core, the API and the web interface on one port (architecture.md §2). */
export function registerServeCommand(program: Command, ctx: CliContext): void {
  withDataDirOption(
    program
      .command('serve')
      .description('serve the API and the web interface for a data directory')
      .option('--port <n>', 'port to listen on (default: a free one)', parsePort)
      .option('--host <addr>', 'address to bind (default: 127.0.0.1; anything else is reachable from other machines)')
      .option('--allow-host <name>', 'another Host name to answer to, e.g. a team server\'s DNS name (repeatable)', collect)
      .option('--open-hint', 'say what to do with the URL'),
  ).action((options: ServeOptions) => serve(options, ctx))
}
