import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants as fsConstants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import { constants as osConstants, hostname } from 'node:os'
import { delimiter, join } from 'node:path'
import type { JobState } from '../../../../shared/domain/job'
import { CappedFileWriter, readTail } from '../../files/capped-file'
import type { Clock } from '../../ports'
import type { JobUpdate } from '../../store/repos/job-repo'
import { shareFiles } from '../data/data-handler'
import { LaunchError, type Backend, type ControlAction, type LaunchIo, type LaunchPlan, type QueryResult, type SubmitResult, type TrackedSubmission } from './backend'
import { sampleProcUsage } from './proc-usage'

interface LocalJob {
  index: number
  state: JobState
  exitCode: number | null
  submittedAt: number
  startedAt: number | null
  finishedAt: number | null
  cpuSeconds: number | null
  memoryMb: number | null
  pid: number | null
  child: ChildProcess | null
  killRequested: boolean
  /** Held by a person: not started (idle) or stopped with SIGSTOP (running). */
  held: boolean
}

interface LocalSubmission {
  plan: LaunchPlan
  dir: string
  jobs: LocalJob[]
}

export interface LocalBackendOptions {
  /** Where job folders (input lists, outputs, logs) live: `<dataDir>/jobs`. */
  jobsDir: string
  clock: Clock
  /** Jobs running at once across all local submissions. */
  concurrency: number
  /** Called whenever a job changes state, so the engine can poll at once instead of waiting. */
  onChange?: () => void
  /** Grace period between SIGTERM and SIGKILL on kill. */
  killGraceMs?: number
  logCapBytes?: number
}

/** Find an executable the way execvp would, but checked up front so a missing script is a clear LaunchFailed. */
export function resolveExecutable(command: string, env: NodeJS.ProcessEnv): string {
  const isExecutable = (file: string) => {
    try {
      accessSync(file, fsConstants.X_OK)
      return statSync(file).isFile()
    } catch {
      return false
    }
  }
  if (command.includes('/')) {
    if (!existsSync(command)) throw new LaunchError(`the launch script ${command} does not exist`)
    if (!isExecutable(command)) throw new LaunchError(`the launch script ${command} is not an executable file (chmod +x?)`)
    return command
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command)
  }
  throw new LaunchError(`the command ${command} was not found on PATH`)
}

const signalExitCode = (signal: NodeJS.Signals): number => 128 + (osConstants.signals[signal] ?? 0)

/**
 * The embedded `local` backend: a submission's jobs are processes on this machine, started without
 * a shell (argv straight to the executable), under a concurrency limit, each in its own process
 * group so a kill takes its children too. State lives in memory; the engine persists it.
 */
