import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { classAdConfigString, submissionConstraint } from '../../electron/core/engine/backends/htcondor/classad'
import { condorAdToJob, condorJobState, parseCondorJson, type CondorAd } from '../../electron/core/engine/backends/htcondor/condor-ads'
import { assignJobs, jobsByTag, mergeAds, readAdsSection } from '../../electron/core/engine/backends/htcondor/condor-query'
import { parseCondorClusters } from '../../electron/core/engine/backends/htcondor/condor-submit-output'
import { condorTagEnv } from '../../electron/core/engine/backends/htcondor/condor-tags'
import { condorLogFiles } from '../../electron/core/engine/backends/htcondor/htcondor-backend'
import { BATCH_STRIDE } from '../../electron/core/engine/backends/remote/job-index'

/** Outputs captured from HTCondor 23.9 in the test chroot (see test/fixtures/batch/README.md). */
const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/batch/htcondor', name), 'utf8')
const ads = (name: string) => parseCondorJson(fixture(name))
const SUB = '0198c5e1-0000-7000-8000-00000000000a'
const byProc = (list: CondorAd[]) => new Map(list.map((ad) => [ad.ProcId as number, ad]))
const clusterKey = (ad: CondorAd) => String(ad.ClusterId)

describe('condor_submit output', () => {
  it('finds the clusters of -terse and of the default output', () => {
    expect(parseCondorClusters(fixture('submit-terse.txt'))).toEqual([18])
    expect(parseCondorClusters(fixture('submit-default.txt'))).toEqual([17])
    expect(parseCondorClusters(fixture('submit-terse-two.txt'))).toEqual([20, 21])
    expect(parseCondorClusters(fixture('submit-default-two.txt'))).toEqual([22, 23])
  })

  it('finds none when condor_submit refused the job', () => {
    expect(fixture('submit-bad.txt')).toContain('ERROR: Executable file /nonexistent/x.sh does not exist')
    expect(parseCondorClusters(fixture('submit-bad.txt'))).toEqual([])
    expect(parseCondorClusters('== completed: 123 rc=0 ==\n10 jobs\n')).toEqual([])
  })
})

describe('condor -json output', () => {
  it('reads nothing (condor_q, no match) and [ ] (condor_history, no match) as no ads', () => {
    expect(fixture('q-empty.json')).toBe('')
    expect(parseCondorJson(fixture('q-empty.json'))).toEqual([])
    expect(fixture('history-empty.json')).toBe('[\n]\n')
    expect(parseCondorJson(fixture('history-empty.json'))).toEqual([])
  })

  it('reads one array per schedd, one after the other (jobsub_q across schedds)', () => {
    const both = parseCondorJson(fixture('q-idle.json') + fixture('history.json'))
    expect(both).toHaveLength(20)
  })

  it('throws on an answer cut off in the middle instead of reading it as fewer jobs', () => {
    const text = fixture('q-running.json')
    expect(() => parseCondorJson(text.slice(0, text.length / 2))).toThrow()
  })

  it('skips what jobsub printed before the arrays (htgettoken’s progress on stdout)', () => {
    const noisy = 'Attempting to get token from https://htvault.emulator.invalid:8200 ... succeeded\nStoring bearer token in /tmp/bt\n'
    expect(parseCondorJson(noisy + fixture('q-idle.json'))).toHaveLength(10)
  })
})

