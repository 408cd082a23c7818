import { nodeCliContext } from './commands/node-cli-context'
import { runCli } from './commands/program'

/*
 * The `poms` command's entry (built to out/main/cli.js; resources/bin/poms.cjs runs it). It only
 * runs the program: everything else lives in commands/, one module per command.
 */
void runCli(process.argv.slice(2), nodeCliContext()).then((code) => {
  process.exitCode = code
  // A finished command exits even if a library left something holding the event loop.
  setTimeout(() => process.exit(code), 2000).unref()
})