export function createLocalBackend(opts: LocalBackendOptions): Backend {
  const submissions = new Map<string, LocalSubmission>()
  const queue: { sub: LocalSubmission; job: LocalJob }[] = []
  let running = 0
  const host = hostname()
  const graceMs = opts.killGraceMs ?? 5000
  const changed = () => opts.onChange?.()

  const sampler = setInterval(() => {
    for (const sub of submissions.values()) {
      for (const job of sub.jobs) {
        if (job.state !== 'running' || job.pid === null) continue
        const usage = sampleProcUsage(job.pid)
        if (usage) {
          job.cpuSeconds = usage.cpuSeconds
          job.memoryMb = usage.memoryMb ?? job.memoryMb
        }
      }
    }
  }, 500)
  sampler.unref()

  function finish(sub: LocalSubmission, job: LocalJob, code: number | null, signal: NodeJS.Signals | null, log: CappedFileWriter) {
    if (job.finishedAt !== null) return
    job.finishedAt = opts.clock.now()
    job.exitCode = code ?? (signal ? signalExitCode(signal) : null)
    job.state = job.killRequested ? 'removed' : job.exitCode === 0 ? 'completed' : 'failed'
    job.held = false
    job.child = null
    log.close()
    running--
    pump()
    changed()
  }

  function start(sub: LocalSubmission, job: LocalJob) {
    running++
    const log = new CappedFileWriter(join(sub.dir, `job-${job.index}.log`), opts.logCapBytes)
    const env = {
      ...process.env,
      ...sub.plan.env,
      PROCESS: String(job.index),
      POMS_JOB_INDEX: String(job.index),
      POMS_NJOBS: String(sub.plan.jobCount),
      POMS_INPUT_FILE_LIST: join(sub.dir, `input-${job.index}.txt`),
      POMS_OUTPUT_DIR: join(sub.dir, `out-${job.index}`),
    }
    mkdirSync(env.POMS_OUTPUT_DIR, { recursive: true })
    job.state = 'running'
    job.startedAt = opts.clock.now()
    let child: ChildProcess
    try {
      child = spawn(sub.plan.argv[0]!, sub.plan.argv.slice(1), {
        cwd: join(sub.dir, `out-${job.index}`),
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        shell: false,
      })
    } catch (err) {
      log.write(`cannot start the job: ${(err as Error).message}\n`)
      finish(sub, job, 127, null, log)
      return
    }
    job.child = child
    job.pid = child.pid ?? null
    child.stdout?.on('data', (chunk: Buffer) => log.write(chunk))
    child.stderr?.on('data', (chunk: Buffer) => log.write(chunk))
    child.on('error', (err) => {
      log.write(`cannot start the job: ${err.message}\n`)
      finish(sub, job, 127, null, log)
    })
    child.on('close', (code, signal) => finish(sub, job, code, signal, log))
    changed()
  }

  function pump() {
    while (running < opts.concurrency && queue.length > 0) {
      const next = queue.shift()!
      if (next.job.state !== 'idle' || next.job.held) continue
      start(next.sub, next.job)
    }
  }

  const toUpdate = (job: LocalJob): JobUpdate => ({
    index: job.index,
    batchJobId: job.pid === null ? null : String(job.pid),
    state: job.held ? 'held' : job.state,
    exitCode: job.exitCode,
    holdReason: job.held ? 'held by request (local backend)' : null,
    submittedAt: job.submittedAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    wallSeconds: job.startedAt === null ? null : ((job.finishedAt ?? opts.clock.now()) - job.startedAt) / 1000,
    cpuSeconds: job.cpuSeconds,
    memoryMb: job.memoryMb,
    host,
  })

  return {
    kind: 'local',

    async submit(plan: LaunchPlan, io: LaunchIo): Promise<SubmitResult> {
      if (plan.argv.length === 0) throw new LaunchError('the launch command is empty')
      const submissionId = plan.id
      const executable = resolveExecutable(plan.argv[0]!, { ...process.env, ...plan.env })
      if (io.signal.aborted) throw new LaunchError('the launch was aborted before any job started')
      const dir = join(opts.jobsDir, submissionId)
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      const shares = shareFiles(plan.files, plan.jobCount)
      shares.forEach((files, i) => writeFileSync(join(dir, `input-${i}.txt`), files.map((f) => `${f}\n`).join('')))
      const now = opts.clock.now()
      const sub: LocalSubmission = {
        plan: { ...plan, argv: [executable, ...plan.argv.slice(1)] },
        dir,
        jobs: shares.map((_, index) => ({
          index,
          state: 'idle',
          exitCode: null,
          submittedAt: now,
          startedAt: null,
          finishedAt: null,
          cpuSeconds: null,
          memoryMb: null,
          pid: null,
          child: null,
          killRequested: false,
          held: false,
        })),
      }
      submissions.set(submissionId, sub)
      io.log(`executable: ${executable}`)
      io.log(`job folder: ${dir}`)
      shares.forEach((files, i) => io.log(`job ${i}: ${files.length} input file${files.length === 1 ? '' : 's'}`))
      for (const job of sub.jobs) queue.push({ sub, job })
      pump()
      return { batchId: `local:${plan.shortId}`, jobs: sub.jobs.map(toUpdate) }
    },

    async query(tracked: readonly TrackedSubmission[]): Promise<QueryResult> {
      const jobs = new Map<string, JobUpdate[]>()
      const unknown: string[] = []
      for (const { id } of tracked) {
        const sub = submissions.get(id)
        if (sub) jobs.set(id, sub.jobs.map(toUpdate))
        else unknown.push(id)
      }
      return { jobs, unknown, partial: false }
    },

    async control(tracked: TrackedSubmission, action: ControlAction): Promise<{ message: string }> {
      const sub = submissions.get(tracked.id)
      if (!sub) return { message: `no local jobs of ${tracked.shortId} are running in this process` }
      const now = opts.clock.now()
      const signalGroup = (pid: number, signal: NodeJS.Signals) => {
        try {
          process.kill(-pid, signal)
        } catch {
          /* already gone */
        }
      }
      let touched = 0
      for (const job of sub.jobs) {
        if (job.state !== 'idle' && job.state !== 'running') continue
        touched++
        if (action === 'hold') {
          job.held = true
          if (job.state === 'running' && job.pid !== null) signalGroup(job.pid, 'SIGSTOP')
        } else if (action === 'release') {
          if (!job.held) continue
          job.held = false
          if (job.state === 'running' && job.pid !== null) signalGroup(job.pid, 'SIGCONT')
          // A held job that was still waiting left the queue when its turn came: it waits again.
          else if (job.state === 'idle' && !queue.some((q) => q.job === job)) queue.push({ sub, job })
        } else {
          job.killRequested = true
          job.held = false
          if (job.state === 'idle') {
            job.state = 'removed'
            job.finishedAt = now
          } else if (job.pid !== null) {
            const pid = job.pid
            signalGroup(pid, 'SIGCONT')
            signalGroup(pid, 'SIGTERM')
            setTimeout(() => {
              if (job.child) signalGroup(pid, 'SIGKILL')
            }, graceMs).unref()
          }
        }
      }
      if (action === 'release') pump()
      changed()
      const verb = action === 'kill' ? 'removing' : action === 'hold' ? 'holding' : 'releasing'
      return { message: `${verb} ${touched} local job${touched === 1 ? '' : 's'} of ${tracked.shortId}` }
    },

    async fetchLog(tracked: TrackedSubmission, index: number) {
      return readTail(join(opts.jobsDir, tracked.id, `job-${index}.log`))
    },

    async findTagged() {
      // Local jobs live in this process only: after a restart there is nothing to adopt.
      return new Map()
    },

    async close(): Promise<void> {
      clearInterval(sampler)
      queue.length = 0
      const waits: Promise<void>[] = []
      for (const sub of submissions.values()) {
        for (const job of sub.jobs) {
          if (job.child && job.pid !== null) {
            const child = job.child
            waits.push(new Promise((resolve) => child.once('close', () => resolve())))
            try {
              process.kill(-job.pid, 'SIGTERM')
            } catch {
              /* already gone */
            }
          }
        }
      }
      let timer: NodeJS.Timeout | undefined
      await Promise.race([Promise.all(waits), new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))])
      clearTimeout(timer)
    },
  }
}
