import type { JobState } from '../../../../../shared/domain/job'
import type { JobUpdate } from '../../../store/repos/job-repo'

/** A job ClassAd as condor_q / condor_history `-json` print it. */
export type CondorAd = Record<string, unknown>

/** The attributes a status query asks for (`-attributes`), and nothing more (protocols.md §2.2). */
export const CONDOR_STATUS_ATTRIBUTES = [
  'ClusterId',
  'ProcId',
  'GlobalJobId',
  'JobStatus',
  'ExitCode',
  'ExitBySignal',
  'ExitSignal',
  'HoldReason',
  'QDate',
  'JobStartDate',
  'JobCurrentStartDate',
  'CompletionDate',
  'EnteredCurrentStatus',
  'ServerTime',
  'RemoteWallClockTime',
  'RemoteUserCpu',
  'RemoteSysCpu',
  'MemoryUsage',
  'ResidentSetSize',
  'RemoteHost',
  'LastRemoteHost',
  'POMS4_SUBMISSION_ID',
  'JobsubJobId',
] as const

/** Where a job's output went, for fetching its log. */
export const CONDOR_LOG_ATTRIBUTES = ['ClusterId', 'ProcId', 'Iwd', 'Out', 'Err'] as const

/**
 * The ads of `-json` output: nothing at all when condor_q matches no job, `[` `]` when
 * condor_history matches none, and one array per schedd, one after the other, from jobsub_q.
 * Lines outside the arrays are skipped (jobsub runs htgettoken first, which prints its progress on
 * stdout). Throws on an array that does not end (a cut-off answer must not read as "no jobs").
 */
export function parseCondorJson(text: string): CondorAd[] {
  // condor prints every top-level array's brackets alone at the start of a line; several schedds
  // (jobsub) print several arrays one after another. Anything before the first `[` line is not JSON.
  const start = /^\[[ \t]*\r?$/m.exec(text)
  if (!start) {
    if (text.trim() !== '') throw new Error('condor -json output has no array')
    return []
  }
  const body = text.slice(start.index).trimEnd()
  if (!/\n\][ \t]*$/.test(body) && body !== '[]') throw new Error('condor -json output ends in the middle of an array')
  const ads: CondorAd[] = []
  // Split at "]\n[" boundaries and parse each array as a whole (a 100,000-job answer is ~29 MB).
  for (const part of body.split(/\n\][ \t]*\r?\n[ \t]*\[[ \t]*\r?(?=\n)/)) {
    const array = `${part.startsWith('[') ? '' : '['}${part}${part.endsWith(']') ? '' : '\n]'}`
    const parsed: unknown = JSON.parse(array)
    if (!Array.isArray(parsed)) throw new Error('condor -json output is not an array')
    for (const ad of parsed as CondorAd[]) ads.push(ad)
  }
  return ads
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string | null => (typeof v === 'string' && !v.startsWith('/Expr(') ? v : null)
/** Epoch seconds → ms; 0 means "not yet" in HTCondor's time attributes. */
const time = (v: unknown): number | null => {
  const n = num(v)
  return n && n > 0 ? n * 1000 : null
}

/** HTCondor's JobStatus codes (protocols.md §2.1) as job states; an exit code decides completed vs failed. */
export function condorJobState(ad: CondorAd): { state: JobState; exitCode: number | null; holdReason: string | null } {
  const byUnixSignal = ad.ExitBySignal === true && num(ad.ExitSignal) !== null
  const exitCode = byUnixSignal ? 128 + num(ad.ExitSignal)! : num(ad.ExitCode)
  switch (num(ad.JobStatus)) {
    case 2: // running
    case 6: // transferring output
      return { state: 'running', exitCode: null, holdReason: null }
    case 3:
      return { state: 'removed', exitCode, holdReason: null }
    case 4:
      return { state: exitCode === 0 ? 'completed' : 'failed', exitCode, holdReason: null }
    case 5:
      return { state: 'held', exitCode: null, holdReason: str(ad.HoldReason) ?? 'held (no reason given)' }
    case 7:
      return { state: 'held', exitCode: null, holdReason: 'suspended' }
    default: // 1 idle; 0 unexpanded and anything unknown are not running either
      return { state: 'idle', exitCode: null, holdReason: null }
  }
}

/** `slot1_3@fnpc123.fnal.gov` → `fnpc123.fnal.gov`. */
const machineOf = (slot: string | null): string | null => (slot ? slot.slice(slot.lastIndexOf('@') + 1) : null)

/** The job id people know: jobsub's JobsubJobId, else `17.3@schedd` from GlobalJobId (`schedd#17.3#qdate`), else `17.3`. */
export function condorJobId(ad: CondorAd): string {
  if (str(ad.JobsubJobId)) return str(ad.JobsubJobId)!
  const id = `${num(ad.ClusterId)}.${num(ad.ProcId)}`
  const schedd = str(ad.GlobalJobId)?.split('#')[0]
  return schedd ? `${id}@${schedd}` : id
}

/** One job's state and accounting from its ad, as the job's `index` in its submission. */
export function condorAdToJob(ad: CondorAd, index: number): JobUpdate {
  const { state, exitCode, holdReason } = condorJobState(ad)
  const startedAt = time(ad.JobCurrentStartDate) ?? time(ad.JobStartDate)
  const finished = state === 'completed' || state === 'failed' || state === 'removed'
  const priorWall = num(ad.RemoteWallClockTime)
  // RemoteWallClockTime only grows when a run ends; add the current run while it lasts.
  const serverTime = num(ad.ServerTime)
  const currentRun = state === 'running' && serverTime !== null && startedAt !== null ? Math.max(0, serverTime - startedAt / 1000) : 0
  const wall = priorWall === null && currentRun === 0 ? null : (priorWall ?? 0) + currentRun
  const user = num(ad.RemoteUserCpu)
  const sys = num(ad.RemoteSysCpu)
  // A job that never ran has zeros here, not usage.
  const neverRan = startedAt === null && !priorWall
  // MemoryUsage is an expression in -json output; ResidentSetSize (KiB) is the number behind it.
  const memoryMb = num(ad.MemoryUsage) ?? (num(ad.ResidentSetSize) === null ? null : Math.ceil(num(ad.ResidentSetSize)! / 1024))
  return {
    index,
    batchJobId: condorJobId(ad),
    state,
    exitCode,
    holdReason,
    submittedAt: time(ad.QDate),
    startedAt,
    finishedAt: finished ? (time(ad.CompletionDate) ?? time(ad.EnteredCurrentStatus)) : null,
    wallSeconds: neverRan ? null : wall,
    cpuSeconds: neverRan || (user === null && sys === null) ? null : (user ?? 0) + (sys ?? 0),
    memoryMb,
    host: machineOf(str(ad.RemoteHost) ?? str(ad.LastRemoteHost)),
  }
}
