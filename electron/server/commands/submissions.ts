import { InvalidArgumentError, type Command } from 'commander'
import { randomUUID } from 'node:crypto'
import type { Submission } from '../../../shared/domain/submission'
import { experimentFor, withConnection, withConnectionOptions, type ApiConnection, type ConnectionOptions } from './api-connection'
import { CliFailure, type CliContext } from './cli-context'
import { findStage, findSubmission, submissionLine } from './submission-refs'

export interface CommonOptions extends ConnectionOptions {
  experiment?: string
  json?: boolean
}

const SETTLED = ['Completed', 'Failed', 'LaunchFailed', 'Cancelled', 'Located', 'Removed']
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const withCommon = (command: Command): Command =>
  withConnectionOptions(command.option('--experiment <code>', 'the experiment (default: your first one)').option('--json', 'print machine-readable JSON'))

/** Waits until a launch has handed its jobs over (or failed), printing its output as it grows. */
export async function followLaunch(api: ApiConnection, ctx: CliContext, experiment: string, id: string, untilSettled: boolean, quiet: boolean): Promise<Submission> {
  let printed = 0
  for (;;) {
    const { submission } = await api.call('submissions:get', { experiment, id })
    if (!quiet) {
      const output = await api.call('submissions:launchOutput', { experiment, id })
      if (output.text.length > printed) {
        ctx.out(output.text.slice(printed))
        printed = output.text.length
      }
    }
    const launchDone = submission.launchState === 'launched' || submission.launchState === 'failed' || submission.launchState === 'awaiting'
    if (launchDone && (!untilSettled || SETTLED.includes(submission.status))) {
      // Followed to its end: let wrap-up say now whether it is Located, rather than when it next runs.
      if (untilSettled && submission.status === 'Completed') {
        await api.call('wrapup:run', {})
        return (await api.call('submissions:get', { experiment, id })).submission
      }
      return submission
    }
    if (submission.launchState === 'awaiting') return submission
    await sleep(500)
  }
}

