import type { JobUpdate } from '../../../store/repos/job-repo'
import { zonedTimeToEpoch } from '../remote/zoned-time'
import { exitPairToExitCode, slurmJobState } from './slurm-state'

/** One line of the jobcomp/filetxt completion log: `Key=Value` fields separated by spaces. */
export type JobCompRecord = Record<string, string>

/** Splits at a space followed by the next `Key=` (values such as `Tres=cpu=1,mem=1000M` keep their `=`). */
export function parseJobCompLine(line: string): JobCompRecord | null {
  if (!line.startsWith('JobId=')) return null
  const record: JobCompRecord = {}
  for (const field of line.trimEnd().split(/ (?=[A-Za-z]+=)/)) {
    const eq = field.indexOf('=')
    if (eq > 0) record[field.slice(0, eq)] = field.slice(eq + 1)
  }
  return record
}

export const parseJobComp = (text: string): JobCompRecord[] =>
  text.split('\n').flatMap((line) => {
    const r = parseJobCompLine(line)
    return r ? [r] : []
  })

/** The batch id and task of a completion record, or null for a record that names no task. */
export function jobCompTask(record: JobCompRecord, arrayIds: ReadonlySet<string>): { key: string; task: number } | null {
  if (record.ArrayJobId && record.ArrayTaskId !== undefined) return { key: record.ArrayJobId, task: Number(record.ArrayTaskId) }
  // Slurm writes the pending remainder of a cancelled array as one line without array fields and
  // the array's own id: it names no task.
  if (arrayIds.has(record.JobId!)) return null
  return { key: record.JobId!, task: 0 }
}

/** A completion record as a job update; its times are the host's local wall clock, read in `zone`. */
export function jobCompToJob(record: JobCompRecord, task: number, index: number, zone: string): JobUpdate {
  const { state, exitCode, holdReason } = slurmJobState(record.JobState ?? '', '', null, exitPairToExitCode(record.ExitCode ?? ''))
  const at = (field: string) => zonedTimeToEpoch(record[field] ?? '', zone)
  const nodes = record.NodeList && record.NodeList !== '(null)' ? record.NodeList : null
  const start = nodes ? at('StartTime') : null
  const end = at('EndTime')
  return {
    index,
    batchJobId: record.ArrayJobId ? `${record.ArrayJobId}_${task}` : record.JobId!,
    state,
    exitCode,
    holdReason,
    submittedAt: at('SubmitTime'),
    startedAt: start,
    finishedAt: end,
    wallSeconds: start !== null && end !== null ? Math.max(0, (end - start) / 1000) : null,
    cpuSeconds: null,
    memoryMb: null,
    host: nodes,
  }
}
