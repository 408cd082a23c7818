import { InvalidArgumentError, type Command } from 'commander'
import { randomUUID } from 'node:crypto'
import { RECOVERY_TYPES, type RecoveryType } from '../../../shared/domain/job-type'
import { experimentFor, withConnection } from './api-connection'
import type { CliContext } from './cli-context'
import { findSubmission, submissionLine } from './submission-refs'
import { followLaunch, withCommon, type CommonOptions } from './submissions'

const recoveryType = (value: string): RecoveryType => {
  if (!(RECOVERY_TYPES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${RECOVERY_TYPES.join(', ')}.`)
  return value as RecoveryType
}

/** `poms recover SUBMISSION [--type T] [--preview]`: manual recovery, or what it would take. */
export function registerRecoverCommand(program: Command, ctx: CliContext): void {
  withCommon(
    program
      .command('recover')
      .description('launch a recovery of a finished submission (the recovery plan\'s next step, or --type); --preview shows the files and launches nothing')
      .argument('<submission>', 'a submission\'s short id or id')
      .option('--type <type>', `the recovery type (${RECOVERY_TYPES.join(', ')})`, recoveryType)
      .option('--preview', 'list the files the recovery would take, and why; launch nothing'),
  ).action((ref: string, options: CommonOptions & { type?: RecoveryType; preview?: boolean }) =>
    withConnection(options, ctx, 'poms recover', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      const { id } = await findSubmission(api, experiment, ref)
      if (options.preview) {
        const p = await api.call('submissions:recoveryPreview', { experiment, id, type: options.type })
        if (options.json) return void ctx.out(`${JSON.stringify(p, null, 2)}\n`)
        const step = p.position === null ? 'chosen type' : `step ${p.position + 1} of the recovery plan`
        ctx.out(`${p.type} (${step}): ${p.count} file${p.count === 1 ? '' : 's'} to recover${p.dataset ? ` as ${p.dataset}` : ''}; nothing was launched\n`)
        ctx.out(`why: ${p.detail}\n`)
        for (const file of p.files) ctx.out(`  ${file}\n`)
        if (p.count > p.files.length) ctx.out(`  … and ${p.count - p.files.length} more\n`)
        return
      }
      const result = await api.call('submissions:recover', { experiment, id, type: options.type, idempotencyKey: `cli-${randomUUID()}` })
      if (result.held) {
        if (options.json) return void ctx.out(`${JSON.stringify(result, null, 2)}\n`)
        ctx.out(`launches are held: the recovery was queued (${result.held.id})\n`)
        return
      }
      const submission = result.submission!
      // A local launch opened in this process dies with it, so it is followed to its end.
      const inProcessLocal = !options.server && submission.backend === 'local'
      const settled = await followLaunch(api, ctx, experiment, submission.id, inProcessLocal, options.json === true)
      ctx.out(options.json ? `${JSON.stringify(settled, null, 2)}\n` : `${submissionLine(settled)}\n`)
    }),
  )
}
