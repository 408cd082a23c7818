import { Option, type Command } from 'commander'
import { readFileSync } from 'node:fs'
import type { ImportResult } from '../../../shared/campaign-file/import-report'
import { ROLES, type Role } from '../../../shared/domain/roles'
import { withConnection, withConnectionOptions, experimentFor, type ApiConnection, type ConnectionOptions } from './api-connection'
import { CliFailure, type CliContext } from './cli-context'
import { importReportLines, refusedSummary, validateReportLines } from './import-report-lines'

interface ImportOptions extends ConnectionOptions {
  dryRun?: boolean
  json?: boolean
  experiment?: string
  role?: Role
}

/** What the contract takes in one call (campaigns:import), with room for JSON overhead under the server's body limit. */
const MAX_FILES_PER_CALL = 500
const MAX_CHARS_PER_CALL = 8_000_000
const MAX_FILE_CHARS = 2_000_000

type Loaded = { name: string; text: string } | { name: string; problem: string }

const emptyTally = () => ({ campaigns: [], stages: [], dependencies: [], jobTypes: [], loginSetups: [] })

/** A file that never reached the core (unreadable, not UTF-8, too large), reported like any refused file. */
const unreadable = (name: string, problem: string, dryRun: boolean): ImportResult => ({
  file: name,
  accepted: false,
  dryRun,
  campaign: null,
  campaignId: null,
  stages: [],
  dependencies: [],
  created: emptyTally(),
  reused: emptyTally(),
  ignored: [],
  warnings: [],
  errors: [{ code: 'UNREADABLE', message: problem, line: null, column: null, section: null, key: null, path: null }],
})

function load(path: string): Loaded {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return { name: path, problem: e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'a directory, not a campaign file' : `cannot read it: ${e.message}` }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return { name: path, problem: 'not UTF-8 text; POMS reads campaign files as UTF-8' }
  }
  if (text.length > MAX_FILE_CHARS) return { name: path, problem: `${bytes.length} bytes: a campaign file over 2 MB is not a campaign file` }
  return { name: path, text }
}

/** Files in calls the contract and the server's body limit accept; results come back in file order. */
async function importAll(api: ApiConnection, experiment: string, role: Role | undefined, paths: readonly string[], dryRun: boolean): Promise<ImportResult[]> {
  const loaded = paths.map(load)
  const results = new Map<number, ImportResult>()
  let batch: { index: number; name: string; text: string }[] = []
  let chars = 0
  const flush = async () => {
    if (batch.length === 0) return
    const { results: answered } = await api.call('campaigns:import', {
      experiment,
      role,
      dryRun,
      files: batch.map(({ name, text }) => ({ name, text })),
    })
    answered.forEach((r, i) => results.set(batch[i]!.index, r))
    batch = []
    chars = 0
  }
  for (const [index, file] of loaded.entries()) {
    if ('problem' in file) {
      results.set(index, unreadable(file.name, file.problem, dryRun))
      continue
    }
    if (batch.length === MAX_FILES_PER_CALL || chars + file.text.length > MAX_CHARS_PER_CALL) await flush()
    batch.push({ index, ...file })
    chars += file.text.length
  }
  await flush()
  return loaded.map((_, i) => results.get(i)!)
}

function run(paths: string[], options: ImportOptions, ctx: CliContext, mode: 'import' | 'validate'): Promise<void> {
  const dryRun = mode === 'validate' || options.dryRun === true
  return withConnection(options, ctx, `poms ${mode}`, async (api) => {
    const experiment = await experimentFor(api, options.experiment)
    const results = await importAll(api, experiment, options.role, paths, dryRun)
    if (options.json) ctx.out(`${JSON.stringify(results, null, 2)}\n`)
    else {
      const lines = mode === 'validate' ? validateReportLines(results) : importReportLines(results)
      ctx.out(lines.map((line) => `${line}\n`).join(''))
    }
    const refused = refusedSummary(results, mode === 'validate' ? 'not valid' : 'refused')
    if (refused) throw new CliFailure(refused)
  })
}

const withImportOptions = (command: Command): Command =>
  withConnectionOptions(
    command
      .argument('<files...>', 'campaign .ini files')
      .option('--json', 'print one JSON object per file: {file, accepted, campaign, stages, dependencies, created, reused, ignored, warnings, errors}')
      .option('--experiment <code>', 'the experiment to import into (default: your first experiment)')
      .addOption(new Option('--role <role>', 'the role to act in (default: your strongest)').choices(ROLES)),
  )

/** `poms import FILE...`: each file all-or-nothing; `--dry-run` reports exactly what would happen. */
export function registerImportCommand(program: Command, ctx: CliContext): void {
  withImportOptions(program.command('import').description('import POMS campaign .ini files (each file all-or-nothing)'))
    .option('--dry-run', 'report what would be created and reused; write nothing')
    .action((paths: string[], options: ImportOptions) => run(paths, options, ctx, 'import'))
}

/** `poms validate FILE...`: a dry-run import whose report shows errors and warnings with file:line. */
export function registerValidateCommand(program: Command, ctx: CliContext): void {
  withImportOptions(program.command('validate').description('check POMS campaign .ini files as an import would, writing nothing')).action(
    (paths: string[], options: ImportOptions) => run(paths, options, ctx, 'validate'),
  )
}
