import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BATCH_STRIDE } from '../../electron/core/engine/backends/remote/job-index'
import { parseSbatchJobs } from '../../electron/core/engine/backends/slurm/sbatch-output'
import { jobCompTask, parseJobComp, parseJobCompLine } from '../../electron/core/engine/backends/slurm/slurm-jobcomp'
import { expandSlurmPattern, jobCompLogFiles, scontrolLogFiles, scontrolTaskRecord } from '../../electron/core/engine/backends/slurm/slurm-logs'
import { assignSlurmJobs, forgottenJobsProblem, readSlurmSections, slurmTaggedKeys, type SlurmAnswer } from '../../electron/core/engine/backends/slurm/slurm-query'
import { exitPairToExitCode, expandArrayTasks, slurmJobState, waitStatusToExitCode } from '../../electron/core/engine/backends/slurm/slurm-state'
import { slurmComment, slurmJobName } from '../../electron/core/engine/backends/slurm/slurm-tags'
import { parseSqueueJson } from '../../electron/core/engine/backends/slurm/squeue-json'

/** Outputs captured from Slurm 22.05.8 on the test host (see test/fixtures/batch/README.md). */
const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/batch/slurm', name), 'utf8')
const SUB = '0198c5e1-0000-7000-8000-00000000000b'
const NOW = 1795985100_000

/** The answer of one query made of a squeue snapshot and (optionally) the completion log. */
function answer(squeue: string | null, jobcomp = ''): SlurmAnswer {
  return readSlurmSections(
    squeue === null ? { stdout: '', stderr: 'slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n', exitCode: 1 } : { stdout: fixture(squeue), stderr: '', exitCode: 0 },
    { stdout: `JobCompType=jobcomp/filetxt\nJobCompLoc=/x/jobcomp.txt\n${jobcomp}`, stderr: '', exitCode: 0 },
  )
}
const jobsOf = (a: SlurmAnswer, keys = ['14']) => assignSlurmJobs([{ id: SUB, keys }], a, 'UTC', NOW).get(SUB) ?? []

describe('sbatch output', () => {
  it('reads the job id of the default and the --parsable output', () => {
    expect(parseSbatchJobs(fixture('sbatch-default.txt'))).toEqual([{ jobId: 14, cluster: null }])
    expect(parseSbatchJobs(fixture('sbatch-parsable.txt'))).toEqual([{ jobId: 24, cluster: null }])
    expect(parseSbatchJobs('812;cluster2\n')).toEqual([{ jobId: 812, cluster: 'cluster2' }])
    expect(parseSbatchJobs('Submitted batch job 812 on cluster c2\n')).toEqual([{ jobId: 812, cluster: 'c2' }])
  })

  it('prefers "Submitted batch job" lines over bare numbers a script printed', () => {
    expect(parseSbatchJobs('== process_id: 4242 ==\n7\nSubmitted batch job 15\nSubmitted batch job 16\n').map((j) => j.jobId)).toEqual([15, 16])
  })

  it('finds nothing when sbatch refused', () => {
    expect(parseSbatchJobs(fixture('sbatch-bad.txt'))).toEqual([])
    expect(parseSbatchJobs(fixture('sbatch-bad-partition.txt'))).toEqual([])
  })
})

