import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assignJobs, jobsByTag, mergeAds, readAdsSection } from '../../electron/core/engine/backends/htcondor/condor-query'
import { parseCondorJson } from '../../electron/core/engine/backends/htcondor/condor-ads'
import {
  JOBSUB_FAILURE_LINE,
  jobsubAdKey,
  jobsubBatchKey,
  keyToJobId,
  normalizeJobsubId,
  parseJobsubJobIds,
  summarizeJobsubControl,
} from '../../electron/core/engine/backends/jobsub-lite/jobsub-output'
import { jobsubTagEnv } from '../../electron/core/engine/backends/jobsub-lite/jobsub-tags'
import { noJobIdReason } from '../../electron/core/engine/backends/remote/launch-failure'
import { BATCH_STRIDE } from '../../electron/core/engine/backends/remote/job-index'

/**
 * Outputs captured from the jobsub_lite emulator on the HTCondor test host (jobsub_lite's texts
 * over the real HTCondor 23.9): a 4-job cluster 40 on jobsub01 (proc 3 exits 3) and a 2-job cluster
 * 41 on jobsub02, both tagged POMS4_SUBMISSION_ID="0198c5e1-…-00000000000c".
 */
const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/batch/jobsub-lite', name), 'utf8')
const SUB = '0198c5e1-0000-7000-8000-00000000000c'
const run = (stdout: string, stderr = '', code: number | null = 0) => ({ code, stdout, stderr, lines: `${stdout}\n${stderr}`.split('\n') })

describe('jobsub_submit output', () => {
  it('reads the job id of "Use job id … to retrieve output"', () => {
    expect(parseJobsubJobIds(fixture('submit-ok.stdout'))).toEqual(['40.0@jobsub01.fnal.gov'])
    expect(parseJobsubJobIds(fixture('submit-ok.stdout') + fixture('submit-long.stdout'))).toEqual(['40.0@jobsub01.fnal.gov', '41.0@jobsub02.fnal.gov'])
  })

  it('normalises the forms POMS and jobsub use to C.0@schedd', () => {
    for (const id of ['123@jobsub02.fnal.gov', '123.@jobsub02.fnal.gov', '123.0@jobsub02.fnal.gov']) expect(normalizeJobsubId(id)).toBe('123.0@jobsub02.fnal.gov')
    expect(normalizeJobsubId('not an id')).toBeNull()
    expect(jobsubBatchKey('123.0@jobsub02.fnal.gov')).toBe('123@jobsub02.fnal.gov')
    expect(keyToJobId('123@jobsub02.fnal.gov')).toBe('123.0@jobsub02.fnal.gov')
  })

  it('finds no id when condor_submit failed although jobsub exited 0, and names jobsub’s reason', () => {
    const out = fixture('submit-max.stdout')
    const err = fixture('submit-max.stderr')
    expect(parseJobsubJobIds(out + err)).toEqual([])
    const reason = noJobIdReason('jobsub job id', run(out, err), JOBSUB_FAILURE_LINE)
    expect(reason).toContain('(the launch script exited 0)')
    expect(reason).toContain('ERROR: Failed to create proc / Number of submitted jobs would exceed MAX_JOBS_PER_SUBMISSION / Error: condor_submit exited with failed status code 1')
  })

  it('names the token failure jobsub reports', () => {
    const reason = noJobIdReason('jobsub job id', run(fixture('submit-token.stdout'), fixture('submit-token.stderr'), 1), JOBSUB_FAILURE_LINE)
    expect(reason).toBe('no jobsub job id in the launch output (the launch script exited 1): Error: ExpiredSignatureError: Signature has expired')
  })
})

