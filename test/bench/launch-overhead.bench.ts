import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fingerprintOf } from '../../electron/core/ssh/host-keys'
import { startCore } from '../helpers/core-harness'
import { startServices } from '../services/services'
import type { BenchResult, Timing } from './harness'

const LAUNCHES = 50

const timing = (label: string, runsMs: number[]): Timing => {
  const sorted = [...runsMs].sort((a, b) => a - b)
  return { label, medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs }
}

/**
 * issue 4 (a), architecture.md §9: the time the app adds around a remote command — launches whose
 * remote command does nothing, through the app's whole launch path (journal, SSH exec on the pooled
 * connection, output capture, job id parsed, outcome recorded) — vs a new `ssh` process per launch
 * (what POMS does) and vs OpenSSH ControlMaster multiplexing, same host, same run. Targets: ≥ 50×
 * faster than spawning, and faster than ControlMaster. Each timing is the median of LAUNCHES.
 */
export async function benchLaunchOverhead(): Promise<BenchResult[]> {
  const services = await startServices(['sshd'])
  const state = services.states.sshd
  if (!state?.ok) throw new Error(state?.error ?? 'sshd did not start')
  const env = state.env
  const h = await startCore({ pollIntervalMs: 3_600_000, checkOutputs: process.env.BENCH_CHECK_OUTPUTS === '1' })
  const control = mkdtempSync(join(tmpdir(), 'poms-cm-'))
  try {
    const sshArgs = ['-i', env.SSHD_CLIENT_KEY!, '-p', env.SSHD_PORT!, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR']
    const target = `${env.SSHD_USER}@${env.SSHD_HOST}`

    // The app: a login setup for the host, its key confirmed, and a job type whose launch does nothing remotely.
    const blob = Buffer.from(readFileSync(env.SSHD_HOST_KEY_PUB!, 'utf8').trim().split(/\s+/)[1]!, 'base64')
    await h.call('sshHosts:trust', { host: env.SSHD_HOST!, port: Number(env.SSHD_PORT), keyType: 'ssh-ed25519', fingerprint: fingerprintOf(blob) })
    const setup = await h.call('loginSetups:create', {
      experiment: 'demo',
      value: { name: 'bench-host', backend: 'jobsub_lite', host: env.SSHD_HOST!, port: Number(env.SSHD_PORT), account: env.SSHD_USER!, authMethod: 'key-file', keyFile: env.SSHD_CLIENT_KEY! },
    })
    const jobType = await h.call('jobTypes:create', { experiment: 'demo', value: { name: 'bench-true', launchScript: "true; echo 'Use job id 42.0@jobsub01.fnal.gov to retrieve output'" } })
    const campaign = (await h.call('campaigns:list', { experiment: 'demo' })).items[0]!
    const stage = await h.call('stages:create', { experiment: 'demo', value: { campaignId: campaign.id, name: 'bench', jobTypeId: jobType.id, loginSetupId: setup.id } })
    const { repos } = h.core.deps
    const launchState = h.core.deps.db.prepare('SELECT launch_state FROM submissions WHERE id = ?').pluck()
    let n = 0
    // The launch has settled when its submission changes to launched (or failed): wait for that event.
    let settled: ((id: string) => void) | null = null
    h.core.onEvent((name, payload) => {
      if (name === 'submissions:changed') for (const id of (payload as { ids: string[] }).ids) settled?.(id)
    })
    const appLaunch = async () => {
      let resolveDone!: () => void
      const done = new Promise<void>((r) => (resolveDone = r))
      let id: string | null = null
      settled = (changed) => {
        if (changed === id && !['pending', 'launching'].includes(launchState.get(changed) as string)) resolveDone()
      }
      const result = await h.call('submissions:launch', { experiment: 'demo', stageId: stage.id, idempotencyKey: `bench-${++n}-${Date.now()}` })
      id = result.submission!.id
      if (!['pending', 'launching'].includes(launchState.get(id) as string)) resolveDone()
      await done
      const sub = repos.submissions.getById(id)!
      if (sub.launchState !== 'launched') throw new Error(`bench launch failed: ${sub.launchError}`)
    }
    const spawnSsh = () => {
      const r = spawnSync('ssh', [...sshArgs, target, 'true'])
      if (r.status !== 0) throw new Error(`ssh failed: ${r.stderr}`)
    }
    const socket = join(control, 'cm.sock')
    execFileSync('ssh', [...sshArgs, '-M', '-S', socket, '-o', 'ControlPersist=600', '-fN', target])
    const multiplexed = () => {
      const r = spawnSync('ssh', [...sshArgs, '-S', socket, target, 'true'])
      if (r.status !== 0) throw new Error(`ssh (ControlMaster) failed: ${r.stderr}`)
    }

    // Warm up each (the app's pool connects on its first launch), then interleave the measurements.
    await appLaunch()
    spawnSsh()
    multiplexed()
    // Blocks of ten, in turns: each way runs warm, and drift in the machine's load reaches all three.
    const app: number[] = []
    const spawned: number[] = []
    const master: number[] = []
    for (let block = 0; block < LAUNCHES / 10; block++) {
      for (let i = 0; i < 10; i++) {
        const t = performance.now()
        await appLaunch()
        app.push(performance.now() - t)
      }
      for (let i = 0; i < 10; i++) {
        const t = performance.now()
        spawnSsh()
        spawned.push(performance.now() - t)
      }
      for (let i = 0; i < 10; i++) {
        const t = performance.now()
        multiplexed()
        master.push(performance.now() - t)
      }
    }
    spawnSync('ssh', [...sshArgs, '-S', socket, '-O', 'exit', target])
    const appTiming = timing(`app launch path (${LAUNCHES} launches, pooled ssh2)`, app)
    return [
      { name: 'Launch overhead vs a new ssh process per launch (POMS)', subject: appTiming, baseline: timing('new ssh process per launch', spawned), budget: 1 / 50, note: 'target: ≥ 50× faster' },
      { name: 'Launch overhead vs OpenSSH ControlMaster', subject: appTiming, baseline: timing('ssh over a ControlMaster socket', master), budget: 1, note: 'target: faster than ControlMaster' },
    ]
  } finally {
    await h.stop()
    await services.stop()
    rmSync(control, { recursive: true, force: true })
  }
}