describe('Slurm states and exit codes', () => {
  it('decodes raw wait statuses and exit pairs', () => {
    expect(waitStatusToExitCode(768)).toBe(3)
    expect(waitStatusToExitCode(9)).toBe(137)
    expect(waitStatusToExitCode(0)).toBe(0)
    expect(exitPairToExitCode('3:0')).toBe(3)
    expect(exitPairToExitCode('0:9')).toBe(137)
    expect(exitPairToExitCode('junk')).toBeNull()
  })

  it('maps job states as POMS counts them', () => {
    expect(slurmJobState('PENDING', 'Resources', 4294901754, 0).state).toBe('idle')
    expect(slurmJobState('PENDING', 'JobHeldUser', 0, 0)).toEqual({ state: 'held', exitCode: null, holdReason: 'held by the user (scontrol hold)' })
    expect(slurmJobState('PENDING', 'JobHeldAdmin', 0, 0).holdReason).toBe('held by an administrator')
    expect(slurmJobState('RUNNING', 'JobHeldUser', 0, 0).state).toBe('running')
    for (const s of ['CONFIGURING', 'COMPLETING']) expect(slurmJobState(s, 'None', 1, 0).state).toBe('running')
    expect(slurmJobState('SUSPENDED', 'None', 1, 0)).toMatchObject({ state: 'held', holdReason: 'suspended' })
    expect(slurmJobState('COMPLETED', 'None', 1, 0)).toMatchObject({ state: 'completed', exitCode: 0 })
    expect(slurmJobState('FAILED', 'NonZeroExitCode', 1, 3)).toMatchObject({ state: 'failed', exitCode: 3 })
    for (const s of ['TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL']) expect(slurmJobState(s, 'None', 1, 0)).toMatchObject({ state: 'failed', exitCode: null })
    expect(slurmJobState('CANCELLED by 1001', 'None', 1, 143)).toMatchObject({ state: 'removed', exitCode: 143 })
    expect(slurmJobState('SOMETHING_NEW', 'None', 1, 0).state).toBe('idle')
  })

  it('expands the pending remainder of an array', () => {
    expect(expandArrayTasks('2-9')).toEqual([2, 3, 4, 5, 6, 7, 8, 9])
    expect(expandArrayTasks('1,3,5-7%2')).toEqual([1, 3, 5, 6, 7])
    expect(expandArrayTasks('0-12:4')).toEqual([0, 4, 8, 12])
  })
})

describe('squeue --json snapshots of a 10-task array (task 3 exits 3, task 7 is killed by SIGKILL)', () => {
  it('all of squeue 22.05 comes back: --json ignores the filters, so jobs are picked by id', () => {
    const jobs = parseSqueueJson(fixture('sq-done.json'))
    expect(new Set(jobs.map((j) => j.array_job_id || j.job_id)).size).toBeGreaterThan(1)
    expect(() => parseSqueueJson('{"jobs": [')).toThrow()
  })

  it('an unreachable controller: squeue exits 0 with an errors list and no jobs, which is no answer', () => {
    expect(() => parseSqueueJson(fixture('sq-controller-down.json'))).toThrow('squeue reported: slurm_load_jobs: Failed while looking for jobs: Unspecified error')
    const down = readSlurmSections({ stdout: fixture('sq-controller-down.json'), stderr: '', exitCode: 0 }, { stdout: 'JobCompType=jobcomp/filetxt\n', stderr: '', exitCode: 0 })
    expect(down.squeue).toBeNull()
    expect(down.problems).toEqual(['squeue --json: squeue reported: slurm_load_jobs: Failed while looking for jobs: Unspecified error'])
  })

  it('pending: one record stands for tasks 0-9, all idle', () => {
    const jobs = jobsOf(answer('sq-pending.json'))
    expect(jobs.map((j) => [j.index, j.state, j.batchJobId])).toEqual(Array.from({ length: 10 }, (_, i) => [i, 'idle', `14_${i}`]))
    expect(jobs[0]).toMatchObject({ startedAt: null, host: null, submittedAt: 1795985063000 })
  })

  it('held: the pending tasks are held, the running ones keep running', () => {
    const jobs = jobsOf(answer('sq-held.json'))
    expect(jobs.filter((j) => j.state === 'running').map((j) => j.index)).toEqual([0, 1])
    expect(jobs.filter((j) => j.state === 'held').map((j) => j.index)).toEqual([2, 3, 4, 5, 6, 7, 8, 9])
    expect(jobs[2]!.holdReason).toBe('held by the user (scontrol hold)')
  })

  it('running: start, host and wall time so far (the end_time of a running job is its limit, not an end)', () => {
    const jobs = jobsOf(answer('sq-running.json'))
    expect(jobs[0]).toMatchObject({ state: 'running', startedAt: 1795985064000, finishedAt: null, host: 'vm', wallSeconds: (NOW - 1795985064000) / 1000 })
    expect(jobs[5]!.state).toBe('idle')
  })

  it('done: per-task exit codes from the raw wait status', () => {
    const jobs = jobsOf(answer('sq-done.json'))
    expect(jobs.map((j) => j.state)).toEqual(['completed', 'completed', 'completed', 'failed', 'completed', 'completed', 'completed', 'failed', 'completed', 'completed'])
    expect(jobs[3]).toMatchObject({ exitCode: 3, finishedAt: 1795985073000, wallSeconds: 3 })
    expect(jobs[7]).toMatchObject({ exitCode: 137 })
    expect(jobs[9]).toMatchObject({ batchJobId: '14_9', exitCode: 0 })
  })

  it('a cancelled plain job is task 0, removed, killed by SIGTERM', () => {
    expect(jobsOf(answer('sq-cancelled.json'), ['24'])).toEqual([expect.objectContaining({ index: 0, batchJobId: '24', state: 'removed', exitCode: 143 })])
  })

  it('numbers a second batch id from BATCH_STRIDE', () => {
    const jobs = jobsOf(answer('sq-cancelled.json'), ['14', '24'])
    expect(jobs.map((j) => j.index)).toEqual([...Array.from({ length: 10 }, (_, i) => i), BATCH_STRIDE])
  })
})

