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
import { targetOf } from '../remote/host-groups'
import { askEachHost, foldAnswers, foldTagged, type HostAnswer } from '../remote/host-query'
import { batchIdList, joinBatchIds, splitJobIndex } from '../remote/job-index'
import { noJobIdReason } from '../remote/launch-failure'
import { launchOnHost, launchScriptOf, type RemoteBackendOptions } from '../remote/launch-on-host'
import { DEFAULT_LOG_CAP_BYTES, readRemoteTails } from '../remote/remote-files'
import { sectionedScript, splitSections } from '../remote/script-sections'
import { checkedSubmissionId } from '../remote/submission-id'
import { execOnTarget } from '../remote/target-exec'
import { parseSbatchJobs } from './sbatch-output'
import { jobCompTask, parseJobComp } from './slurm-jobcomp'
import { jobCompLogFiles, scontrolLogFiles, scontrolTaskRecord, type OutputPatterns } from './slurm-logs'
import {
  assignSlurmJobs,
  forgottenJobsProblem,
  readSlurmSections,
  slurmStatusSections,
  slurmTaggedKeys,
  slurmTaggedSections,
  type SlurmOwner,
} from './slurm-query'
import { SBATCH_COMMENT_FUNCTION, slurmComment, slurmJobName, slurmTagEnv } from './slurm-tags'
import { squeueBatchKey } from './squeue-json'

export type SlurmBackendOptions = RemoteBackendOptions

/** A submission's Slurm job ids (`812` or `812,815`). */
const jobIdsOf = (sub: TrackedSubmission): string[] => batchIdList(sub.batchId).filter((id) => /^\d+$/.test(id))

const MAX_REMEMBERED_PATTERNS = 10_000

/**
 * Slurm over SSH (architecture.md §6): the author's launch command runs sbatch itself, tagged by job
 * name and comment (slurm-tags.ts); status is one squeue --json plus the completion log per host and
 * poll; each array task is one job.
 */
/** The launch script's parts for this batch system: its job tags, and the setup they need. */
const launchParts = (plan: LaunchPlan): { plan: LaunchPlan; tagEnv: Record<string, string> } => ({ plan: { ...plan, setup: `${plan.setup}\n${SBATCH_COMMENT_FUNCTION}` }, tagEnv: slurmTagEnv(checkedSubmissionId(plan.id)) })

