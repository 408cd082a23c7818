import { shellQuote } from '../../../../shared/domain/launch-params'
import type { LaunchPlan } from './backend'

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export const PROCESS_MARKER = '== process_id:'
export const COMPLETED_MARKER = '== completed:'

/** `export NAME='value'` lines: names checked, values quoted — the environment is data, never code. */
export function exportLines(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new Error(`"${name}" is not an environment variable name`)
    return `export ${name}=${shellQuote(value)}`
  })
}

/**
 * The script a remote launch runs on the launch host, in POMS's order (§3.2): the process marker
 * (for Abort), the POMS environment and the backend's job tags as exported data, the login setup's
 * shell code, the launch command, and a completion marker with the exit code. The setup and the
 * command are the campaign author's shell code, with every inserted value already escaped.
 */
export function remoteLaunchScript(plan: LaunchPlan, tagEnv: Readonly<Record<string, string>>): string {
  return [
    `echo "${PROCESS_MARKER} $$ =="`,
    ...exportLines(plan.env),
    ...exportLines(tagEnv),
    plan.setup,
    plan.command,
    'rc=$?',
    `echo "${COMPLETED_MARKER} $$ rc=$rc =="`,
    'exit $rc',
  ]
    .filter((line) => line.trim() !== '')
    .join('\n')
}