describe('the job completion log (jobcomp/filetxt)', () => {
  it('parses its key=value lines, values with = and empty values included', () => {
    const r = parseJobCompLine(fixture('jobcomp.txt').split('\n')[3]!)!
    expect(r).toMatchObject({ JobId: '18', JobState: 'FAILED', ExitCode: '3:0', ArrayJobId: '14', ArrayTaskId: '3', Tres: 'cpu=1,mem=1000M,node=1,billing=1', Account: '' })
  })

  it('gives the tasks Slurm forgot, with times read in the host zone', () => {
    const forgotten = answer(null, fixture('jobcomp.txt'))
    expect(forgotten.problems[0]).toMatch(/squeue failed.*Unable to contact/)
    const jobs = jobsOf(forgotten)
    expect(jobs.map((j) => [j.index, j.state, j.exitCode])).toEqual([
      [0, 'completed', 0],
      [1, 'completed', 0],
      [2, 'completed', 0],
      [3, 'failed', 3],
      [4, 'completed', 0],
      [5, 'completed', 0],
      [6, 'completed', 0],
      [7, 'failed', 137],
      [8, 'completed', 0],
      [9, 'completed', 0],
    ])
    expect(jobs[0]).toMatchObject({ startedAt: Date.UTC(2026, 10, 29, 20, 44, 24), finishedAt: Date.UTC(2026, 10, 29, 20, 44, 27), wallSeconds: 3, host: 'vm' })
    const chicago = assignSlurmJobs([{ id: SUB, keys: ['14'] }], forgotten, 'America/Chicago', NOW).get(SUB)!
    expect(chicago[0]!.finishedAt).toBe(Date.UTC(2026, 10, 30, 2, 44, 27))
  })

  it('squeue wins for tasks it still lists', () => {
    const both = readSlurmSections({ stdout: fixture('sq-held.json'), stderr: '', exitCode: 0 }, { stdout: `JobCompType=jobcomp/filetxt\n${fixture('jobcomp.txt')}`, stderr: '', exitCode: 0 })
    expect(jobsOf(both).map((j) => j.state).slice(0, 3)).toEqual(['running', 'running', 'held'])
  })

  it('a cancelled array’s pending remainder (one line without array fields) names no task', () => {
    const lines = parseJobComp(
      'JobId=11 UserId=u(1) Name=wrap JobState=CANCELLED NodeList=(null) ExitCode=0:0 \nJobId=12 UserId=u(1) Name=wrap JobState=CANCELLED NodeList=vm ArrayJobId=11 ArrayTaskId=0 ExitCode=0:15 \n',
    )
    const arrays = new Set(['11'])
    expect(jobCompTask(lines[0]!, arrays)).toBeNull()
    expect(jobCompTask(lines[1]!, arrays)).toEqual({ key: '11', task: 0 })
  })

  it('without a readable completion log, jobs Slurm forgot make the answer partial', () => {
    const blind = readSlurmSections({ stdout: fixture('sq-cancelled.json'), stderr: '', exitCode: 0 }, { stdout: 'JobCompType=jobcomp/none\nJobCompLoc=\n', stderr: '', exitCode: 0 })
    expect(forgottenJobsProblem([{ id: SUB, keys: ['14', '812'] }], blind)).toMatch(/no longer lists job 812.*jobcomp\/none/)
    expect(forgottenJobsProblem([{ id: SUB, keys: ['14'] }], blind)).toBeNull()
    const unreadable = readSlurmSections({ stdout: fixture('sq-done.json'), stderr: '', exitCode: 0 }, { stdout: '', stderr: 'cannot read the job completion log /x\n', exitCode: 3 })
    expect(unreadable.problems[0]).toMatch(/cannot read the job completion log/)
  })
})

