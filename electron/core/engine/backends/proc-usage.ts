import { readFileSync } from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux we ship to. */
const CLOCK_TICKS = 100

export interface ProcUsage {
  cpuSeconds: number
  memoryMb: number | null
}

/**
 * CPU time and peak memory of a running process from /proc (Linux). Null where /proc is absent
 * or the process is already gone; callers keep the last good sample.
 */
export function sampleProcUsage(pid: number): ProcUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the parenthesised command name, which may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
    return { cpuSeconds: (utime + stime) / CLOCK_TICKS, memoryMb: hwm ? Number(hwm[1]) / 1024 : null }
  } catch {
    return null
  }
}
