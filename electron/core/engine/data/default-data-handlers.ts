import { formatDimensions, parseDimensions } from '../../../../shared/dimensions/parse'
import { datasetDims, dimsText, isDimsText } from '../../../../shared/splits/dims'
import { AppError } from '../../../../shared/errors'
import { DatasetError, DataServiceError, type DataHandler, type SplitRequest } from './data-handler'
import type { DataHandlerConfig, DataHandlerFactories } from './data-handlers'
import { createDimensionDataHandler } from './dimension-data-handler/create-dimension-data-handler'
import { listLocalDataset, looksLikeLocalFiles } from './local/dataset-spec'
import { createLocalDimensionBackend } from './local/local-dimension-backend'
import { registerInputs } from './local/local-files'
import { isRemoteDataset, listRemoteDataset, parseRemoteDataset } from './local/remote-dataset'
import { createMetacatDataHandler } from './metacat/metacat-data-handler'
import { createSamDimensionBackend } from './sam/sam-backend'

/**
 * The experiment settings each handler reads (set with `experiments:configure`). Secrets (tokens)
 * are kept in the secret store and read on every request, so a renewed token is picked up.
 */
export const HANDLER_SETTINGS = {
  sam: { required: ['sam.base_url'], optional: ['sam.user', 'sam.station', 'sam.group'], secrets: ['sam.token'] },
  metacat: { required: ['metacat.url', 'data_dispatcher.url'], optional: ['rucio.url'], secrets: ['metacat.token', 'rucio.token'] },
} as const

function required(config: DataHandlerConfig, kind: keyof typeof HANDLER_SETTINGS): void {
  const missing = HANDLER_SETTINGS[kind].required.filter((key) => !config.settings[key])
  if (missing.length > 0) {
    throw new AppError('UNAVAILABLE', `experiment ${config.experiment} uses the ${kind} data handler, but ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set (experiments:configure)`)
  }
}

/** A token from the experiment's secrets, asked for on every request; a missing one is an outage to report. */
function secretToken(config: DataHandlerConfig, name: string, service: string) {
  const read = async () => {
    const value = await config.secret(name)
    if (!value) throw new DataServiceError(service, `no ${name} secret is set for experiment ${config.experiment}`, 401)
    return value
  }
  return { token: read, refresh: read }
}

/**
 * `local`: the catalog in the store behind POMS's dimension logic. A dataset written as files on
 * this machine (a glob, a list, `@listfile`) enters the catalog under its own text before it is
 * split, counted or started as a project, so every split type works on it unchanged; local jobs
 * get the files' paths.
 */
