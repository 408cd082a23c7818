import type { CondorAd } from '../htcondor/condor-ads'

const USE_JOB_ID = /Use job id (\S+) to retrieve output/

/** `123@s`, `123.@s`, `123.0@s` → `123.0@s`, the form jobsub prints and LENS uses (protocols.md §1.5). */
export function normalizeJobsubId(id: string): string | null {
  const m = /^(\d+)(?:\.\d*)?@([\w.-]+)$/.exec(id.trim())
  return m ? `${m[1]}.0@${m[2]}` : null
}

/**
 * The job ids a launch got, in order, from jobsub_submit's `Use job id C.0@schedd to retrieve
 * output` lines. Their absence is the only sign of failure: jobsub_submit exits 0 when condor_submit
 * fails (protocols.md §1.8).
 */
export function parseJobsubJobIds(output: string): string[] {
  const ids: string[] = []
  for (const line of output.split('\n')) {
    const m = USE_JOB_ID.exec(line)
    const id = m ? normalizeJobsubId(m[1]!) : null
    if (id && !ids.includes(id)) ids.push(id)
  }
  return ids
}

/** The lines of a failed launch that carry jobsub's (or htgettoken's, or condor_submit's) reason. */
export const JOBSUB_FAILURE_LINE = /error|fail|htgettoken|denied|expired|exceed|refused|not found|invalid|Permission/i

/** A batch key per cluster: `123@jobsub01.fnal.gov` (cluster numbers repeat across schedds). */
export const jobsubBatchKey = (jobId: string): string | null => {
  const m = /^(\d+)(?:\.\d*)?@([\w.-]+)$/.exec(jobId)
  return m ? `${m[1]}@${m[2]}` : null
}

/** An ad's batch key: from JobsubJobId (`123.4@schedd`), else from GlobalJobId (`schedd#123.4#qdate`). */
export function jobsubAdKey(ad: CondorAd): string | null {
  if (typeof ad.JobsubJobId === 'string') return jobsubBatchKey(ad.JobsubJobId)
  if (typeof ad.GlobalJobId === 'string') {
    const [schedd, id] = ad.GlobalJobId.split('#')
    return schedd && id ? jobsubBatchKey(`${id}@${schedd}`) : null
  }
  return null
}

/** From batch keys back to the ids jobsub prints (the batch id of a submission found by its tag). */
export const keyToJobId = (key: string): string => key.replace('@', '.0@')

/**
 * jobsub_rm / hold / release answers with condor's message per schedd (protocols.md §1.7): which
 * lines say something was done, and which that nothing was (on that schedd).
 */
export function summarizeJobsubControl(output: string): { done: string[]; notDone: string[]; other: string[] } {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  const done = lines.filter((l) => /have been (marked for removal|held|released)|^Job \S+ (marked for removal|held|released)$/.test(l))
  const notDone = lines.filter((l) => !done.includes(l) && /Couldn't find|not found|There are no jobs|already|not held|Failed to connect|Permission denied/i.test(l))
  const other = lines.filter((l) => !done.includes(l) && !notDone.includes(l))
  return { done, notDone, other }
}
