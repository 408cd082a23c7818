import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shellQuote } from '../../shared/domain/launch-params'
import { remoteCommand } from '../../electron/core/ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../electron/core/ssh/ssh-pool'
import { trustAndTest } from '../helpers/campaign-run'
import { startCore, waitForSubmission, type CoreHarness } from '../helpers/core-harness'
import { requireService } from '../helpers/services'
import { pinnedPool, sshdHost } from '../helpers/test-hosts'

/**
 * The `local` data handler with files on a batch host: a stage's dataset `sftp://<setup>/…/*.dat`
 * is listed on the Slurm login host over SSH (real sshd), enters the local catalog under that
 * prefix, is split like any local dataset, and each Slurm launch hands its jobs the slice's paths
 * on the host in POMS_INPUT_FILE_LIST.
 */

const EXP = 'demo'
const FILES = 9

/** Each array task writes the input list it was given, and which of its files it could read. */
const JOB = `#!/bin/bash
set -eu
out="$1/task-$SLURM_ARRAY_TASK_ID.txt"
: > "$out"
while IFS= read -r f; do
  [ -n "$f" ] || continue
  if [ -r "$f" ]; then echo "read $f" >> "$out"; else echo "missing $f" >> "$out"; fi
done < "$POMS_INPUT_FILE_LIST"
`

