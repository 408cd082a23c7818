import { shellQuote } from '../../../shared/domain/launch-params'

/** A command line of separately quoted words: every value stays one argument, never code. */
export const remoteCommand = (argv: readonly string[]): string => argv.map(shellQuote).join(' ')

/**
 * Runs a script of the campaign author's shell code in bash on the remote host. The script travels
 * as one quoted argument, so nothing in it is re-parsed by the login shell, and it does not read
 * stdin (commands in it that read stdin see an empty one).
 */
export const remoteScript = (script: string): string => `exec /bin/bash --noprofile --norc -c ${shellQuote(script)} poms-launch </dev/null`
