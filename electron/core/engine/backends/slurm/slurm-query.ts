import { shellQuote } from '../../../../../shared/domain/launch-params'
import type { JobUpdate } from '../../../store/repos/job-repo'
import { jobIndex } from '../remote/job-index'
import { complaintOf } from '../remote/output-lines'
import type { ScriptSection, SectionOutput } from '../remote/script-sections'
import { jobCompTask, jobCompToJob, parseJobComp, type JobCompRecord } from './slurm-jobcomp'
import { parseSqueueJson, squeueBatchKey, squeueTasks, squeueToJob, type SqueueJob } from './squeue-json'

/**
 * squeue 22.05 ignores every filter with --json and prints all jobs it knows (checked: `-j`, `-u`,
 * `-t`, `--me` change nothing); `--me` is kept for the versions that honour it. Finished jobs stay
 * for MinJobAge, then only the completion log knows them.
 */
const SQUEUE = 'squeue --json -t all --me'

/** The completion log's lines holding any of the fixed strings, after where and what it is. */
function jobCompCommand(patterns: readonly string[]): string {
  return [
    'cfg=$(scontrol show config) || exit 2',
    `type=$(printf '%s\\n' "$cfg" | sed -n 's/^JobCompType *= *//p')`,
    `loc=$(printf '%s\\n' "$cfg" | sed -n 's/^JobCompLoc *= *//p')`,
    'echo "JobCompType=$type"',
    'echo "JobCompLoc=$loc"',
    '[ "$type" = jobcomp/filetxt ] || exit 0',
    '[ -r "$loc" ] || { echo "cannot read the job completion log $loc" >&2; exit 3; }',
    `grep -F ${patterns.map((p) => `-e ${shellQuote(p)}`).join(' ')} -- "$loc"`,
    // grep exits 1 when nothing matched: an answer, not a failure.
    '[ $? -le 1 ]',
  ].join('\n')
}

/** squeue, then the completion log lines of these jobs (`JobId=N ` also matches `ArrayJobId=N `). */
export function slurmStatusSections(suffix: string, jobIds: readonly number[]): ScriptSection[] {
  return [
    { name: `squeue-${suffix}`, command: SQUEUE },
    { name: `jobcomp-${suffix}`, command: jobCompCommand(jobIds.map((id) => `JobId=${id} `)) },
  ]
}

/** squeue, then the completion log lines of jobs named after these submissions (the job-name tag). */
export function slurmTaggedSections(suffix: string, jobNames: readonly string[]): ScriptSection[] {
  return [
    { name: `squeue-${suffix}`, command: SQUEUE },
    { name: `jobcomp-${suffix}`, command: jobCompCommand(jobNames.map((n) => `Name=${n} `)) },
  ]
}

export interface SlurmAnswer {
  /** Null when squeue did not answer. */
  squeue: SqueueJob[] | null
  jobcomp: JobCompRecord[]
  /** The completion log's type when it is not a file this backend reads (then history is blind). */
  noHistory: string | null
  problems: string[]
}

/** The two sections of one login setup, with what cannot be trusted as complete. */
export function readSlurmSections(squeue: SectionOutput | undefined, jobcomp: SectionOutput | undefined): SlurmAnswer {
  const problems: string[] = []
  const complaint = (s: SectionOutput) => complaintOf(s.stderr) || 'no message'
  let jobs: SqueueJob[] | null = null
  if (!squeue) problems.push('squeue did not run (did the login setup end the script?)')
  else if (squeue.exitCode !== 0) problems.push(`squeue failed (exit ${squeue.exitCode ?? 'none'}): ${complaint(squeue)}`)
  else {
    try {
      jobs = parseSqueueJson(squeue.stdout)
    } catch (err) {
      problems.push(`squeue --json: ${(err as Error).message}`)
    }
  }
  let records: JobCompRecord[] = []
  let noHistory: string | null = null
  if (!jobcomp) problems.push('the completion log was not read (did the login setup end the script?)')
  else if (jobcomp.exitCode !== 0) problems.push(`reading the completion log failed (exit ${jobcomp.exitCode ?? 'none'}): ${complaint(jobcomp)}`)
  else {
    const type = /^JobCompType=(.*)$/m.exec(jobcomp.stdout)?.[1]?.trim() ?? ''
    if (type !== 'jobcomp/filetxt') noHistory = type || 'unknown'
    records = parseJobComp(jobcomp.stdout)
  }
  return { squeue: jobs, jobcomp: records, noHistory, problems }
}

