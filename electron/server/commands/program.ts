import { Command, CommanderError } from 'commander'
import { appVersion } from '../../core/app-package'
import { CliFailure, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CliContext } from './cli-context'
import { registerExportCommand } from './export'
import { registerImportCommand, registerValidateCommand } from './import'
import { registerRecoverCommand } from './recover'
import { registerScheduleCommand } from './schedule'
import { registerServeCommand } from './serve'
import { registerSplitCommands } from './splits'
import { registerSubmissionCommands } from './submissions'
import { registerTokenCommand } from './token'

/** One module per command; each adds itself to the program. */
const COMMANDS: ReadonlyArray<(program: Command, ctx: CliContext) => void> = [
  registerServeCommand,
  registerTokenCommand,
  registerImportCommand,
  registerValidateCommand,
  registerExportCommand,
  registerSubmissionCommands,
  registerSplitCommands,
  registerRecoverCommand,
  registerScheduleCommand,
]

/** The `poms` program. Settings made here before the commands are added are inherited by them. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('poms')
    .description('POMS Desktop: production campaigns from the command line, and the server for the web interface.')
    .version(appVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .configureOutput({ writeOut: (text) => ctx.out(text), writeErr: (text) => ctx.err(text) })
    .showHelpAfterError('(poms --help lists the commands and options)')
    .exitOverride()
  for (const register of COMMANDS) register(program, ctx)
  return program
}

/** Runs one command line (without the node and script arguments) and answers its exit code: 0 ok, 1 failure, 2 usage. */
export async function runCli(args: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...args], { from: 'user' })
    return EXIT_OK
  } catch (err) {
    // Commander has already printed its message (or the help / version, which exit 0).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE
    if (err instanceof CliFailure) {
      ctx.err(`${err.message}\n`)
      return err.exitCode
    }
    ctx.err(`${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT_FAILURE
  }
}
