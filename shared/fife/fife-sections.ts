/**
 * Which sections fife_launch (fnal-fife/fife-utils bin/fife_launch @71ac911) actually reads, and
 * how it names the options it builds from their keys (protocols.md §7.2).
 */

export type FifeSectionKind =
  | 'global'
  | 'global_eval'
  | 'env_pass'
  | 'submit'
  | 'job_setup'
  | 'sam_consumer'
  | 'data_dispatcher'
  | 'job_output'
  | 'executable'
  | 'prelaunch'
  | 'poms_get_task_id'
  | 'submit_dag'
  | 'stage'
  | 'defaults'
  | 'unused'

export interface FifeSectionRole {
  kind: FifeSectionKind
  /** N of `[job_output_N]` / `[executable_N]` (0 for the unnumbered one). */
  index?: number
  /** For `unused`: why fife_launch never reads it. */
  why?: string
}

const FIXED: Record<string, FifeSectionKind> = {
  global: 'global',
  global_eval: 'global_eval',
  env_pass: 'env_pass',
  submit: 'submit',
  job_setup: 'job_setup',
  sam_consumer: 'sam_consumer',
  data_dispatcher: 'data_dispatcher',
  prelaunch: 'prelaunch',
  poms_get_task_id: 'poms_get_task_id',
  submit_dag: 'submit_dag',
  DEFAULT: 'defaults',
}

/** fife_launch loops `job_output`, `job_output_1`… up to 29 and stops at the first missing one. */
export const MAX_JOB_OUTPUT = 29
/** It tries `executable`, `executable_1`… up to 99 and skips missing ones. */
export const MAX_EXECUTABLE = 99

export function sectionRole(name: string, present: ReadonlySet<string>): FifeSectionRole {
  const fixed = FIXED[name]
  if (fixed) return { kind: fixed }
  if (name.startsWith('stage_')) return { kind: 'stage' }
  if (name === 'job_output') return { kind: 'job_output', index: 0 }
  const output = /^job_output_([1-9][0-9]*)$/.exec(name)
  if (output) {
    const n = Number(output[1])
    if (n > MAX_JOB_OUTPUT) return { kind: 'unused', why: `fife_launch reads [job_output] to [job_output_${MAX_JOB_OUTPUT}] only` }
    for (let i = 0; i < n; i++) {
      const before = i === 0 ? 'job_output' : `job_output_${i}`
      if (!present.has(before)) return { kind: 'unused', why: `fife_launch stops at the first missing output section, and [${before}] is missing` }
    }
    return { kind: 'job_output', index: n }
  }
  if (name === 'executable') return { kind: 'executable', index: 0 }
  const exe = /^executable_([1-9][0-9]*)$/.exec(name)
  if (exe && Number(exe[1]) <= MAX_EXECUTABLE) return { kind: 'executable', index: Number(exe[1]) }
  if (exe) return { kind: 'unused', why: `fife_launch reads [executable] to [executable_${MAX_EXECUTABLE}] only` }
  if (name === 'stage') return { kind: 'unused', why: 'stage overrides must be in [stage_NAME] sections, applied with --stage NAME' }
  return { kind: 'unused', why: 'fife_launch does not read this section' }
}

/** A trailing `_N` or `_NN` is dropped so an option can repeat (`e_1`, `e_2` → `-e`, `-e`). */
export function foldRepeatedKey(key: string): string {
  const digit = (c: string | undefined): boolean => c !== undefined && c.length === 1 && '0123456789'.includes(c)
  const n = key.length
  if (n > 2 && key[n - 2] === '_' && digit(key[n - 1])) return key.slice(0, -2)
  if (n > 3 && key[n - 3] === '_' && digit(key[n - 1]) && digit(key[n - 2])) return key.slice(0, -3)
  return key
}

/** `[job_setup]` keys fife_launch URL-quotes and fife_wrap runs in the job's shell. */
export const SHELL_JOB_SETUP_KEYS = new Set(['export', 'source', 'setup', 'prescript', 'postscript', 'finally', 'spack-load', 'spack-env-activate'])

/**
 * True where a value lands unquoted on fife_launch's generated jobsub_submit command line (one
 * option per line, ending ` \`): `[submit]` options and the executables' names and arguments.
 */
export function isUnquotedOnCommandLine(kind: FifeSectionKind, key: string): boolean {
  if (kind === 'submit') return true
  return kind === 'executable' && (key === 'name' || key.startsWith('arg_'))
}

/** True where the value is a shell command (`;` and `#` mean what they mean in a shell). */
export function isShellCommand(kind: FifeSectionKind, key: string): boolean {
  if (kind === 'prelaunch') return true
  return kind === 'job_setup' && (SHELL_JOB_SETUP_KEYS.has(foldRepeatedKey(key)) || key === 'userscript')
}
