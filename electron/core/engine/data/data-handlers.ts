import type { DataHandlerKind } from '../../../../shared/domain/experiment'
import { AppError } from '../../../../shared/errors'
import type { CoreDeps } from '../../deps'
import type { DataHandler } from './data-handler'
import type { RemoteExec } from './local/remote-dataset'

/** What a data handler is built from: its experiment's settings (service URLs…) and secrets by name. */
export interface DataHandlerConfig {
  experiment: string
  settings: Readonly<Record<string, string>>
  /** A secret's value by its setting name (a token), from the secret store; null when not set. */
  secret(name: string): Promise<string | null>
  deps: CoreDeps
  /** Commands on a login setup's host (for `local` datasets on a batch host); absent where SSH is not set up. */
  remoteExec?: RemoteExec
}

export type DataHandlerFactory = (config: DataHandlerConfig) => DataHandler
export type DataHandlerFactories = Partial<Record<DataHandlerKind, DataHandlerFactory>>

/**
 * The data handler of each experiment (experiments.data_handler), built from its settings and
 * rebuilt when they change. Everything that asks the data side goes through here.
 */
export function createDataHandlers(deps: CoreDeps, factories: DataHandlerFactories, extras: { remoteExec?: (experiment: string) => RemoteExec } = {}) {
  const { repos, logger } = deps
  const built = new Map<string, { kind: DataHandlerKind; rev: number; handler: DataHandler }>()

  const retire = (handler: DataHandler) =>
    void handler.close().catch((err: Error) => logger.warn('a data handler did not close cleanly', { kind: handler.kind, error: err.message }))

  return {
    /** The handler for this experiment; UNAVAILABLE when its kind is not part of this version. */
    forExperiment(experiment: string): DataHandler {
      const exp = repos.experiments.getExperiment(experiment)
      if (!exp) throw new AppError('NOT_FOUND', `experiment ${experiment} does not exist`)
      const settings = repos.experimentSettings.get(experiment)
      const cached = built.get(experiment)
      if (cached && cached.kind === exp.dataHandler && cached.rev === settings.rev) return cached.handler
      const factory = factories[exp.dataHandler]
      if (!factory) throw new AppError('UNAVAILABLE', `the ${exp.dataHandler} data handler of experiment ${experiment} is not available in this version`)
      const handler = factory({
        experiment,
        settings: settings.settings,
        secret: async (name) => {
          const ref = repos.experimentSettings.get(experiment).secretRefs[name]
          return ref ? deps.secrets.get(ref) : null
        },
        deps,
        ...(extras.remoteExec ? { remoteExec: extras.remoteExec(experiment) } : {}),
      })
      if (cached) retire(cached.handler)
      built.set(experiment, { kind: exp.dataHandler, rev: settings.rev, handler })
      return handler
    },
    /** The kinds this version can build. */
    kinds: (): DataHandlerKind[] => Object.keys(factories) as DataHandlerKind[],
    async close(): Promise<void> {
      const handlers = [...built.values()].map((b) => b.handler)
      built.clear()
      await Promise.all(handlers.map((h) => h.close().catch(() => undefined)))
    },
  }
}
export type DataHandlers = ReturnType<typeof createDataHandlers>
