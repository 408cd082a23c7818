import type { Command } from 'commander'
import { readOrCreateToken, rotateToken } from '../token-file'
import type { CliContext } from './cli-context'
import { dataDirFrom, withDataDirOption, type DataDirOptions } from './data-dir-option'

interface TokenOptions extends DataDirOptions {
  rotate?: boolean
}

/** `poms token [--rotate]`: the bearer token scripts and browsers use for this data directory's server. */
export function registerTokenCommand(program: Command, ctx: CliContext): void {
  withDataDirOption(
    program
      .command('token')
      .description('print the server token of a data directory (made on first use)')
      .option('--rotate', 'replace the token with a new one first; a running server then accepts only the new one'),
  ).action((options: TokenOptions) => {
    const dataDir = dataDirFrom(options, ctx.env)
    ctx.out(`${options.rotate ? rotateToken(dataDir) : readOrCreateToken(dataDir)}\n`)
  })
}