describe('local datasets on a batch host (sftp://setup/…), split and launched on Slurm', () => {
  let h: CoreHarness
  let pool: SshPool
  let endpoint: SshEndpoint
  let dir: string
  let stageId: string
  const ssh = async (argv: string[]) => (await pool.exec(endpoint, remoteCommand(argv))).stdout
  const name = (i: number) => `ev ${String(i).padStart(2, '0')}.dat`

  beforeAll(async () => {
    const host = sshdHost()
    const sshd = host.env
    const slurmConf = requireService('slurm').SLURM_CONF!
    endpoint = host.endpoint
    pool = pinnedPool(host)
    dir = `${sshd.SSHD_HOME}/poms-it-remote-data-${process.pid}-${Date.now()}`
    await ssh(['mkdir', '-p', `${dir}/raw/sub`, `${dir}/out`])
    // Names with a space, a file that does not match, and one in a subfolder the glob does not reach.
    for (let i = 0; i < FILES; i++) await pool.upload(endpoint, `${dir}/raw/${name(i)}`, `event ${i}\n`)
    await pool.upload(endpoint, `${dir}/raw/notes.txt`, 'not data\n')
    await pool.upload(endpoint, `${dir}/raw/sub/deep.dat`, 'too deep\n')
    await pool.upload(endpoint, `${dir}/job.sh`, JOB, 0o755)

    h = await startCore({ pollIntervalMs: 700 })
    const setup = await h.call('loginSetups:create', {
      experiment: EXP,
      value: {
        name: 'cluster',
        backend: 'slurm',
        host: endpoint.host,
        port: endpoint.port,
        account: endpoint.username,
        setup: [`export SLURM_CONF=${shellQuote(slurmConf)}`, `cd ${shellQuote(dir)}`].join('\n'),
        authMethod: 'key-file',
        keyFile: sshd.SSHD_CLIENT_KEY!,
      },
    })
    await trustAndTest(h, EXP, setup.id)
    const jobType = await h.call('jobTypes:create', {
      experiment: EXP,
      value: { name: 'read-inputs', launchScript: 'sbatch --parsable', definitionParameters: [['--array=0-', '1'], [shellQuote(`${dir}/job.sh`), ''], [shellQuote(`${dir}/out`), '']] },
    })
    const campaign = await h.call('campaigns:create', { experiment: EXP, value: { name: 'remote-data' } })
    stageId = (
      await h.call('stages:create', {
        experiment: EXP,
        value: { campaignId: campaign.id, name: 'read', jobTypeId: jobType.id, loginSetupId: setup.id, dataset: `sftp://cluster${dir}/raw/*.dat`, splitType: 'nfiles(4)' },
      })
    ).id
  }, 180_000)

  afterAll(async () => {
    await h?.stop()
    if (pool && dir) await ssh(['rm', '-rf', dir]).catch(() => undefined)
    pool?.close()
  })

  it('previews the split from the files on the host, in path order, leaving the cursor alone', async () => {
    const preview = await h.call('splits:preview', { experiment: EXP, stageId, count: 5, filesPerSlice: 4 })
    expect(preview.slices.map((s) => s.fileCount)).toEqual([4, 4, 1])
    expect(preview.exhaustedAfter).toBe(3)
    expect(preview.slices[0]!.files).toEqual([0, 1, 2, 3].map((i) => `sftp://cluster${dir}/raw/${name(i)}`))
    expect(preview.slices[2]!.files).toEqual([`sftp://cluster${dir}/raw/${name(8)}`])
    expect(h.core.deps.repos.stages.get(EXP, stageId)!.splitCursor).toBeNull()
  })

  it('launches a slice on Slurm whose jobs read exactly its files on the host, through POMS_INPUT_FILE_LIST', async () => {
    const launched = await h.call('submissions:launch', { experiment: EXP, stageId, idempotencyKey: `remote-data-${Date.now()}` })
    const done = await waitForSubmission(h, launched.submission!.id, undefined, { timeoutMs: 120_000 })
    expect(done.submission.status).toBe('Completed')
    const slice = [0, 1, 2, 3].map((i) => `${dir}/raw/${name(i)}`)
    expect(done.snapshot!.launch.files).toEqual(slice.map((p) => `sftp://cluster${p}`))
    const output = (await h.call('submissions:launchOutput', { experiment: EXP, id: done.submission.id })).text
    expect(output).toMatch(/input file list: \/\S+\/\.poms\/inputs\/[0-9a-f-]+\.list \(4 files\)/)
    for (const task of [0, 1]) {
      expect((await ssh(['cat', `${dir}/out/task-${task}.txt`])).trim().split('\n')).toEqual(slice.map((p) => `read ${p}`))
    }
    // The next launch takes the next slice.
    const second = await h.call('submissions:launch', { experiment: EXP, stageId, dryRun: true, idempotencyKey: `remote-data-dry-${Date.now()}` })
    expect(second.preview!.files).toEqual([4, 5, 6, 7].map((i) => `sftp://cluster${dir}/raw/${name(i)}`))
  })

  it('names the problem when the files are not there, or the dataset names a login setup that does not exist', async () => {
    const stage = await h.call('stages:get', { experiment: EXP, id: stageId })
    const withDataset = async (stageName: string, dataset: string) =>
      (await h.call('stages:create', { experiment: EXP, value: { campaignId: stage.campaignId!, name: stageName, jobTypeId: stage.jobTypeId, loginSetupId: stage.loginSetupId, dataset, splitType: 'nfiles(4)' } })).id
    const missing = await withDataset('missing', `sftp://cluster${dir}/nowhere/*.dat`)
    await expect(h.call('splits:preview', { experiment: EXP, stageId: missing, count: 1 })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(new RegExp(`^the dataset cannot be used: cannot list the files on cluster: find: .${dir}/nowhere.: No such file or directory`)),
    })
    const unknown = await withDataset('unknown', 'sftp://nosuch/data/*.dat')
    await expect(h.call('splits:preview', { experiment: EXP, stageId: unknown, count: 1 })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('experiment demo has no login setup named nosuch') })
    // A launch on a dataset override of missing host files fails at once, saying why; nothing ran.
    const launched = await h.call('submissions:launch', { experiment: EXP, stageId, datasetOverride: `sftp://cluster${dir}/gone.dat`, idempotencyKey: `remote-data-gone-${Date.now()}` })
    expect(launched.submission).toMatchObject({ status: 'LaunchFailed', launchError: `the dataset cannot be read: input file ${dir}/gone.dat does not exist on cluster (or is not a regular file)` })
  })
})
