import type { ExperimentConfig } from '../../../shared/api/contract'
import type { DataHandlerKind } from '../../../shared/domain/experiment'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { DataHandlers } from '../engine/data/data-handlers'
import type { Actor } from './actor'
import { recordAudit } from './audit'

export interface ConfigureInput {
  dataHandler?: DataHandlerKind
  /** Plain settings (service URLs…); null removes one. */
  settings: Record<string, string | null>
  /** Secrets (tokens); kept in the secret store, referenced by id from the store; null removes one. */
  secrets: Record<string, string | null>
}

/** The secret store id of an experiment's secret: never shown, never exported or synced. */
const secretId = (experiment: string, name: string) => `experiment:${experiment}:${name}`

/**
 * Which data handler an experiment uses and how to reach its services (POMS kept these in the
 * server's TOML and the Shrek config). Superusers of the experiment decide.
 */
export function createExperimentConfigService(deps: CoreDeps, handlers: DataHandlers) {
  const { db, repos, clock, events } = deps

  function view(experiment: string): ExperimentConfig {
    const exp = repos.experiments.getExperiment(experiment)!
    const stored = repos.experimentSettings.get(experiment)
    return { experiment, dataHandler: exp.dataHandler, settings: stored.settings, secrets: Object.keys(stored.secretRefs).sort(), available: handlers.kinds() }
  }

  return {
    async configure(actor: Actor, input: ConfigureInput): Promise<ExperimentConfig> {
      const changes = input.dataHandler !== undefined || Object.keys(input.settings).length > 0 || Object.keys(input.secrets).length > 0
      if (!changes) return view(actor.experiment)
      if (actor.role !== 'superuser') throw new AppError('FORBIDDEN', `${actor.username} acting as ${actor.role} may not configure experiment ${actor.experiment} (superusers may)`)
      if (input.dataHandler !== undefined && !handlers.kinds().includes(input.dataHandler)) {
        throw badInput(`the ${input.dataHandler} data handler is not available in this version (available: ${handlers.kinds().join(', ')})`, [{ path: 'dataHandler', message: 'not available' }])
      }
      const stored = repos.experimentSettings.get(actor.experiment)
      const settings = { ...stored.settings }
      for (const [name, value] of Object.entries(input.settings)) {
        if (value === null) delete settings[name]
        else settings[name] = value
      }
      const secretRefs = { ...stored.secretRefs }
      // Secrets first: the row then refers only to values that exist.
      for (const [name, value] of Object.entries(input.secrets)) {
        const id = secretId(actor.experiment, name)
        if (value === null) {
          await deps.secrets.delete(id)
          delete secretRefs[name]
        } else {
          await deps.secrets.set(id, value)
          secretRefs[name] = id
        }
      }
      const now = clock.now()
      db.transaction(() => {
        if (input.dataHandler !== undefined) repos.experimentSettings.setDataHandler(actor.experiment, input.dataHandler, now)
        repos.experimentSettings.put(actor.experiment, settings, secretRefs, actor.username, now)
        const what = [
          input.dataHandler !== undefined ? `data handler ${input.dataHandler}` : null,
          ...Object.entries(input.settings).map(([k, v]) => (v === null ? `removed ${k}` : `${k}=${v}`)),
          ...Object.entries(input.secrets).map(([k, v]) => (v === null ? `removed secret ${k}` : `secret ${k} set`)),
        ].filter(Boolean)
        recordAudit(repos, clock, actor, 'configure-experiment', { type: 'experiment', id: actor.experiment }, `configured ${actor.experiment}: ${what.join(', ')}`)
      })()
      events.emit('experiments:changed', {})
      return view(actor.experiment)
    },
  }
}
export type ExperimentConfigService = ReturnType<typeof createExperimentConfigService>
