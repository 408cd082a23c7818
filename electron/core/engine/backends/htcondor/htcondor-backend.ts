import { posix } from 'node:path'
import { remoteCommand } from '../../../ssh/remote-command'
import type { JobUpdate } from '../../../store/repos/job-repo'
import {
  BackendUnavailableError,
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
import { targetOf, type SetupGroup } from '../remote/host-groups'
import { askEachHost, foldAnswers, foldTagged, type HostAnswer } from '../remote/host-query'
import { batchIdList, joinBatchIds, splitJobIndex } from '../remote/job-index'
import { noJobIdReason } from '../remote/launch-failure'
import { launchOnHost, launchScriptOf, type RemoteBackendOptions } from '../remote/launch-on-host'
import { DEFAULT_LOG_CAP_BYTES, readRemoteTails, type RemoteFile } from '../remote/remote-files'
import { sectionedScript, splitSections } from '../remote/script-sections'
import { checkedSubmissionId } from '../remote/submission-id'
import { execOnTarget } from '../remote/target-exec'
import { submissionConstraint } from './classad'
import { CONDOR_LOG_ATTRIBUTES, type CondorAd } from './condor-ads'
import { assignJobs, condorStatusSections, condorTaggedSections, historyStart, jobsByTag, mergeAds, readAdsSection } from './condor-query'
import { parseCondorClusters } from './condor-submit-output'
import { CONDOR_SUBMIT_ATTRS_LINE, condorTagEnv } from './condor-tags'

export interface HtcondorBackendOptions extends RemoteBackendOptions {
  /** condor_history reads back to this long before the oldest submission's creation (clock skew; default 1 h). */
  historySlackMs?: number
}

const TOOL: Record<ControlAction, string> = { kill: 'condor_rm', hold: 'condor_hold', release: 'condor_release' }

/** A submission's clusters, from its batch id (`17` or `17,18`). */
const clustersOf = (sub: TrackedSubmission): number[] =>
  batchIdList(sub.batchId)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 0)

const clusterKey = (ad: CondorAd): string | null => (typeof ad.ClusterId === 'number' ? String(ad.ClusterId) : null)

/**
 * HTCondor over SSH (architecture.md §6): the author's launch command runs condor_submit itself;
 * every job is tagged through HTCondor's configuration-from-environment (condor-tags.ts); status is
 * one condor_q + condor_history per host and poll; control selects the submission's jobs by tag.
 */
/** The launch script's parts for this batch system: its job tags, and the setup they need. */
const launchParts = (plan: LaunchPlan): { plan: LaunchPlan; tagEnv: Record<string, string> } => ({ plan: { ...plan, setup: `${plan.setup}\n${CONDOR_SUBMIT_ATTRS_LINE}` }, tagEnv: condorTagEnv(plan.tags) })

