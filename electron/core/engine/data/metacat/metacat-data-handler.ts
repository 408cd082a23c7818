import { DatasetError, type DataHandler, type SplitOutcome, type SplitRequest } from '../data-handler'
import { DataDispatcherClient } from './data-dispatcher-client'
import { dependencyDataset } from './dependency'
import type { HttpPolicy, TokenProvider } from './http'
import { MetacatClient } from './metacat-client'
import { datasetKind } from './mql-text'
import { accounting, beginProject, located } from './project-ops'
import { recoveryDataset } from './recovery'
import { RucioClient } from './rucio-client'
import type { HandlerServices, ProjectDefaults } from './services'
import { dataDispatcherLedger, type SplitLedger } from './split-ledger'
import { nextSlice, planSplits } from './splits'

/**
 * The `metacat` data handler: datasets are MetaCat queries, each submission's files are a Data
 * Dispatcher project, and Rucio (when configured) says which files have replicas — POMS's "Shrek"
 * (poms-reference.md Appendix A, protocols.md §4–6).
 */

export interface MetacatDataHandlerOptions {
  /** METACAT_SERVER_URL */
  metacatUrl: string
  /** DATA_DISPATCHER_URL */
  dataDispatcherUrl: string
  /** Rucio's server; without it replica questions go to Data Dispatcher. */
  rucioUrl?: string
  tokens: {
    /** Queries need no token; give one if the server is set to require it. */
    metacat?: TokenProvider
    /** A MetaCat token: Data Dispatcher uses MetaCat's auth. */
    dataDispatcher: TokenProvider
    rucio?: TokenProvider
  }
  project?: Partial<ProjectDefaults>
  /** Default `core.application.version`; null to not filter pending_files on the version. */
  versionKey?: string | null
  /** Default `core.run_number` (byrun, byexistingruns). */
  runKey?: string
  /** Default: the experiment's name. */
  dependsNamespace?: (experiment: string) => string
  /** Where stateful splits remember delivered files; default: ledger projects in Data Dispatcher. */
  ledger?: SplitLedger
  http?: Partial<HttpPolicy>
}

/** DataHandler, with the split simulator's first files per slice (the engine passes `filesPerSlice`). */
export interface MetacatDataHandler extends DataHandler {
  previewSplits(req: SplitRequest, count: number, options?: { filesPerSlice?: number }): Promise<{ slices: (SplitOutcome & { files?: string[] })[]; exhaustedAfter: number | null }>
}

export function createMetacatDataHandler(opts: MetacatDataHandlerOptions): MetacatDataHandler {
  const closing = new AbortController()
  const common = { policy: opts.http ?? {}, closed: closing.signal }
  const metacat = new MetacatClient({ url: opts.metacatUrl, ...(opts.tokens.metacat ? { token: opts.tokens.metacat } : {}), ...common })
  const dd = new DataDispatcherClient({ url: opts.dataDispatcherUrl, token: opts.tokens.dataDispatcher, ...common })
  if (opts.rucioUrl && !opts.tokens.rucio) throw new Error('a Rucio URL needs a Rucio token provider')
  const rucio = opts.rucioUrl && opts.tokens.rucio ? new RucioClient({ url: opts.rucioUrl, token: opts.tokens.rucio, ...common }) : null
  const svc: HandlerServices = {
    metacat,
    dd,
    rucio,
    ledger: opts.ledger ?? dataDispatcherLedger(dd),
    runKey: opts.runKey ?? 'core.run_number',
    versionKey: opts.versionKey === undefined ? 'core.application.version' : opts.versionKey,
    dependsNamespace: opts.dependsNamespace ?? ((experiment) => experiment),
    project: { idleTimeout: 259200, workerTimeout: null, virtual: false, loadLimit: null, ...(opts.project ?? {}) },
  }

  /** A dataset's files as `namespace:name`, in MetaCat's order (`ordered`) or the project's. */
  async function filesOf(dataset: string, limit?: number): Promise<string[]> {
    const kind = datasetKind(dataset)
    if (kind.k === 'query') return (await metacat.query(limit === undefined ? `(${kind.mql}) ordered` : `(${kind.mql}) ordered limit ${limit}`)).map((f) => `${f.namespace}:${f.name}`)
    if (kind.k === 'project') return (await dd.handles(kind.id)).slice(0, limit).map((h) => `${h.namespace}:${h.name}`)
    throw new DatasetError(`"${dataset}" names no files (neither a MetaCat query nor a Data Dispatcher project)`)
  }

  return {
    kind: 'metacat',
    nextSplit: (req) => nextSlice(svc, req),
    /** `filesPerSlice`: the split simulator also shows each slice's first files. */
    async previewSplits(req, count, options = {}) {
      const plan = await planSplits(svc, req, count, false)
      const n = options.filesPerSlice ?? 0
      const slices = n <= 0 ? plan.slices : await Promise.all(plan.slices.map(async (s) => ({ ...s, files: datasetKind(s.dataset).k === 'parameter' ? [] : await filesOf(s.dataset, n) })))
      return { slices, exhaustedAfter: plan.exhaustedAfter }
    },
    async countFiles(_experiment, dataset) {
      const kind = datasetKind(dataset)
      if (kind.k === 'query') return metacat.count(kind.mql)
      if (kind.k === 'project') return (await dd.handles(kind.id)).length
      throw new DatasetError(`"${dataset}" names no files (neither a MetaCat query nor a Data Dispatcher project)`)
    },
    listFiles: (_experiment, dataset, limit) => filesOf(dataset, limit),
    beginProject: (facts) => beginProject(svc, facts),
    accounting: (facts) => accounting(svc, facts),
    located: (facts, pct) => located(svc, facts, pct),
    recoveryDataset: (facts, type, position, parent) => recoveryDataset(svc, facts, type, position, parent),
    dependencyDataset: (parent, patterns, index, upstreamType) => dependencyDataset(svc, parent, patterns, index, upstreamType),
    async close() {
      closing.abort()
    },
  }
}
