import { InvalidArgumentError, type Command } from 'commander'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Campaign } from '../../../shared/domain/campaign'
import { AppError } from '../../../shared/errors'
import { experimentFor, withConnection, withConnectionOptions, type ApiConnection, type ConnectionOptions } from './api-connection'
import { CliFailure, type CliContext } from './cli-context'

interface ExportOptions extends ConnectionOptions {
  output?: string
  revision?: number
  experiment?: string
}

function parseRevision(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a revision number (1, 2, …).')
  return n
}

/** A campaign as people name it on the command line: its exact name, else its short id or id. */
async function findCampaign(api: ApiConnection, experiment: string, ref: string): Promise<Campaign> {
  let cursor: string | null = null
  do {
    const page: { items: Campaign[]; nextCursor: string | null } = await api.call('campaigns:list', { experiment, filter: { name: ref, includeInactive: true }, sort: 'name', cursor, limit: 200 })
    const exact = page.items.find((c) => c.name === ref)
    if (exact) return exact
    cursor = page.nextCursor
  } while (cursor)
  try {
    return await api.call('campaigns:get', { experiment, id: ref })
  } catch (err) {
    if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'BAD_INPUT')) {
      throw new CliFailure(`no campaign named ${ref} (or with that id) in ${experiment}`)
    }
    throw err
  }
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** `poms export CAMPAIGN [-o FILE]`: the campaign (or one revision) as a POMS .ini file. */
export function registerExportCommand(program: Command, ctx: CliContext): void {
  withConnectionOptions(
    program
      .command('export')
      .description('export a campaign as a POMS .ini file (to stdout unless -o is given)')
      .argument('<campaign>', 'the campaign: its name, short id or id')
      .option('-o, --output <file>', 'write to this file (or into this directory, as <campaign>.ini)')
      .option('--revision <n>', 'export this published revision instead of the current configuration', parseRevision)
      .option('--experiment <code>', 'the campaign\'s experiment (default: your first experiment)'),
  ).action((ref: string, options: ExportOptions) =>
    withConnection(options, ctx, 'poms export', async (api) => {
      const experiment = await experimentFor(api, options.experiment)
      const campaign = await findCampaign(api, experiment, ref)
      const { fileName, text } = await api.call('campaigns:export', { experiment, id: campaign.id, revision: options.revision })
      if (!options.output) {
        ctx.out(text)
        return
      }
      const target = isDirectory(options.output) ? join(options.output, fileName) : options.output
      writeFileSync(target, text)
      ctx.out(`exported campaign ${campaign.name}${options.revision ? ` (revision ${options.revision})` : ''} to ${target}\n`)
    }),
  )
}