/** `poms launch`, `poms status`, `poms kill|hold|release`, `poms logs`: submissions from the command line. */
export function registerSubmissionCommands(program: Command, ctx: CliContext): void {
  withCommon(
    program
      .command('launch')
      .description('launch a stage (CAMPAIGN/STAGE or its id); --dry-run shows what would run and changes nothing')
      .argument('<stage>', 'CAMPAIGN/STAGE, or the stage\'s short id or id')
      .option('--test', 'a test launch: test overrides and test split type')
      .option('--dry-run', 'show the exact command, environment, script and files; launch nothing')
      .option('--dataset <dataset>', 'launch on this dataset instead of the stage\'s (or its split\'s)')
      .option('--wait', 'wait until the submission has finished, not only until its jobs are submitted'),
  ).action((ref: string, options: CommonOptions & { test?: boolean; dryRun?: boolean; dataset?: string; wait?: boolean }) =>
    withConnection(options, ctx, 'poms launch', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      const stage = await findStage(api, experiment, ref)
      const result = await api.call('submissions:launch', {
        experiment,
        stageId: stage.id,
        test: options.test ?? false,
        datasetOverride: options.dataset ?? null,
        idempotencyKey: `cli-${randomUUID()}`,
        dryRun: options.dryRun ?? false,
      })
      if (result.preview) {
        const p = result.preview
        if (options.json) return void ctx.out(`${JSON.stringify(p, null, 2)}\n`)
        ctx.out(`dry run of ${stage.name} (${p.backend}${p.target ? ` on ${p.target.account}@${p.target.host}:${p.target.port}` : ''}); nothing was launched\n`)
        ctx.out(`command: ${p.command}\n`)
        if (p.script) ctx.out(`script run on the launch host:\n${p.script}\n`)
        for (const [k, v] of Object.entries(p.env)) ctx.out(`env ${k}=${v}\n`)
        ctx.out(`dataset: ${p.dataset || '(none)'}; ${p.files.length} files; ${p.jobCount} jobs\n`)
        if (p.problem) ctx.out(`problem: ${p.problem}\n`)
        return
      }
      if (result.held) {
        if (options.json) return void ctx.out(`${JSON.stringify(result, null, 2)}\n`)
        ctx.out(`launches are held: the request was queued (${result.held.id}); release it from the Queued launches view\n`)
        return
      }
      const submission = result.submission!
      // A local launch opened in this process dies with it, so it is followed to its end.
      const inProcessLocal = !options.server && submission.backend === 'local'
      const settled = await followLaunch(api, ctx, experiment, submission.id, options.wait === true || inProcessLocal, options.json === true)
      if (options.json) ctx.out(`${JSON.stringify(settled, null, 2)}\n`)
      else ctx.out(`${submissionLine(settled)}\n`)
      if (settled.status === 'LaunchFailed') throw new CliFailure(`the launch failed: ${settled.launchError ?? 'see the launch output'}`)
    }),
  )

  withCommon(
    program
      .command('status')
      .description('the recent submissions, or one submission in detail')
      .argument('[submission]', 'a submission\'s short id or id')
      .option('--active', 'only submissions that still have work on the batch system'),
  ).action((ref: string | undefined, options: CommonOptions & { active?: boolean }) =>
    withConnection(options, ctx, 'poms status', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      if (!ref) {
        const page = await api.call('submissions:list', { experiment, filter: { activeOnly: options.active ?? false }, limit: 50 })
        if (options.json) return void ctx.out(`${JSON.stringify(page.items, null, 2)}\n`)
        if (page.items.length === 0) return void ctx.out('no submissions\n')
        for (const s of page.items) ctx.out(`${submissionLine(s)}\n`)
        return
      }
      const detail = await api.call('submissions:get', { experiment, id: (await findSubmission(api, experiment, ref)).id })
      const jobs = await api.call('submissions:jobs', { experiment, id: detail.submission.id })
      if (options.json) return void ctx.out(`${JSON.stringify({ ...detail, jobs }, null, 2)}\n`)
      ctx.out(`${submissionLine(detail.submission)}\n`)
      ctx.out(`batch id: ${detail.submission.batchId ?? '—'}; backend: ${detail.submission.backend}; dataset: ${detail.submission.dataset || '—'}\n`)
      ctx.out('history:\n')
      for (const h of detail.history) ctx.out(`  ${new Date(h.at).toISOString()}  ${h.status.padEnd(17)} ${h.actor} (${h.face})${h.reason ? `: ${h.reason}` : ''}\n`)
      ctx.out('jobs:\n')
      for (const j of jobs) ctx.out(`  ${String(j.index).padStart(4)}  ${j.state.padEnd(9)} exit ${j.exitCode ?? '—'}${j.host ? `  on ${j.host}` : ''}${j.holdReason ? `  (${j.holdReason})` : ''}\n`)
    }),
  )

  for (const [name, description] of [
    ['kill', 'kill a submission\'s jobs and mark it Cancelled'],
    ['hold', 'hold a submission\'s jobs on the batch system'],
    ['release', 'release a submission\'s held jobs'],
  ] as const) {
    withCommon(program.command(name).description(description).argument('<submission>', 'a submission\'s short id or id')).action((ref: string, options: CommonOptions) =>
      withConnection(options, ctx, `poms ${name}`, async (api) => {
        const experiment = await experimentFor(api, options.experiment)
        const { id } = await findSubmission(api, experiment, ref)
        if (name === 'kill') {
          const killed = await api.call('submissions:kill', { experiment, id })
          ctx.out(options.json ? `${JSON.stringify(killed, null, 2)}\n` : `${submissionLine(killed)}\n`)
          return
        }
        const result = await api.call(name === 'hold' ? 'submissions:hold' : 'submissions:release', { experiment, id })
        ctx.out(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${result.message}\n`)
      }),
    )
  }

  withCommon(
    program
      .command('logs')
      .description('a submission\'s launch output, or one job\'s log')
      .argument('<submission>', 'a submission\'s short id or id')
      .option('--job <n>', 'the job (its index) whose log to show', (value) => {
        if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a job index (0, 1, …).')
        return Number(value)
      }),
  ).action((ref: string, options: CommonOptions & { job?: number }) =>
    withConnection(options, ctx, 'poms logs', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      const { id } = await findSubmission(api, experiment, ref)
      const blob = options.job === undefined ? await api.call('submissions:launchOutput', { experiment, id }) : await api.call('submissions:jobLog', { experiment, id, index: options.job })
      if (options.json) return void ctx.out(`${JSON.stringify(blob, null, 2)}\n`)
      ctx.out(blob.text.endsWith('\n') || blob.text === '' ? blob.text : `${blob.text}\n`)
      if (blob.truncated) ctx.err(`(only the last part is shown: ${blob.bytes} bytes in all)\n`)
    }),
  )
}