describe('job states from real ads', () => {
  it('idle jobs: submitted, not started', () => {
    for (const ad of ads('q-idle.json')) {
      expect(condorAdToJob(ad, ad.ProcId as number)).toMatchObject({
        state: 'idle',
        exitCode: null,
        submittedAt: 1795985009000,
        startedAt: null,
        finishedAt: null,
        host: null,
        wallSeconds: null,
        cpuSeconds: null,
      })
    }
  })

  it('running jobs: start, host, and wall time so far from ServerTime', () => {
    const running = byProc(ads('q-running.json'))
    const job = condorAdToJob(running.get(0)!, 0)
    expect(job).toMatchObject({ state: 'running', batchJobId: '17.0@vm', startedAt: 1795985018000, host: 'vm', finishedAt: null, wallSeconds: 1 })
    expect(condorAdToJob(running.get(9)!, 9).state).toBe('idle')
  })

  it('held jobs carry the hold reason', () => {
    const held = byProc(ads('q-held.json'))
    for (const proc of [8, 9]) expect(condorAdToJob(held.get(proc)!, proc)).toMatchObject({ state: 'held', holdReason: 'via condor_hold (by user pomstest)' })
  })

  it('finished jobs from history: exit codes, a signal as 128 + n, end times, memory', () => {
    const done = byProc(ads('history.json'))
    expect(done.size).toBe(10)
    expect(condorAdToJob(done.get(3)!, 3)).toMatchObject({ state: 'failed', exitCode: 3 })
    expect(condorAdToJob(done.get(7)!, 7)).toMatchObject({ state: 'failed', exitCode: 128 + 9 })
    const ok = condorAdToJob(done.get(8)!, 8)
    expect(ok).toMatchObject({ state: 'completed', exitCode: 0, finishedAt: 1795985033000, startedAt: 1795985028000, wallSeconds: 5, cpuSeconds: 0, host: 'vm' })
    // MemoryUsage is an expression in -json: the number comes from ResidentSetSize (KiB).
    expect(ok.memoryMb).toBe(Math.ceil(35000 / 1024))
    const states = [...done.values()].map((ad) => condorAdToJob(ad, ad.ProcId as number).state)
    expect(states.filter((s) => s === 'completed')).toHaveLength(8)
  })

  it('removed jobs are removed, with no exit code', () => {
    for (const ad of ads('history-removed.json')) expect(condorAdToJob(ad, 0)).toMatchObject({ state: 'removed', exitCode: null })
    expect(fixture('q-removed.json')).toBe('')
  })

  it('maps the rare JobStatus codes without crashing', () => {
    expect(condorJobState({ JobStatus: 6 }).state).toBe('running')
    expect(condorJobState({ JobStatus: 7 })).toEqual({ state: 'held', exitCode: null, holdReason: 'suspended' })
    expect(condorJobState({ JobStatus: 0 }).state).toBe('idle')
    expect(condorJobState({ JobStatus: 4 }).state).toBe('failed')
    expect(condorJobState({ JobStatus: 3, ExitBySignal: true, ExitSignal: 15 })).toMatchObject({ state: 'removed', exitCode: 143 })
  })
})

