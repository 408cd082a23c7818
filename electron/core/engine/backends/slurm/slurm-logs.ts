import { posix } from 'node:path'
import type { RemoteFile } from '../remote/remote-files'
import { parseJobCompLine, type JobCompRecord } from './slurm-jobcomp'

/** What a filename pattern of sbatch (`--output=out_%A_%a.txt`) is filled in from. */
export interface PatternValues {
  jobId: number
  arrayJobId: number | null
  taskId: number | null
  name: string
  user: string
  node: string
}

/** Fills in sbatch's filename pattern (`man sbatch`, "filename pattern"): %A %a %j %J %x %u %N %s %%, with a zero-pad width (`%4a`). */
export function expandSlurmPattern(pattern: string, v: PatternValues): string {
  // A backslash anywhere turns the replacement off (`man sbatch`).
  if (pattern.includes('\\')) return pattern.replace(/\\/g, '')
  return pattern.replace(/%(\d*)([AajJxuNs%])/g, (whole, width: string, code: string) => {
    const pad = (n: number) => String(n).padStart(Number(width || 0), '0')
    switch (code) {
      case '%':
        return '%'
      case 'A':
        return pad(v.arrayJobId ?? v.jobId)
      case 'a':
        return pad(v.taskId ?? 0)
      case 'j':
      case 'J':
        return pad(v.jobId)
      case 'x':
        return v.name
      case 'u':
        return v.user
      case 'N':
        return v.node.split(/[,[]/)[0] ?? ''
      case 's':
        return 'batch'
      default:
        return whole
    }
  })
}

/** The record of one task in `scontrol -o show job <id>` output (one `Key=Value` line per job or task). */
export function scontrolTaskRecord(output: string, task: number): JobCompRecord | null {
  const records = output.split('\n').flatMap((line) => {
    const r = parseJobCompLine(line.trim())
    return r ? [r] : []
  })
  return records.find((r) => (r.ArrayTaskId === undefined ? task === 0 : r.ArrayTaskId === String(task))) ?? null
}

/** The stdout and stderr files of a task from its scontrol record (paths already expanded there). */
export function scontrolLogFiles(record: JobCompRecord): RemoteFile[] {
  const dir = record.WorkDir || '/'
  const out = record.StdOut ? posix.resolve(dir, record.StdOut) : null
  const err = record.StdErr ? posix.resolve(dir, record.StdErr) : null
  const files: RemoteFile[] = []
  if (out && out !== '/dev/null') files.push({ label: 'stdout', path: out })
  if (err && err !== out && err !== '/dev/null') files.push({ label: 'stderr', path: err })
  return files
}

/** Where a job's output went, as squeue reported it while it ran (patterns unexpanded). */
export interface OutputPatterns {
  stdout: string
  stderr: string
  cwd: string
}

/**
 * The log files of a task Slurm already forgot, from its completion record and the patterns squeue
 * showed earlier, or sbatch's defaults (`slurm-%A_%a.out` for arrays, `slurm-%j.out`).
 */
export function jobCompLogFiles(record: JobCompRecord, task: number, patterns: OutputPatterns | undefined): RemoteFile[] {
  const isArray = Boolean(record.ArrayJobId)
  const values: PatternValues = {
    jobId: Number(record.JobId),
    arrayJobId: isArray ? Number(record.ArrayJobId) : null,
    taskId: isArray ? task : null,
    name: record.Name ?? '',
    user: (record.UserId ?? '').replace(/\(\d+\)$/, ''),
    node: record.NodeList ?? '',
  }
  const dir = patterns?.cwd || record.WorkDir || '/'
  const stdout = patterns?.stdout || (isArray ? 'slurm-%A_%a.out' : 'slurm-%j.out')
  const stderr = patterns?.stderr || stdout
  const out = posix.resolve(dir, expandSlurmPattern(stdout, values))
  const err = posix.resolve(dir, expandSlurmPattern(stderr, values))
  return [{ label: 'stdout', path: out }, ...(err !== out ? [{ label: 'stderr', path: err }] : [])].filter((f) => f.path !== '/dev/null')
}
