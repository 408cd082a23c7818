import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../electron/core/logging/logger'
import { memoryHostKeyStore } from '../../electron/core/ssh/host-keys'
import { remoteCommand, remoteScript } from '../../electron/core/ssh/remote-command'
import { SshError } from '../../electron/core/ssh/ssh-errors'
import { createSshPool, type SshEndpoint } from '../../electron/core/ssh/ssh-pool'
import { requireService } from '../helpers/services'
import { hostKeyFingerprint } from '../helpers/test-hosts'

/** The server's host key fingerprint, as OpenSSH prints it, from its .pub file. */
describe('SSH pool against a real OpenSSH server', () => {
  let env: Record<string, string>
  let endpoint: SshEndpoint
  let key: string
  let pinned: ReturnType<typeof memoryHostKeyStore>
  let pool: ReturnType<typeof createSshPool>

  beforeAll(() => {
    env = requireService('sshd')
    endpoint = { host: env.SSHD_HOST!, port: Number(env.SSHD_PORT), username: env.SSHD_USER! }
    key = readFileSync(env.SSHD_CLIENT_KEY!, 'utf8')
    pinned = memoryHostKeyStore([{ host: endpoint.host, port: endpoint.port, keyType: 'ssh-ed25519', fingerprint: hostKeyFingerprint(env.SSHD_HOST_KEY_PUB!) }])
    pool = createSshPool({ hostKeys: pinned, credentials: async () => ({ privateKey: key }), logger: silentLogger, connectTimeoutMs: 5000 })
  })
  afterAll(() => pool?.close())

  it('runs a command and returns stdout, stderr and the exit code', async () => {
    const result = await pool.exec(endpoint, 'echo out; echo err >&2; exit 3')
    expect(result).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' })
  })

  it('keeps every argument one word: hostile values are data, never code', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'poms-ssh-')), 'owned.txt')
    const hostile = [`$(touch ${marker})`, `'; touch ${marker}; '`, '`touch ' + marker + '`', 'a b\tc\nd', '"quoted" \\ back', '*', '']
    const result = await pool.exec(endpoint, remoteCommand(['printf', '%s\\0', ...hostile]))
    expect(result.code).toBe(0)
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(hostile)
    expect(existsSync(marker)).toBe(false)
  })

  it("runs the author's script with its $VARS and ; as POMS would", async () => {
    const result = await pool.exec(endpoint, remoteScript('X=42; export Y="$X-$USER"; echo "$Y"; for i in 1 2; do echo $i; done'))
    expect(result.stdout).toBe(`42-${endpoint.username}\n1\n2\n`)
  })

  it('reuses one connection for many commands, in parallel beyond MaxSessions', async () => {
    const logins = () => (readFileSync(join(env.SSHD_CONFIG!, '..', 'sshd.log'), 'utf8').match(/Accepted publickey/g) ?? []).length
    await pool.exec(endpoint, 'true')
    const before = logins()
    // sshd allows 10 sessions per connection (MaxSessions 10): 30 at once must queue, not fail.
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => pool.exec(endpoint, remoteCommand(['echo', String(i)]))))
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 30 }, (_, i) => String(i)))
    expect(logins()).toBe(before)
  })

  it('times out a long command and can still run the next one', async () => {
    await expect(pool.exec(endpoint, 'sleep 30', { timeoutMs: 500 })).rejects.toMatchObject({ failure: 'timeout' })
    expect((await pool.exec(endpoint, 'echo again')).stdout).toBe('again\n')
  })

  it('cancels a running command through its AbortSignal', async () => {
    const controller = new AbortController()
    const running = pool.exec(endpoint, 'sleep 30', { signal: controller.signal })
    setTimeout(() => controller.abort(), 200)
    await expect(running).rejects.toMatchObject({ failure: 'cancelled' })
  })

  it('streams output while the command runs', async () => {
    const chunks: string[] = []
    await pool.exec(endpoint, 'echo one; sleep 0.3; echo two', { onStdout: (c) => chunks.push(c) })
    expect(chunks.join('')).toBe('one\ntwo\n')
    expect(chunks.length).toBeGreaterThanOrEqual(2)
  })

  it('uploads a file over SFTP', async () => {
    const path = `${env.SSHD_HOME}/uploaded-${Date.now()}.txt`
    await pool.upload(endpoint, path, 'hello sftp\n', 0o600)
    const result = await pool.exec(endpoint, remoteCommand(['stat', '-c', '%a %s', path]))
    expect(result.stdout.trim()).toBe('600 11')
  })

  it('refuses an unknown host key until a person confirms it, showing its fingerprint', async () => {
    const fresh = memoryHostKeyStore()
    const strict = createSshPool({ hostKeys: fresh, credentials: async () => ({ privateKey: key }), logger: silentLogger })
    const expected = hostKeyFingerprint(env.SSHD_HOST_KEY_PUB!)
    const error = await strict.exec(endpoint, 'true').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SshError)
    expect((error as SshError).failure).toBe('host-key-unknown')
    expect((error as SshError).hostKey?.fingerprint).toBe(expected)
    expect((error as SshError).message).toContain(expected)
    fresh.pin((error as SshError).hostKey!)
    expect((await strict.exec(endpoint, 'echo trusted')).stdout).toBe('trusted\n')
    strict.close()
  })

  it('refuses a changed host key and names both fingerprints', async () => {
    const wrong = 'SHA256:' + Buffer.alloc(32, 7).toString('base64').replace(/=+$/, '')
    const store = memoryHostKeyStore([{ host: endpoint.host, port: endpoint.port, keyType: 'ssh-ed25519', fingerprint: wrong }])
    const strict = createSshPool({ hostKeys: store, credentials: async () => ({ privateKey: key }), logger: silentLogger })
    const error = (await strict.exec(endpoint, 'true').catch((e: unknown) => e)) as SshError
    expect(error.failure).toBe('host-key-mismatch')
    expect(error.message).toContain(wrong)
    expect(error.message).toContain(hostKeyFingerprint(env.SSHD_HOST_KEY_PUB!))
    strict.close()
  })

  it('reports refused credentials as an authentication failure', async () => {
    const other = execFileSync('bash', ['-c', 'd=$(mktemp -d); ssh-keygen -q -t ed25519 -N "" -f $d/k; cat $d/k']).toString()
    const stranger = createSshPool({ hostKeys: pinned, credentials: async () => ({ privateKey: other }), logger: silentLogger })
    await expect(stranger.exec(endpoint, 'true')).rejects.toMatchObject({ failure: 'auth' })
    stranger.close()
  })

  it('reports a closed port as a connection failure', async () => {
    const nowhere = createSshPool({ hostKeys: pinned, credentials: async () => ({ privateKey: key }), logger: silentLogger, connectTimeoutMs: 2000 })
    await expect(nowhere.exec({ ...endpoint, port: 1 }, 'true')).rejects.toMatchObject({ failure: 'connect' })
    nowhere.close()
  })
})
