import { remoteScript } from '../../../ssh/remote-command'
import { hostPathOf } from '../../data/local/remote-dataset'
import { SshError } from '../../../ssh/ssh-errors'
import type { SshPool } from '../../../ssh/ssh-pool'
import { LaunchError, type LaunchIo, type LaunchPlan } from '../backend'
import { PROCESS_MARKER, remoteLaunchScript } from '../remote-launch-script'
import { targetOf } from './host-groups'
import { lineSplitter } from './output-lines'

export interface LaunchRun {
  /** The launch script's exit code (null when it was killed by a signal). */
  code: number | null
  stdout: string
  stderr: string
  /** Both streams' lines in the order they arrived (what the person saw). */
  lines: string[]
}

/** The SSH run ended without telling whether jobs were submitted (connection lost, time-out). */
export class LaunchOutcomeUnknown extends Error {
  constructor(readonly sshError: SshError) {
    super(sshError.message)
    this.name = 'LaunchOutcomeUnknown'
  }
}

const MAX_KEPT_LINES = 5000
const PID_LINE = new RegExp(`^${PROCESS_MARKER} (\\d+) ==$`)

/**
 * Ends an aborted launch's processes on the host, as POMS's abort does (`kill -9 -<pid>`, protocols.md
 * §9.2): the script printed its pid first, and it leads its own process group there (sshd starts a
 * new session per exec). Best effort: returns the group it signalled, or null.
 */
async function stopRemoteLaunch(pool: SshPool, plan: LaunchPlan, lines: readonly string[]): Promise<number | null> {
  const marker = lines.map((l) => PID_LINE.exec(l)).find(Boolean)
  if (!marker) return null
  const pid = Number(marker[1])
  try {
    await pool.exec(targetOf(plan).endpoint, remoteScript(`kill -TERM -- -${pid} 2>/dev/null; sleep 1; kill -KILL -- -${pid} 2>/dev/null; true`), { timeoutMs: 15_000 })
    return pid
  } catch {
    return null
  }
}

/**
 * A launch with input files (a `local` dataset on the batch host) gets their list as a file on the
 * host, one path per line, named by POMS_INPUT_FILE_LIST as for local jobs; every job sees all of
 * it (the jobs share the list as they share a SAM project). Nothing user-supplied is shell code:
 * the folder is fixed and the list travels over SFTP.
 */
async function shipInputList(pool: SshPool, plan: LaunchPlan, log: (line: string) => void): Promise<Record<string, string>> {
  if (plan.files.length === 0) return {}
  const { endpoint } = targetOf(plan)
  const made = await pool.exec(endpoint, remoteScript('mkdir -p .poms/inputs && cd .poms/inputs && pwd'), { timeoutMs: 30_000 })
  const dir = made.stdout.trim()
  if (made.code !== 0 || !dir.startsWith('/')) throw new LaunchError(`cannot make the input list folder ~/.poms/inputs on the host: ${made.stderr.trim() || `exit ${String(made.code)}`}`)
  const path = `${dir}/${plan.id}.list`
  await pool.upload(endpoint, path, `${plan.files.map(hostPathOf).join('\n')}\n`)
  log(`input file list: ${path} (${plan.files.length} file${plan.files.length === 1 ? '' : 's'})`)
  return { POMS_INPUT_FILE_LIST: path }
}

/**
 * Runs the submission's launch script (remote-launch-script.ts) on its host in bash, streaming every
 * output line to the launch log. An SSH failure that stops it from starting is a LaunchError; a
 * dropped connection or a time-out is LaunchOutcomeUnknown (the script may have submitted jobs), so
 * the backend looks for the submission's tagged jobs before it calls the launch failed.
 */
export async function runLaunch(
  pool: SshPool,
  plan: LaunchPlan,
  tagEnv: Readonly<Record<string, string>>,
  io: LaunchIo,
  timeoutMs: number,
): Promise<LaunchRun> {
  const { endpoint } = targetOf(plan)
  const lines: string[] = []
  const keep = (line: string) => {
    io.log(line)
    lines.push(line)
    if (lines.length > MAX_KEPT_LINES) lines.splice(0, lines.length - MAX_KEPT_LINES)
  }
  const out = lineSplitter(keep)
  const err = lineSplitter(keep)
  try {
    // The launch host's login shell runs the script itself, as POMS's launches do (one shell, not two:
    // this is most of the time a launch costs); stdin is closed so no command in it waits for input.
    const inputs = await shipInputList(pool, plan, keep)
    const result = await pool.exec(endpoint, remoteLaunchScript({ ...plan, env: { ...plan.env, ...inputs } }, tagEnv), {
      closeStdin: true,
      timeoutMs,
      signal: io.signal,
      onStdout: (chunk) => out.push(chunk),
      onStderr: (chunk) => err.push(chunk),
    })
    out.flush()
    err.flush()
    return { code: result.code, stdout: result.stdout, stderr: result.stderr, lines }
  } catch (error) {
    out.flush()
    err.flush()
    if (!(error instanceof SshError)) throw error
    if (error.failure === 'cancelled') {
      const stopped = await stopRemoteLaunch(pool, plan, lines)
      throw new LaunchError(`the launch was aborted${stopped ? ` (stopped process group ${stopped} on the host)` : ''}: ${error.message}`)
    }
    if (error.failure === 'closed' || error.failure === 'timeout') throw new LaunchOutcomeUnknown(error)
    throw new LaunchError(`cannot run the launch on ${endpoint.username}@${endpoint.host}:${endpoint.port}: ${error.message}`)
  }
}