export function createHtcondorBackend(opts: HtcondorBackendOptions): Backend {
  const { pool, clock } = opts
  const launchTimeoutMs = opts.launchTimeoutMs ?? 30 * 60_000
  const queryTimeoutMs = opts.queryTimeoutMs ?? 120_000
  const logCap = opts.logCapBytes ?? DEFAULT_LOG_CAP_BYTES
  const slackMs = opts.historySlackMs ?? 3_600_000

  const completedSince = (subs: readonly TrackedSubmission[]) => historyStart(subs.map((s) => s.createdAt), clock.now(), slackMs)

  const run = (sub: TrackedSubmission, script: string, what: string) => execOnTarget(pool, sub, script, what, queryTimeoutMs)


  const backend: Backend = {
    kind: 'htcondor',

    launchScript: (plan: LaunchPlan) => launchScriptOf(launchParts, plan),

    submit: (plan: LaunchPlan, io: LaunchIo): Promise<SubmitResult> =>
      launchOnHost(backend, pool, launchParts, plan, io, launchTimeoutMs, (launched) => {
        const clusters = parseCondorClusters(`${launched.stdout}\n${launched.stderr}`)
        if (clusters.length === 0) throw new LaunchError(noJobIdReason('HTCondor cluster id', launched))
        if (launched.code !== 0) io.log(`== the launch script exited ${launched.code ?? 'by a signal'} after submitting cluster ${clusters.join(', ')} ==`)
        return { batchId: joinBatchIds(clusters), jobs: [] }
      }),

    async query(submissions: readonly TrackedSubmission[]): Promise<QueryResult> {
      const launched = submissions.filter((s) => clustersOf(s).length > 0)
      const outcomes = await askEachHost<HostAnswer>(pool, launched, queryTimeoutMs, (host) => ({
        parts: host.setups.map((g, i) => ({
          setup: g.setup,
          sections: condorStatusSections(String(i), [...new Set(g.submissions.flatMap(clustersOf))], completedSince(g.submissions)),
        })),
        read: (sections) => {
          const jobs = new Map<string, JobUpdate[]>()
          const problems: string[] = []
          host.setups.forEach((g: SetupGroup, i) => {
            const queue = readAdsSection(sections.get(`queue-${i}`), 'condor_q')
            const history = readAdsSection(sections.get(`history-${i}`), 'condor_history')
            for (const p of [queue.problem, history.problem]) if (p) problems.push(p)
            const owners = g.submissions.map((s) => ({ id: s.id, keys: clustersOf(s).map(String) }))
            for (const [id, list] of assignJobs(owners, mergeAds(queue.ads, history.ads), clusterKey)) jobs.set(id, list)
          })
          return { jobs, problems }
        },
      }))
      const result = foldAnswers(outcomes)
      for (const s of submissions) if (!launched.includes(s)) result.unknown.push(s.id)
      return result
    },

    async control(sub: TrackedSubmission, action: ControlAction): Promise<{ message: string }> {
      const id = checkedSubmissionId(sub.id)
      const command = remoteCommand([TOOL[action], '-constraint', submissionConstraint([id], clustersOf(sub))])
      const result = await run(sub, `${sub.setup}\n${command}`, TOOL[action])
      const said = `${result.stdout}${result.stderr}`.trim()
      return { message: said || `${TOOL[action]} printed nothing (exit ${result.code})` }
    },

    async fetchLog(sub: TrackedSubmission, index: number): Promise<TextBlob> {
      const { position, taskIndex } = splitJobIndex(index)
      const cluster = clustersOf(sub)[position]
      if (cluster === undefined) throw new Error(`submission ${sub.shortId} has no job ${index}`)
      const job = `${cluster}.${taskIndex}`
      const attributes = CONDOR_LOG_ATTRIBUTES.join(',')
      const { script, nonce } = sectionedScript([
        {
          setup: sub.setup,
          sections: [
            { name: 'queue', command: remoteCommand(['condor_q', '-json', '-attributes', attributes, job]) },
            { name: 'history', command: remoteCommand(['condor_history', '-json', '-attributes', attributes, '-match', '1', job]) },
          ],
        },
      ])
      const result = await run(sub, script, 'finding the log files')
      const sections = splitSections(result.stdout, result.stderr, nonce)
      const queue = readAdsSection(sections.get('queue'), 'condor_q')
      const history = readAdsSection(sections.get('history'), 'condor_history')
      const ad = queue.ads[0] ?? history.ads[0]
      if (!ad) {
        const why = [queue.problem, history.problem].filter(Boolean).join('; ')
        if (why) throw new BackendUnavailableError(`cannot find job ${job}: ${why}`)
        throw new Error(`HTCondor knows no job ${job} (neither queued nor in its history)`)
      }
      return readRemoteTails(pool, targetOf(sub).endpoint, condorLogFiles(ad, cluster, taskIndex), logCap)
    },

    async findTagged(submissions: readonly TrackedSubmission[]) {
      const ids = submissions.map((s) => checkedSubmissionId(s.id))
      const outcomes = await askEachHost(pool, submissions, queryTimeoutMs, (host) => ({
        parts: host.setups.map((g, i) => ({
          setup: g.setup,
          sections: condorTaggedSections(String(i), submissionConstraint(g.submissions.map((s) => s.id)), completedSince(g.submissions)),
        })),
        read: (sections) => {
          const problems: string[] = []
          const ads: CondorAd[] = []
          host.setups.forEach((_g, i) => {
            const queue = readAdsSection(sections.get(`queue-${i}`), 'condor_q')
            const history = readAdsSection(sections.get(`history-${i}`), 'condor_history')
            for (const p of [queue.problem, history.problem]) if (p) problems.push(p)
            ads.push(...mergeAds(queue.ads, history.ads))
          })
          return { found: jobsByTag(ids, ads, clusterKey), problems }
        },
      }))
      return foldTagged(outcomes)
    },

    async close(): Promise<void> {
      // The SSH pool belongs to the caller.
    },
  }
  return backend
}

/** The job's stdout and stderr files from its ad: relative to Iwd, with submit macros of the job expanded. */
export function condorLogFiles(ad: CondorAd, cluster: number, proc: number): RemoteFile[] {
  const iwd = typeof ad.Iwd === 'string' ? ad.Iwd : '/'
  const expand = (p: string) =>
    p.replace(/\$\((Process|ProcId)\)/gi, String(proc)).replace(/\$\((Cluster|ClusterId)\)/gi, String(cluster))
  const files: RemoteFile[] = []
  for (const [label, value] of [
    ['stdout', ad.Out],
    ['stderr', ad.Err],
  ] as const) {
    if (typeof value !== 'string' || value === '' || value === '/dev/null') continue
    const path = posix.resolve(iwd, expand(value))
    if (!files.some((f) => f.path === path)) files.push({ label, path })
  }
  return files
}