describe('tags', () => {
  it('finds a submission’s jobs by comment or name in squeue and by name in the completion log', () => {
    const byTag = new Map([
      [slurmJobName(SUB), SUB],
      [slurmComment(SUB), SUB],
    ])
    const keys = slurmTaggedKeys(answer('sq-cancelled.json', fixture('jobcomp.txt')), (j) => byTag.get(j.comment) ?? byTag.get(j.name) ?? null)
    // Array 1 of the captured snapshot was an earlier trial run tagged with the same id.
    expect(keys.get(SUB)).toEqual(['1', '14', '24'])
    expect(keys.size).toBe(1)
  })
})

describe('log files', () => {
  it('expands sbatch filename patterns', () => {
    const v = { jobId: 18, arrayJobId: 14, taskId: 3, name: 'reco', user: 'pomstest', node: 'vm,vm2' }
    expect(expandSlurmPattern('out_%A_%a.txt', v)).toBe('out_14_3.txt')
    expect(expandSlurmPattern('%x-%j-%4a-%u-%N-%%', v)).toBe('reco-18-0003-pomstest-vm-%')
    expect(expandSlurmPattern('lit\\%A', v)).toBe('lit%A')
  })

  it('takes the expanded paths of a task from scontrol -o show job', () => {
    const out = [
      'JobId=15 ArrayJobId=14 ArrayTaskId=0 JobName=x JobState=RUNNING WorkDir=/w StdErr=/w/sout_14_0.txt StdIn=/dev/null StdOut=/w/sout_14_0.txt',
      'JobId=14 ArrayJobId=14 ArrayTaskId=2-9 JobName=x JobState=PENDING WorkDir=/w StdErr=/w/sout_14_4294967294.txt StdOut=/w/sout_14_4294967294.txt',
    ].join('\n')
    expect(scontrolLogFiles(scontrolTaskRecord(out, 0)!)).toEqual([{ label: 'stdout', path: '/w/sout_14_0.txt' }])
    expect(scontrolTaskRecord(out, 5)).toBeNull()
    expect(scontrolTaskRecord('JobId=24 JobName=x StdOut=o.txt StdErr=e.txt WorkDir=/w', 0)).not.toBeNull()
    expect(scontrolLogFiles(scontrolTaskRecord('JobId=24 JobName=x StdOut=o.txt StdErr=e.txt WorkDir=/w', 0)!)).toEqual([
      { label: 'stdout', path: '/w/o.txt' },
      { label: 'stderr', path: '/w/e.txt' },
    ])
  })

  it('falls back on the completion record with the patterns squeue showed, or sbatch’s defaults', () => {
    const record = parseJobComp(fixture('jobcomp.txt')).find((r) => r.ArrayTaskId === '3')!
    expect(jobCompLogFiles(record, 3, { stdout: '/home/pomstest/sfx/sout_%A_%a.txt', stderr: '', cwd: '/home/pomstest/sfx' })).toEqual([
      { label: 'stdout', path: '/home/pomstest/sfx/sout_14_3.txt' },
    ])
    expect(jobCompLogFiles(record, 3, undefined)).toEqual([{ label: 'stdout', path: '/home/pomstest/sfx/slurm-14_3.out' }])
  })
})
