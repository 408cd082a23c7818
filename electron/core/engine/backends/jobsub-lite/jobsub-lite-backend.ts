import { remoteCommand } from '../../../ssh/remote-command'
import type { JobUpdate } from '../../../store/repos/job-repo'
import {
  LaunchError,
  type Backend,
  type ControlAction,
  type LaunchIo,
  type LaunchPlan,
  type QueryResult,
  type SubmitResult,
  type TextBlob,
  type TrackedSubmission,
} from '../backend'
import { submissionConstraint } from '../htcondor/classad'
import type { CondorAd } from '../htcondor/condor-ads'
import { assignJobs, historyStart, jobsByTag, mergeAds, readAdsSection } from '../htcondor/condor-query'
import type { SetupGroup } from '../remote/host-groups'
import { askEachHost, foldAnswers, foldTagged, type HostAnswer } from '../remote/host-query'
import { batchIdList, joinBatchIds, splitJobIndex } from '../remote/job-index'
import { noJobIdReason } from '../remote/launch-failure'
import { launchOnHost, launchScriptOf, type RemoteBackendOptions } from '../remote/launch-on-host'
import { complaintOf } from '../remote/output-lines'
import { DEFAULT_LOG_CAP_BYTES, tailSections, tailsToBlob, type RemoteFile } from '../remote/remote-files'
import { sectionedScript, splitSections, type ScriptPart, type SectionOutput } from '../remote/script-sections'
import { checkedSubmissionId } from '../remote/submission-id'
import { execOnTarget } from '../remote/target-exec'
import { JOBSUB_FAILURE_LINE, jobsubAdKey, jobsubBatchKey, keyToJobId, normalizeJobsubId, parseJobsubJobIds, summarizeJobsubControl } from './jobsub-output'
import { identityArgs, identityKey, identityOf, jobsubStatusSections, jobsubTaggedSections, type JobsubIdentity } from './jobsub-query'
import { jobsubTagEnv } from './jobsub-tags'

export interface JobsubLiteBackendOptions extends RemoteBackendOptions {
  /** jobsub_history reads back to this long before the oldest submission's creation (default 1 h). */
  historySlackMs?: number
}

const TOOL: Record<ControlAction, string> = { kill: 'jobsub_rm', hold: 'jobsub_hold', release: 'jobsub_release' }

/** A submission's jobsub job ids (`123.0@jobsub01.fnal.gov`, comma-separated when it has several). */
const jobIdsOf = (sub: TrackedSubmission): string[] => batchIdList(sub.batchId).flatMap((id) => normalizeJobsubId(id) ?? [])
const keysOf = (sub: TrackedSubmission): string[] => jobIdsOf(sub).flatMap((id) => jobsubBatchKey(id) ?? [])

/** The submissions of one login setup, by the group and role jobsub runs as. */
function byIdentity(g: SetupGroup): { who: JobsubIdentity; submissions: TrackedSubmission[] }[] {
  const out = new Map<string, { who: JobsubIdentity; submissions: TrackedSubmission[] }>()
  for (const sub of g.submissions) {
    const who = identityOf(sub)
    const entry = out.get(identityKey(who)) ?? { who, submissions: [] }
    entry.submissions.push(sub)
    out.set(identityKey(who), entry)
  }
  return [...out.values()]
}

/**
 * jobsub_lite over SSH (architecture.md §6, protocols.md §1): the author's launch command runs
 * jobsub_submit, which adds the submission's tags from JOBSUB_EXTRA_LINES; status is jobsub_q -json
 * plus jobsub_history -json per host and poll; control and findTagged select by tag on every schedd.
 */
/** The launch script's parts for this batch system: its job tags, and the setup they need. */
const launchParts = (plan: LaunchPlan): { plan: LaunchPlan; tagEnv: Record<string, string> } => ({ plan, tagEnv: jobsubTagEnv(plan.tags) })

