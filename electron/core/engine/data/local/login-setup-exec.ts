import type { CoreDeps } from '../../../deps'
import type { SshAccess } from '../../../ssh/ssh-access'
import { remoteCommand } from '../../../ssh/remote-command'
import { SshError } from '../../../ssh/ssh-errors'
import { DataServiceError, DatasetError } from '../data-handler'
import type { RemoteExec } from './remote-dataset'

const LIST_TIMEOUT_MS = 120_000

/**
 * Commands on the host of one of an experiment's login setups, for listing `local` datasets there:
 * the argument vector is quoted for the host's shell (data, never code), the setup's own
 * credentials and pinned host key are used, and an unreachable host is an outage to retry, not a
 * mistake in the dataset.
 */
export function loginSetupExec(deps: CoreDeps, access: SshAccess): (experiment: string) => RemoteExec {
  return (experiment) => async (name, argv) => {
    const setup = deps.repos.loginSetups.getByName(experiment, name)
    if (!setup) throw new DatasetError(`sftp://${name}/…: experiment ${experiment} has no login setup named ${name}`)
    if (setup.backend === 'local') throw new DatasetError(`sftp://${name}/…: login setup ${name} is this machine; write the path without sftp://${name}`)
    const endpoint = { host: setup.host, port: setup.port, username: setup.account }
    access.remember(endpoint, setup)
    try {
      return await access.pool.exec(endpoint, remoteCommand(argv), { closeStdin: true, timeoutMs: LIST_TIMEOUT_MS })
    } catch (err) {
      if (err instanceof SshError) throw new DataServiceError(`ssh ${setup.account}@${setup.host}`, `cannot list files on ${name}: ${err.message}`)
      throw err
    }
  }
}