describe('jobsub_q -json and jobsub_history -json', () => {
  const keyOwners = [
    { id: SUB, keys: ['40@jobsub01.fnal.gov'] },
    { id: 'other', keys: ['41@jobsub02.fnal.gov', '40@jobsub02.fnal.gov'] },
  ]

  it('reads one array per schedd and tells the schedds apart by JobsubJobId', () => {
    const ads = parseCondorJson(fixture('q-two.json'))
    expect(ads).toHaveLength(6)
    expect(ads.map(jobsubAdKey)).toEqual([...Array(4).fill('40@jobsub01.fnal.gov'), ...Array(2).fill('41@jobsub02.fnal.gov')])
    const jobs = assignJobs(keyOwners, ads, jobsubAdKey)
    expect(jobs.get(SUB)!.map((j) => [j.index, j.state, j.batchJobId])).toEqual([
      [0, 'idle', '40.0@jobsub01.fnal.gov'],
      [1, 'idle', '40.1@jobsub01.fnal.gov'],
      [2, 'idle', '40.2@jobsub01.fnal.gov'],
      [3, 'idle', '40.3@jobsub01.fnal.gov'],
    ])
    expect(jobs.get('other')!.map((j) => j.index)).toEqual([0, 1])
  })

  it('a schedd that does not answer: exit 0, "Failed to fetch ads" on stderr, the other schedd’s ads kept, partial', () => {
    const read = readAdsSection({ stdout: fixture('q-one-down.json'), stderr: fixture('q-one-down.stderr'), exitCode: 0 }, 'jobsub_q')
    expect(read.ads).toHaveLength(4)
    expect(read.problem).toBe('jobsub_q: -- Failed to fetch ads from: <127.0.0.1:1> : jobsub02.fnal.gov / CEDAR:6001:Failed to connect to <127.0.0.1:1>')
  })

  it('finished jobs from jobsub_history, with the cluster key from JobsubJobId (it ignores the schedd of an id)', () => {
    expect(fixture('q-done.json')).toBe('')
    const merged = mergeAds(parseCondorJson(fixture('q-done.json')), parseCondorJson(fixture('history.json')))
    const jobs = assignJobs(keyOwners, merged, jobsubAdKey).get(SUB)!
    expect(jobs.map((j) => [j.index, j.state, j.exitCode])).toEqual([
      [0, 'completed', 0],
      [1, 'completed', 0],
      [2, 'completed', 0],
      [3, 'failed', 3],
    ])
    // The same cluster number on the other schedd is another submission's.
    expect(assignJobs([{ id: 'x', keys: ['40@jobsub02.fnal.gov'] }], merged, jobsubAdKey).size).toBe(0)
  })

  it('finds a submission by its tag across schedds, numbering its second cluster from BATCH_STRIDE', () => {
    const found = jobsByTag([SUB], parseCondorJson(fixture('q-two.json')), jobsubAdKey).get(SUB)!
    expect(found.batchId).toBe('40@jobsub01.fnal.gov,41@jobsub02.fnal.gov')
    expect(found.jobs.map((j) => j.index)).toEqual([0, 1, 2, 3, BATCH_STRIDE, BATCH_STRIDE + 1])
  })
})

describe('jobsub_rm / hold / release messages', () => {
  it('tells what was done per schedd from what was not', () => {
    expect(summarizeJobsubControl(fixture('hold.stdout')).done).toHaveLength(2)
    expect(summarizeJobsubControl(fixture('rm.stdout')).done).toEqual(['All jobs in cluster 41 have been marked for removal'])
    const mixed = summarizeJobsubControl(`${fixture('release.stdout')}\nCouldn't find/release all jobs matching constraint (POMS4_SUBMISSION_ID == "x")\n\nJob 12.1 not found\n`)
    expect(mixed.done).toHaveLength(2)
    expect(mixed.notDone).toEqual(['Couldn\'t find/release all jobs matching constraint (POMS4_SUBMISSION_ID == "x")', 'Job 12.1 not found'])
  })
})

describe('tags through JOBSUB_EXTRA_LINES', () => {
  it('writes one +NAME="value" line per tag, comma-separated, with no comma inside a value', () => {
    expect(jobsubTagEnv({ POMS4_SUBMISSION_ID: SUB, POMS4_CAMPAIGN_NAME: 'reco, pass "2" $(x)' })).toEqual({
      JOBSUB_EXTRA_LINES: `+POMS4_SUBMISSION_ID="${SUB}",+POMS4_CAMPAIGN_NAME="reco; pass \\"2\\" $(DOLLAR)(x)"`,
    })
  })
})
