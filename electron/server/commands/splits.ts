import { InvalidArgumentError, type Command } from 'commander'
import { experimentFor, withConnection } from './api-connection'
import type { CliContext } from './cli-context'
import { findStage } from './submission-refs'
import { withCommon, type CommonOptions } from './submissions'

export const positiveInt = (max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}.`)
  return Number(value)
}

/** `poms split preview STAGE [-n K]`: the split simulator — the next launches, changing nothing. */
export function registerSplitCommands(program: Command, ctx: CliContext): void {
  const split = program.command('split').description('a stage\'s split: what its next launches take')
  withCommon(
    split
      .command('preview')
      .description('the next launches of a stage\'s split (dataset, file count, first files); nothing is launched or moved')
      .argument('<stage>', 'CAMPAIGN/STAGE, or the stage\'s short id or id')
      .option('-n, --count <k>', 'how many launches to show (default 10)', positiveInt(1000))
      .option('--files <n>', 'first files shown per launch (default 3, 0 for none)', (v) => (v === '0' ? 0 : positiveInt(100)(v)))
      .option('--test', 'the test split type (test launches)'),
  ).action((ref: string, options: CommonOptions & { count?: number; files?: number; test?: boolean }) =>
    withConnection(options, ctx, 'poms split preview', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      const stage = await findStage(api, experiment, ref)
      const preview = await api.call('splits:preview', { experiment, stageId: stage.id, count: options.count ?? 10, test: options.test ?? false, filesPerSlice: options.files ?? 3 })
      if (options.json) return void ctx.out(`${JSON.stringify(preview, null, 2)}\n`)
      const cursor = preview.cursor === null ? 'at the start' : `at ${preview.cursor}`
      ctx.out(`${stage.name} (${stage.shortId}): ${preview.splitType ? `split ${preview.splitType}, cursor ${cursor}` : 'no split type'}; nothing was launched or moved\n`)
      preview.slices.forEach((slice, i) => {
        const files = slice.fileCount === null ? '' : `  ${slice.fileCount} file${slice.fileCount === 1 ? '' : 's'}`
        const next = preview.splitType ? `  cursor → ${slice.cursorAfter ?? '(set at launch)'}` : ''
        ctx.out(`${String(i + 1).padStart(4)}. ${slice.dataset}${files}${next}\n        ${slice.description}\n`)
        if (slice.files.length > 0) ctx.out(`        ${slice.files.join(', ')}${slice.fileCount !== null && slice.fileCount > slice.files.length ? ', …' : ''}\n`)
      })
      for (const note of preview.notes) ctx.out(`note: ${note}\n`)
    }),
  )
}