/** A submission and its Slurm job ids (array or plain), in batch-id order. */
export interface SlurmOwner {
  id: string
  keys: readonly string[]
}

/**
 * Each submission's jobs: squeue's records where Slurm still knows the job, the completion log's for
 * tasks it forgot. A job index is the array task id numbered from its batch id's position.
 */
export function assignSlurmJobs(owners: readonly SlurmOwner[], answer: SlurmAnswer, zone: string, nowMs: number): Map<string, JobUpdate[]> {
  const ownerOf = new Map<string, { id: string; position: number }>()
  for (const { id, keys } of owners) keys.forEach((key, position) => ownerOf.set(key, { id, position }))
  const byTask = new Map<string, { id: string; job: JobUpdate }>()
  for (const job of answer.squeue ?? []) {
    const key = squeueBatchKey(job)
    const hit = ownerOf.get(key)
    if (!hit) continue
    for (const task of squeueTasks(job)) byTask.set(`${key}_${task}`, { id: hit.id, job: squeueToJob(job, task, jobIndex(hit.position, task), nowMs) })
  }
  const arrayIds = new Set(answer.jobcomp.flatMap((r) => (r.ArrayJobId ? [r.ArrayJobId] : [])))
  for (const record of answer.jobcomp) {
    const t = jobCompTask(record, arrayIds)
    const hit = t && ownerOf.get(t.key)
    if (!t || !hit || byTask.has(`${t.key}_${t.task}`)) continue
    byTask.set(`${t.key}_${t.task}`, { id: hit.id, job: jobCompToJob(record, t.task, jobIndex(hit.position, t.task), zone) })
  }
  const jobs = new Map<string, JobUpdate[]>()
  for (const { id, job } of byTask.values()) jobs.set(id, [...(jobs.get(id) ?? []), job])
  for (const list of jobs.values()) list.sort((a, b) => a.index - b.index)
  return jobs
}

/**
 * When the host keeps no completion log this backend can read, jobs Slurm already forgot cannot be
 * followed: say so for the batch ids that squeue no longer lists (instead of reading "gone" as "done").
 */
export function forgottenJobsProblem(owners: readonly SlurmOwner[], answer: SlurmAnswer): string | null {
  if (answer.noHistory === null || answer.squeue === null) return null
  const listed = new Set(answer.squeue.map(squeueBatchKey))
  const lost = owners.flatMap((o) => o.keys).filter((k) => !listed.has(k))
  return lost.length === 0 ? null : `Slurm no longer lists job ${lost.join(', ')} and keeps no completion log to read (JobCompType=${answer.noHistory})`
}

/** The Slurm job ids of the jobs tagged with each submission (comment or name), ascending, as its batch id. */
export function slurmTaggedKeys(answer: SlurmAnswer, tagOf: (job: { name: string; comment: string }) => string | null): Map<string, string[]> {
  const keys = new Map<string, Set<string>>()
  const add = (id: string | null, key: string) => {
    if (id) keys.set(id, (keys.get(id) ?? new Set()).add(key))
  }
  for (const job of answer.squeue ?? []) add(tagOf({ name: job.name, comment: job.comment ?? '' }), squeueBatchKey(job))
  for (const record of answer.jobcomp) add(tagOf({ name: record.Name ?? '', comment: '' }), record.ArrayJobId || record.JobId!)
  return new Map([...keys].map(([id, set]) => [id, [...set].sort((a, b) => Number(a) - Number(b))]))
}