export function createSlurmBackend(opts: SlurmBackendOptions): Backend {
  const { pool, clock } = opts
  const launchTimeoutMs = opts.launchTimeoutMs ?? 30 * 60_000
  const queryTimeoutMs = opts.queryTimeoutMs ?? 120_000
  const logCap = opts.logCapBytes ?? DEFAULT_LOG_CAP_BYTES
  /** Output patterns squeue showed, per Slurm job id: fetchLog needs them once Slurm forgot the job. */
  const patterns = new Map<string, OutputPatterns>()
  const remember = (key: string, p: OutputPatterns) => {
    patterns.delete(key)
    patterns.set(key, p)
    if (patterns.size > MAX_REMEMBERED_PATTERNS) patterns.delete(patterns.keys().next().value!)
  }

  const run = (sub: TrackedSubmission, script: string, what: string) => execOnTarget(pool, sub, script, what, queryTimeoutMs)


  const backend: Backend = {
    kind: 'slurm',

    launchScript: (plan: LaunchPlan) => launchScriptOf(launchParts, plan),

    submit: (plan: LaunchPlan, io: LaunchIo): Promise<SubmitResult> =>
      launchOnHost(backend, pool, launchParts, plan, io, launchTimeoutMs, (launched) => {
        const jobs = parseSbatchJobs(launched.stdout)
        if (jobs.length === 0) throw new LaunchError(noJobIdReason('Slurm job id', launched, /sbatch|error/i))
        const clusters = [...new Set(jobs.flatMap((j) => (j.cluster ? [j.cluster] : [])))]
        if (clusters.length > 0) io.log(`== note: submitted to cluster ${clusters.join(', ')}; status is read from the login setup's default cluster ==`)
        if (launched.code !== 0) io.log(`== the launch script exited ${launched.code ?? 'by a signal'} after submitting job ${jobs.map((j) => j.jobId).join(', ')} ==`)
        return { batchId: joinBatchIds(jobs.map((j) => j.jobId)), jobs: [] }
      }),

    async query(submissions: readonly TrackedSubmission[]): Promise<QueryResult> {
      const launched = submissions.filter((s) => jobIdsOf(s).length > 0)
      const outcomes = await askEachHost<HostAnswer>(pool, launched, queryTimeoutMs, (host) => ({
        parts: host.setups.map((g, i) => ({ setup: g.setup, sections: slurmStatusSections(String(i), g.submissions.flatMap(jobIdsOf).map(Number)) })),
        read: (sections) => {
          const jobs = new Map<string, JobUpdate[]>()
          const problems: string[] = []
          host.setups.forEach((g, i) => {
            const answer = readSlurmSections(sections.get(`squeue-${i}`), sections.get(`jobcomp-${i}`))
            const owners: SlurmOwner[] = g.submissions.map((s) => ({ id: s.id, keys: jobIdsOf(s) }))
            const forgotten = forgottenJobsProblem(owners, answer)
            problems.push(...answer.problems, ...(forgotten ? [forgotten] : []))
            const ours = new Set(owners.flatMap((o) => o.keys))
            for (const job of answer.squeue ?? []) {
              const key = squeueBatchKey(job)
              if (ours.has(key)) remember(key, { stdout: job.standard_output, stderr: job.standard_error, cwd: job.current_working_directory })
            }
            for (const [id, list] of assignSlurmJobs(owners, answer, host.timezone, clock.now())) jobs.set(id, list)
          })
          return { jobs, problems }
        },
      }))
      const result = foldAnswers(outcomes)
      for (const s of submissions) if (!launched.includes(s)) result.unknown.push(s.id)
      return result
    },

    async control(sub: TrackedSubmission, action: ControlAction): Promise<{ message: string }> {
      const ids = jobIdsOf(sub)
      if (ids.length === 0) return { message: `no Slurm job of ${sub.shortId} is known yet` }
      // scancel and scontrol take an array's id for all its tasks. scontrol hold keeps pending tasks
      // from starting; running ones go on (suspending them needs an operator: scontrol suspend).
      const argv = action === 'kill' ? ['scancel', ...ids] : ['scontrol', action, ids.join(',')]
      const result = await run(sub, `${sub.setup}\n${remoteCommand(argv)}`, argv[0]!)
      const said = `${result.stdout}${result.stderr}`.trim()
      const verb = action === 'kill' ? 'cancel' : action
      return { message: said || (result.code === 0 ? `${argv.join(' ')}: Slurm accepted the ${verb} request` : `${argv.join(' ')} failed (exit ${result.code})`) }
    },

    async fetchLog(sub: TrackedSubmission, index: number): Promise<TextBlob> {
      const { position, taskIndex } = splitJobIndex(index)
      const key = jobIdsOf(sub)[position]
      if (key === undefined) throw new Error(`submission ${sub.shortId} has no job ${index}`)
      const { script, nonce } = sectionedScript([
        {
          setup: sub.setup,
          sections: [
            { name: 'scontrol', command: remoteCommand(['scontrol', '-o', 'show', 'job', key]) },
            ...slurmStatusSections('log', [Number(key)]).filter((s) => s.name.startsWith('jobcomp')),
          ],
        },
      ])
      const result = await run(sub, script, 'finding the log files')
      const sections = splitSections(result.stdout, result.stderr, nonce)
      const live = sections.get('scontrol')
      const record = live?.exitCode === 0 ? scontrolTaskRecord(live.stdout, taskIndex) : null
      let files = record ? scontrolLogFiles(record) : []
      if (!record) {
        const records = parseJobComp(sections.get('jobcomp-log')?.stdout ?? '')
        const arrayIds = new Set(records.flatMap((r) => (r.ArrayJobId ? [r.ArrayJobId] : [])))
        const done = records.find((r) => {
          const t = jobCompTask(r, arrayIds)
          return t !== null && t.key === key && t.task === taskIndex
        })
        if (!done) throw new Error(`Slurm knows no job ${key}${taskIndex ? `_${taskIndex}` : ''} any more, and its completion log has no record of it`)
        files = jobCompLogFiles(done, taskIndex, patterns.get(key))
      }
      return readRemoteTails(pool, targetOf(sub).endpoint, files, logCap)
    },

    async findTagged(submissions: readonly TrackedSubmission[]) {
      const ids = submissions.map((s) => checkedSubmissionId(s.id))
      const byTag = new Map(ids.flatMap((id) => [[slurmJobName(id), id] as const, [slurmComment(id), id] as const]))
      const tagOf = (job: { name: string; comment: string }) => byTag.get(job.comment) ?? byTag.get(job.name) ?? null
      const outcomes = await askEachHost(pool, submissions, queryTimeoutMs, (host) => ({
        parts: host.setups.map((g, i) => ({ setup: g.setup, sections: slurmTaggedSections(String(i), g.submissions.map((s) => slurmJobName(s.id.toLowerCase()))) })),
        read: (sections) => {
          const found = new Map<string, { batchId: string; jobs: JobUpdate[] }>()
          const problems: string[] = []
          host.setups.forEach((_g, i) => {
            const answer = readSlurmSections(sections.get(`squeue-${i}`), sections.get(`jobcomp-${i}`))
            problems.push(...answer.problems)
            const owners = [...slurmTaggedKeys(answer, tagOf)].map(([id, keys]) => ({ id, keys }))
            const jobs = assignSlurmJobs(owners, answer, host.timezone, clock.now())
            for (const o of owners) found.set(o.id, { batchId: joinBatchIds(o.keys), jobs: jobs.get(o.id) ?? [] })
          })
          return { found, problems }
        },
      }))
      return foldTagged(outcomes)
    },

    async close(): Promise<void> {
      patterns.clear()
    },
  }
  return backend
}
