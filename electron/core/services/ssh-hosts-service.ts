import type { ConnectionTest } from '../../../shared/api/contract'
import { groupFor } from '../../../shared/domain/launch-env'
import { canModify } from '../../../shared/domain/roles'
import { substituteShell } from '../../../shared/domain/shell-substitution'
import { AppError, badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import { resolveTarget } from '../engine/launch-resolver'
import { secretIds } from '../ssh/credentials'
import { remoteScript } from '../ssh/remote-command'
import type { SshAccess } from '../ssh/ssh-access'
import { SshError } from '../ssh/ssh-errors'
import type { HostKeyDetails } from '../ssh/ssh-errors'
import { newId } from '../store/ids'
import type { Actor } from './actor'
import { recordAudit } from './audit'

/** Printed after the setup so the test shows what a launch would find on the host. */
const PROBE = [
  'rc=$?',
  'echo "== setup finished with exit code $rc =="',
  'echo "host: $(hostname 2>/dev/null), user: $(id -un 2>/dev/null), shell: $SHELL"',
  'for tool in jobsub_submit condor_submit condor_q sbatch squeue htgettoken; do p=$(command -v "$tool" 2>/dev/null) && echo "found $tool: $p"; done',
  'exit $rc',
].join('\n')

/** Login setups against real hosts: test a connection, keep key material in the secret store, confirm host keys. */
export function createSshHostsService(deps: CoreDeps, access: SshAccess) {
  const { repos, clock, db } = deps

  /** Host keys affect every login setup on this store: only root or an experiment superuser may pin or forget them. */
  const assertMayPin = (username: string) => {
    const user = repos.experiments.getUser(username)
    const superuser = repos.experiments.membershipsOf(username).some((m) => m.role === 'superuser')
    if (!user?.root && !superuser) throw new AppError('FORBIDDEN', `${username} may not confirm host keys (root or an experiment superuser may)`)
  }

  return {
    list: () => repos.sshHostKeys.list(),

    trust(username: string, face: Actor['face'], key: HostKeyDetails) {
      assertMayPin(username)
      const now = clock.now()
      db.transaction(() => {
        repos.sshHostKeys.pin(key, username, now)
        repos.audit.append({ at: now, experiment: null, actor: username, role: 'superuser', face, action: 'trust-host-key', entityType: 'ssh host', entityId: `${key.host}:${key.port}`, summary: `pinned ${key.keyType} ${key.fingerprint} for ${key.host}:${key.port}` })
      })()
      return repos.sshHostKeys.list().find((k) => k.host === key.host && k.port === key.port)!
    },

    forget(username: string, face: Actor['face'], host: string, port: number) {
      assertMayPin(username)
      const now = clock.now()
      const forgotten = db.transaction(() => {
        const removed = repos.sshHostKeys.forget(host, port)
        if (removed) repos.audit.append({ at: now, experiment: null, actor: username, role: 'superuser', face, action: 'forget-host-key', entityType: 'ssh host', entityId: `${host}:${port}`, summary: `forgot the pinned key of ${host}:${port}` })
        return removed
      })()
      return { forgotten }
    },

    /** Stores (or removes) a login setup's private key or passphrase in the secret store; the row keeps only a reference. */
    async setSecret(actor: Actor, ref: string, kind: 'privateKey' | 'passphrase', value: string | null) {
      const setup = repos.loginSetups.require(actor.experiment, ref)
      if (!canModify(actor.username, actor.role, setup)) throw new AppError('FORBIDDEN', `${actor.username} may not change login setup ${setup.name}`)
      if (kind === 'privateKey' && value !== null && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) {
        throw badInput('that is not a private key in OpenSSH or PEM format', [{ path: 'value', message: 'expected -----BEGIN … PRIVATE KEY-----' }])
      }
      const secretRef = setup.secretRef ?? `login-setup:${setup.id}:${newId()}`
      const id = kind === 'privateKey' ? secretIds(secretRef).key : secretIds(secretRef).passphrase
      if (value === null) await deps.secrets.delete(id)
      else await deps.secrets.set(id, value)
      const now = clock.now()
      db.transaction(() => {
        repos.loginSetups.setSecretRef(setup.id, secretRef, actor.username, now)
        recordAudit(repos, clock, actor, value === null ? 'remove-secret' : 'store-secret', { type: 'login setup', id: setup.id }, `${value === null ? 'removed' : 'stored'} the ${kind === 'privateKey' ? 'private key' : 'key passphrase'} of ${setup.name} (${deps.secrets.description})`)
      })()
      deps.events.emit('loginSetups:changed', { experiment: actor.experiment, ids: [setup.id] })
      return repos.loginSetups.require(actor.experiment, setup.id)
    },

    /** Connects with a fresh connection, runs the setup text, and reports each step with its timing. */
    async test(actor: Actor, ref: string): Promise<ConnectionTest> {
      const setup = repos.loginSetups.require(actor.experiment, ref)
      if (setup.backend === 'local') throw badInput(`login setup ${setup.name} runs jobs on this machine; there is no connection to test`)
      const vars = { dataset: '', parameter: '', version: '', group: groupFor(actor.experiment), experimenter: actor.username, experiment: actor.experiment }
      const target = resolveTarget(setup, vars)
      const endpoint = { host: target.host, port: target.port, username: target.account }
      const base = { host: target.host, port: target.port, account: target.account }
      access.remember(endpoint, setup)
      access.pool.disconnect(endpoint)
      let connectMs: number | null = null
      try {
        const started = Date.now()
        await access.pool.exec(endpoint, 'true', { timeoutMs: 30_000 })
        connectMs = Date.now() - started
        const script = `${substituteShell(setup.setup, vars)}\n${PROBE}`
        const result = await access.pool.exec(endpoint, remoteScript(script), { timeoutMs: 120_000 })
        const output = `${result.stdout}${result.stderr ? `\n${result.stderr}` : ''}`.trim()
        const ok = result.code === 0
        return { ...base, ok, reached: ok ? 'done' : 'setup', message: ok ? `connected in ${connectMs} ms; the setup ran in ${result.durationMs} ms` : `the setup exited with code ${result.code}`, connectMs, setupMs: result.durationMs, exitCode: result.code, output, hostKey: null }
      } catch (err) {
        if (!(err instanceof SshError)) throw err
        const reached = err.failure === 'host-key-unknown' || err.failure === 'host-key-mismatch' ? 'host-key' : err.failure === 'auth' ? 'auth' : connectMs === null ? 'connect' : 'setup'
        const hostKey = err.hostKey
          ? { host: err.hostKey.host, port: err.hostKey.port, keyType: err.hostKey.keyType, fingerprint: err.hostKey.fingerprint, status: err.failure === 'host-key-mismatch' ? ('changed' as const) : ('unknown' as const), expected: err.hostKey.expected ?? null }
          : null
        return { ...base, ok: false, reached, message: err.message, connectMs, setupMs: null, exitCode: null, output: '', hostKey }
      }
    },
  }
}
export type SshHostsService = ReturnType<typeof createSshHostsService>