describe('reading a status query', () => {
  it('a stopped schedd: condor_q exits 1, so the answer is partial with its message', () => {
    const read = readAdsSection({ stdout: fixture('q-down.json'), stderr: fixture('q-down.stderr'), exitCode: 1 }, 'condor_q')
    expect(read.ads).toEqual([])
    expect(read.problem).toMatch(/condor_q failed \(exit 1\).*schedd/)
    expect(fixture('q-down.stderr')).toContain("Error: Can't find address for schedd vm")
  })

  it('"Failed to fetch ads" on stderr is partial even with exit 0 (jobsub_q), keeping the ads that came', () => {
    const read = readAdsSection(
      { stdout: fixture('q-idle.json'), stderr: '-- Failed to fetch ads from: <131.225.0.9:9615> : jobsub02.fnal.gov\nCEDAR:6001:Failed to connect\n', exitCode: 0 },
      'jobsub_q',
    )
    expect(read.ads).toHaveLength(10)
    expect(read.problem).toContain('Failed to fetch ads from')
  })

  it('a section that never ran or never finished is a problem, not an empty queue', () => {
    expect(readAdsSection(undefined, 'condor_q').problem).toMatch(/did not run/)
    expect(readAdsSection({ stdout: fixture('q-idle.json').slice(0, 200), stderr: '', exitCode: null }, 'condor_q').problem).toMatch(/JSON/)
    expect(readAdsSection({ stdout: '', stderr: '', exitCode: 0 }, 'condor_q')).toEqual({ ads: [], problem: null })
  })

  it('history wins over the queue for a job in both (it left the queue in between)', () => {
    const merged = mergeAds(ads('q-running.json'), ads('history.json'))
    expect(merged).toHaveLength(10)
    expect(merged.every((ad) => ad.JobStatus === 4)).toBe(true)
  })

  it('assigns jobs to submissions by cluster, numbering a second cluster from BATCH_STRIDE', () => {
    const jobs = assignJobs(
      [
        { id: 'a', keys: ['17', '18'] },
        { id: 'b', keys: ['99'] },
      ],
      [...ads('history.json'), ...ads('history-removed.json')],
      clusterKey,
    )
    const a = jobs.get('a')!
    expect(a).toHaveLength(20)
    expect(a.slice(0, 10).map((j) => j.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(a[10]).toMatchObject({ index: BATCH_STRIDE, state: 'removed', batchJobId: '18.0@vm' })
    expect(jobs.has('b')).toBe(false)
  })

  it('finds a submission’s jobs by its tag and names their clusters as the batch id', () => {
    const found = jobsByTag([SUB, '0198c5e1-0000-7000-8000-0000000000ff'], [...ads('history.json'), ...ads('history-removed.json')], clusterKey)
    expect(found.get(SUB)?.batchId).toBe('17,18')
    expect(found.get(SUB)?.jobs).toHaveLength(20)
    expect(found.has('0198c5e1-0000-7000-8000-0000000000ff')).toBe(false)
  })
})

describe('tags and constraints', () => {
  it('passes every tag as configuration, named for SUBMIT_ATTRS', () => {
    expect(condorTagEnv({ POMS4_SUBMISSION_ID: SUB, POMS4_CAMPAIGN_NAME: 'reco "pass 2"' })).toEqual({
      POMS_CONDOR_SUBMIT_ATTRS: 'POMS4_SUBMISSION_ID POMS4_CAMPAIGN_NAME',
      _CONDOR_POMS4_SUBMISSION_ID: `"${SUB}"`,
      _CONDOR_POMS4_CAMPAIGN_NAME: '"reco \\"pass 2\\""',
    })
  })

  it('writes ClassAd strings for the config syntax: quotes escaped, $ as $(DOLLAR), no control characters', () => {
    expect(classAdConfigString('a\\b')).toBe('"a\\b"')
    expect(classAdConfigString('$(Process) $ENV(HOME)')).toBe('"$(DOLLAR)(Process) $(DOLLAR)ENV(HOME)"')
    expect(classAdConfigString('line1\nline2\t!')).toBe('"line1 line2 !"')
    expect(classAdConfigString('')).toBe('""')
  })

  it('selects a submission by its tag and its clusters', () => {
    expect(submissionConstraint([SUB], [17, 18])).toBe(`POMS4_SUBMISSION_ID == "${SUB}" || ClusterId == 17 || ClusterId == 18`)
  })
})

describe('log files from a job ad', () => {
  it('resolves Out and Err against Iwd, expands the job macros, and skips /dev/null', () => {
    expect(condorLogFiles({ Iwd: '/home/u/run', Out: 'out.$(Cluster).$(Process)', Err: '/abs/err.$(ProcId)' }, 17, 3)).toEqual([
      { label: 'stdout', path: '/home/u/run/out.17.3' },
      { label: 'stderr', path: '/abs/err.3' },
    ])
    expect(condorLogFiles({ Iwd: '/w', Out: 'both.txt', Err: 'both.txt' }, 1, 0)).toEqual([{ label: 'stdout', path: '/w/both.txt' }])
    expect(condorLogFiles({ Iwd: '/w', Out: '/dev/null', Err: 'e' }, 1, 0)).toEqual([{ label: 'stderr', path: '/w/e' }])
  })
})