export function createJobsubLiteBackend(opts: JobsubLiteBackendOptions): Backend {
  const { pool, clock } = opts
  const launchTimeoutMs = opts.launchTimeoutMs ?? 30 * 60_000
  const queryTimeoutMs = opts.queryTimeoutMs ?? 180_000
  const logCap = opts.logCapBytes ?? DEFAULT_LOG_CAP_BYTES
  const slackMs = opts.historySlackMs ?? 3_600_000
  const since = (subs: readonly TrackedSubmission[]) => historyStart(subs.map((s) => s.createdAt), clock.now(), slackMs)

  const run = (sub: TrackedSubmission, script: string, what: string) => execOnTarget(pool, sub, script, what, queryTimeoutMs)


  /** Reads the queue-/history- section pairs of a host's parts: the ads, and what did not answer. */
  function readPairs(sections: Map<string, SectionOutput>, suffixes: readonly string[]) {
    const problems: string[] = []
    const ads: CondorAd[] = []
    for (const suffix of suffixes) {
      const queue = readAdsSection(sections.get(`queue-${suffix}`), 'jobsub_q')
      const history = readAdsSection(sections.get(`history-${suffix}`), 'jobsub_history')
      for (const p of [queue.problem, history.problem]) if (p) problems.push(p)
      ads.push(...mergeAds(queue.ads, history.ads))
    }
    return { ads, problems }
  }

  const backend: Backend = {
    kind: 'jobsub_lite',

    launchScript: (plan: LaunchPlan) => launchScriptOf(launchParts, plan),

    submit: (plan: LaunchPlan, io: LaunchIo): Promise<SubmitResult> =>
      launchOnHost(backend, pool, launchParts, plan, io, launchTimeoutMs, (launched) => {
        const ids = parseJobsubJobIds(`${launched.stdout}\n${launched.stderr}`)
        if (ids.length === 0) throw new LaunchError(noJobIdReason('jobsub job id ("Use job id … to retrieve output")', launched, JOBSUB_FAILURE_LINE))
        if (launched.code !== 0) io.log(`== the launch script exited ${launched.code ?? 'by a signal'} after submitting ${ids.join(', ')} ==`)
        return { batchId: joinBatchIds(ids), jobs: [] }
      }),

    async query(submissions: readonly TrackedSubmission[]): Promise<QueryResult> {
      const launched = submissions.filter((s) => keysOf(s).length > 0)
      const outcomes = await askEachHost<HostAnswer>(pool, launched, queryTimeoutMs, (host) => {
        const suffixes: string[] = []
        const parts: ScriptPart[] = host.setups.map((g, i) => ({
          setup: g.setup,
          sections: byIdentity(g).flatMap(({ who, submissions: subs }, k) => {
            suffixes.push(`${i}-${k}`)
            const clusters = [...new Set(subs.flatMap(keysOf).map((key) => Number(key.split('@')[0])))]
            return jobsubStatusSections(`${i}-${k}`, who, subs.flatMap(keysOf), clusters, since(subs))
          }),
        }))
        return {
          parts,
          read: (sections) => {
            const { ads, problems } = readPairs(sections, suffixes)
            const owners = host.setups.flatMap((g) => g.submissions.map((s) => ({ id: s.id, keys: keysOf(s) })))
            return { jobs: assignJobs(owners, ads, jobsubAdKey), problems }
          },
        }
      })
      const result = foldAnswers(outcomes)
      for (const s of submissions) if (!launched.includes(s)) result.unknown.push(s.id)
      return result
    },

    async control(sub: TrackedSubmission, action: ControlAction): Promise<{ message: string }> {
      const id = checkedSubmissionId(sub.id)
      // Every schedd of the group answers for itself: "All jobs matching constraint (…) have been held" or "Couldn't find…".
      const command = remoteCommand([TOOL[action], ...identityArgs(identityOf(sub)), '--constraint', submissionConstraint([id])])
      const result = await run(sub, `${sub.setup}\n${command}`, TOOL[action])
      const output = `${result.stdout}\n${result.stderr}`
      if (result.code !== 0) return { message: `${TOOL[action]} failed (exit ${result.code}): ${complaintOf(result.stderr) || output.trim()}` }
      const { done, notDone, other } = summarizeJobsubControl(output)
      const lines = [...done, ...notDone, ...other]
      const head = done.length > 0 ? `${TOOL[action]}: done on ${done.length} schedd${done.length === 1 ? '' : 's'}` : `${TOOL[action]}: no job of ${sub.shortId} was acted on`
      return { message: [head, ...lines].join('\n') }
    },

    async fetchLog(sub: TrackedSubmission, index: number): Promise<TextBlob> {
      const { position, taskIndex } = splitJobIndex(index)
      const jobId = jobIdsOf(sub)[position]
      if (jobId === undefined) throw new Error(`submission ${sub.shortId} has no job ${index}`)
      const cluster = jobId.split('.')[0]
      // jobsub_fetchlog unpacks every proc's .out/.err/.log into a fresh directory; this job's are named …cluster.C.P.out/err.
      const files: RemoteFile[] = (['out', 'err'] as const).map((ext) => ({
        label: ext === 'out' ? 'stdout' : 'stderr',
        path: `cluster.${cluster}.${taskIndex}.${ext}`,
        shellPath: `$(ls -d "$__poms_logs"/*cluster.${cluster}.${taskIndex}.${ext} 2>/dev/null | head -n 1)`,
      }))
      const { script, nonce } = sectionedScript([
        {
          setup: `${sub.setup}\n__poms_logs=$(mktemp -d "\${TMPDIR:-/tmp}/poms-fetchlog.XXXXXX") || exit 1`,
          sections: [
            { name: 'fetch', command: `${remoteCommand(['jobsub_fetchlog', ...identityArgs(identityOf(sub)), '--jobid', jobId, '--unzipdir'])} "$__poms_logs"` },
            ...tailSections(files, logCap),
            { name: 'cleanup', command: 'rm -rf -- "$__poms_logs"' },
          ],
        },
      ])
      const result = await run(sub, script, 'jobsub_fetchlog')
      const sections = splitSections(result.stdout, result.stderr, nonce)
      const fetch = sections.get('fetch')
      if (!fetch || fetch.exitCode !== 0) {
        const said = complaintOf(`${fetch?.stdout ?? ''}\n${fetch?.stderr ?? result.stderr}`, 4)
        throw new Error(`jobsub_fetchlog ${jobId} failed${fetch?.exitCode ? ` (exit ${fetch.exitCode})` : ''}: ${said || 'no output'}`)
      }
      return tailsToBlob(files, sections, logCap)
    },

    async findTagged(submissions: readonly TrackedSubmission[]) {
      const ids = submissions.map((s) => checkedSubmissionId(s.id))
      const outcomes = await askEachHost(pool, submissions, queryTimeoutMs, (host) => {
        const suffixes: string[] = []
        const parts: ScriptPart[] = host.setups.map((g, i) => ({
          setup: g.setup,
          sections: byIdentity(g).flatMap(({ who, submissions: subs }, k) => {
            suffixes.push(`${i}-${k}`)
            return jobsubTaggedSections(`${i}-${k}`, who, submissionConstraint(subs.map((s) => s.id.toLowerCase())), since(subs))
          }),
        }))
        return {
          parts,
          read: (sections) => {
            const { ads, problems } = readPairs(sections, suffixes)
            const found = new Map<string, { batchId: string; jobs: JobUpdate[] }>()
            for (const [id, hit] of jobsByTag(ids, ads, jobsubAdKey)) {
              found.set(id, { batchId: joinBatchIds(batchIdList(hit.batchId).map(keyToJobId)), jobs: hit.jobs })
            }
            return { found, problems }
          },
        }
      })
      return foldTagged(outcomes)
    },

    async close(): Promise<void> {
      // The SSH pool belongs to the caller.
    },
  }
  return backend
}
