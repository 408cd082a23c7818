import type { JobState } from '../../../../../shared/domain/job'

const RUNNING = new Set(['RUNNING', 'CONFIGURING', 'COMPLETING', 'RESIZING', 'SIGNALING', 'STAGE_OUT'])
const SUSPENDED = new Set(['SUSPENDED', 'STOPPED'])
const HELD = new Set(['REQUEUE_HOLD', 'SPECIAL_EXIT', 'RESV_DEL_HOLD'])
const FAILED = new Set(['FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'PREEMPTED'])
const REMOVED = new Set(['CANCELLED', 'REVOKED'])

const HOLD_REASONS: Record<string, string> = {
  JobHeldUser: 'held by the user (scontrol hold)',
  JobHeldAdmin: 'held by an administrator',
}

/** A raw wait status (squeue's exit_code) as an exit code: the exit status, or 128 + the signal that killed it. */
export function waitStatusToExitCode(status: number): number {
  const signal = status & 0x7f
  return signal !== 0 ? 128 + signal : (status >> 8) & 0xff
}

/** `ExitCode=a:b` of the completion log (exit status : signal) as an exit code. */
export function exitPairToExitCode(pair: string): number | null {
  const m = /^(\d+):(\d+)$/.exec(pair.trim())
  if (!m) return null
  return Number(m[2]) !== 0 ? 128 + Number(m[2]) : Number(m[1])
}

/**
 * A Slurm job state (squeue's job_state, the completion log's JobState) as a job state. A pending
 * job with priority 0 or a JobHeld reason is held; a finished job's exit code decides completed vs
 * failed; cancelled is removed. Requeued and unknown states count as idle (not finished).
 */
export function slurmJobState(
  jobState: string,
  reason: string,
  priority: number | null,
  exitCode: number | null,
): { state: JobState; exitCode: number | null; holdReason: string | null } {
  const name = jobState.trim().split(/\s+/)[0]!.toUpperCase()
  if (name === 'PENDING') {
    if (priority === 0 || reason.startsWith('JobHeld')) return { state: 'held', exitCode: null, holdReason: HOLD_REASONS[reason] ?? `held (${reason || 'priority 0'})` }
    return { state: 'idle', exitCode: null, holdReason: null }
  }
  if (RUNNING.has(name)) return { state: 'running', exitCode: null, holdReason: null }
  if (SUSPENDED.has(name)) return { state: 'held', exitCode: null, holdReason: 'suspended' }
  if (HELD.has(name)) return { state: 'held', exitCode: null, holdReason: `held (${name}${reason && reason !== 'None' ? `, ${reason}` : ''})` }
  if (name === 'COMPLETED') return { state: exitCode === null || exitCode === 0 ? 'completed' : 'failed', exitCode: exitCode ?? 0, holdReason: null }
  // A failure or removal that reports status 0 did not exit 0 (time limit, node failure, never started): no exit code.
  if (FAILED.has(name)) return { state: 'failed', exitCode: exitCode === 0 ? null : exitCode, holdReason: null }
  if (REMOVED.has(name)) return { state: 'removed', exitCode: exitCode === 0 ? null : exitCode, holdReason: null }
  return { state: 'idle', exitCode: null, holdReason: null }
}

/**
 * The task ids of an array's pending remainder (`array_task_string`): `2-9`, `1,3,5-7`, `0-15:4`,
 * and a `%N` limit suffix.
 */
export function expandArrayTasks(spec: string): number[] {
  const tasks: number[] = []
  for (const part of spec.replace(/%\d+$/, '').split(',')) {
    const m = /^(\d+)(?:-(\d+)(?::(\d+))?)?$/.exec(part.trim())
    if (!m) continue
    const from = Number(m[1])
    const to = m[2] === undefined ? from : Number(m[2])
    const step = Math.max(1, Number(m[3] ?? 1))
    for (let t = from; t <= to; t += step) tasks.push(t)
  }
  return tasks
}