function localHandler(config: DataHandlerConfig): DataHandler {
  const { deps, experiment } = config
  const catalog = deps.repos.localCatalog
  const backend = createLocalDimensionBackend({ db: deps.db, catalog, experiment, clock: deps.clock })
  const dims = createDimensionDataHandler({ kind: 'local', backend })
  /**
   * Files on this machine named by the dataset itself (a glob, a list, `@listfile`): the catalog
   * has no definition of that name yet, or only the one registering it made (a plain snapshot). A
   * slice of such a dataset carries its path in its name too, but is a definition of its own.
   */
  async function fileDataset(dataset: string): Promise<boolean> {
    const text = dataset.trim()
    if (!looksLikeLocalFiles(text)) return false
    const defined = await backend.describeDefinition(text)
    if (defined === null) return true
    try {
      return parseDimensions(defined).kind === 'snapshot_id'
    } catch {
      return false
    }
  }
  /** The dataset as the dimension logic must read it: a path-named definition whose text would read as a query is quoted. */
  const asDefinition = (dataset: string): string => {
    const text = dataset.trim()
    return looksLikeLocalFiles(text) && isDimsText(text) ? formatDimensions({ kind: 'defname', name: text }) : dataset
  }
  /** The files of a dataset on a batch host (`sftp://setup/…`), listed there over SSH. */
  const remoteFiles = async (dataset: string) => {
    const remote = parseRemoteDataset(dataset)!
    if (!config.remoteExec) throw new DatasetError(`${dataset.trim()}: files on a batch host cannot be listed here (no SSH)`)
    return listRemoteDataset(remote, config.remoteExec)
  }
  /** Entry points register a file dataset first (listing it again, so files that appeared join). */
  const register = async (dataset: string): Promise<string> => {
    if (await fileDataset(dataset)) {
      const listed = isRemoteDataset(dataset) ? await remoteFiles(dataset) : undefined
      await registerInputs({ db: deps.db, catalog, clock: deps.clock }, experiment, dataset, listed)
    }
    return asDefinition(dataset)
  }
  const onDefinitions = <F extends { dataset: string }>(facts: F): F => ({ ...facts, dataset: asDefinition(facts.dataset) })
  const previewSplits = dims.previewSplits as (req: SplitRequest, count: number, options?: { filesPerSlice?: number }) => ReturnType<DataHandler['previewSplits']>
  return {
    ...dims,
    async nextSplit(req) {
      return dims.nextSplit({ ...req, dataset: await register(req.dataset) })
    },
    async previewSplits(req, count, ...rest: [{ filesPerSlice?: number }?]) {
      const preview = await previewSplits.call(dims, { ...req, dataset: await register(req.dataset) }, count, ...rest)
      // Local jobs and people read paths: show each slice's first files as paths.
      for (const slice of preview.slices as { dims?: string | null; files?: string[] }[]) {
        if (slice.dims && slice.files && slice.files.length > 0) slice.files = (await backend.listPaths(slice.dims)).slice(0, slice.files.length).map((f) => f.path ?? f.name)
      }
      return preview
    },
    async countFiles(exp, dataset) {
      return dims.countFiles(exp, await register(dataset))
    },
    async listFiles(_exp, dataset, limit) {
      // Files on disk are listed from the disk: the truth the project registers when it starts.
      if (await fileDataset(dataset)) return (isRemoteDataset(dataset) ? (await remoteFiles(dataset)).map((f) => f.path) : await listLocalDataset(dataset)).slice(0, limit)
      const files = await backend.listPaths(dimsText(datasetDims(asDefinition(dataset))))
      return files.slice(0, limit).map((f) => f.path ?? f.name)
    },
    async beginProject(facts) {
      return dims.beginProject({ ...facts, dataset: await register(facts.dataset) })
    },
    accounting: (facts) => dims.accounting(onDefinitions(facts)),
    located: (facts, pct) => dims.located(onDefinitions(facts), pct),
    recoveryDataset: (facts, type, position, parent) => dims.recoveryDataset(onDefinitions(facts), type, position, parent && onDefinitions(parent)),
    dependencyDataset: (parent, patterns, index, upstream) => dims.dependencyDataset(onDefinitions(parent), patterns, index, upstream),
  }
}

/** The data handlers this build offers, by kind. */
export function defaultDataHandlerFactories(): DataHandlerFactories {
  return {
    local: localHandler,
    sam: (config) => {
      required(config, 'sam')
      const s = config.settings
      const backend = createSamDimensionBackend({
        baseUrl: s['sam.base_url']!,
        experiment: config.experiment,
        ...(s['sam.user'] ? { user: s['sam.user'] } : {}),
        ...(s['sam.station'] ? { station: s['sam.station'] } : {}),
        ...(s['sam.group'] ? { group: s['sam.group'] } : {}),
        token: () => config.secret('sam.token'),
        clock: config.deps.clock,
        logger: config.deps.logger.child('sam'),
      })
      return createDimensionDataHandler({ kind: 'sam', backend })
    },
    metacat: (config) => {
      required(config, 'metacat')
      const s = config.settings
      return createMetacatDataHandler({
        metacatUrl: s['metacat.url']!,
        dataDispatcherUrl: s['data_dispatcher.url']!,
        ...(s['rucio.url'] ? { rucioUrl: s['rucio.url'] } : {}),
        tokens: {
          dataDispatcher: secretToken(config, 'metacat.token', 'Data Dispatcher'),
          ...(s['rucio.url'] ? { rucio: secretToken(config, 'rucio.token', 'Rucio') } : {}),
        },
      })
    },
  }
}
