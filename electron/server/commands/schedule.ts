import type { Command } from 'commander'
import type { Schedule } from '../../../shared/api/contract'
import { experimentFor, withConnection } from './api-connection'
import { CliFailure, EXIT_USAGE, type CliContext } from './cli-context'
import { findStage } from './submission-refs'
import { withCommon, type CommonOptions } from './submissions'

/** This machine's IANA zone, the default for new schedules. */
const localZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'

function scheduleLines(s: Schedule): string {
  const runs = s.nextRuns.map((t) => `    ${new Date(t).toISOString()}`).join('\n')
  const last = s.lastRunAt === null ? '' : `\n  last run ${new Date(s.lastRunAt).toISOString()}: ${s.lastOutcome ?? ''}`
  const outcome = s.lastRunAt === null && s.lastOutcome ? `\n  ${s.lastOutcome}` : ''
  return (
    `${s.stageName}: "${s.cron}" in ${s.timezone}, launching as ${s.launcher}; ` +
    `${s.clearWhenExhausted ? 'removed' : 'kept'} when the split is exhausted${last}${outcome}\n  next runs:\n${runs}\n`
  )
}

/** `poms schedule STAGE "CRON" [--timezone Z] [--delete]`, `poms schedule --list`: per-stage cron launches. */
export function registerScheduleCommand(program: Command, ctx: CliContext): void {
  withCommon(
    program
      .command('schedule')
      .description('launch a stage on a cron schedule (five fields, read in --timezone), remove it, or list the schedules')
      .argument('[stage]', 'CAMPAIGN/STAGE, or the stage\'s short id or id')
      .argument('[cron]', 'minute hour day-of-month month day-of-week, e.g. "0 2 * * *"')
      .option('--timezone <zone>', `IANA time zone the expression is read in (default: this machine's, ${localZone()})`)
      .option('--delete', 'remove the stage\'s schedule')
      .option('--list', 'list the schedules with their next runs'),
  ).action((ref: string | undefined, cron: string | undefined, options: CommonOptions & { timezone?: string; delete?: boolean; list?: boolean }) =>
    withConnection(options, ctx, 'poms schedule', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      if (options.list) {
        const schedules = await api.call('schedules:list', { experiment })
        if (options.json) return void ctx.out(`${JSON.stringify(schedules, null, 2)}\n`)
        if (schedules.length === 0) return void ctx.out('no schedules\n')
        for (const s of schedules) ctx.out(scheduleLines(s))
        return
      }
      if (!ref) throw new CliFailure('name the stage to schedule (or --list)', EXIT_USAGE)
      const stage = await findStage(api, experiment, ref)
      if (options.delete) {
        const result = await api.call('schedules:delete', { experiment, stageId: stage.id })
        if (options.json) return void ctx.out(`${JSON.stringify(result, null, 2)}\n`)
        ctx.out(result.deleted ? `removed the schedule of ${stage.name}\n` : `${stage.name} had no schedule\n`)
        return
      }
      if (!cron) throw new CliFailure('give the cron expression, e.g. poms schedule STAGE "0 2 * * *"', EXIT_USAGE)
      const s = await api.call('schedules:set', { experiment, stageId: stage.id, cron, timezone: options.timezone ?? localZone() })
      if (options.json) return void ctx.out(`${JSON.stringify(s, null, 2)}\n`)
      ctx.out(scheduleLines(s))
      ctx.out('runs launch while POMS Desktop or poms serve has this data directory open; runs missed while neither does are not made up\n')
    }),
  )
}
