import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { LaunchPlan } from '../../electron/core/engine/backends/backend'
import { createLocalBackend } from '../../electron/core/engine/backends/local-backend'
import { systemClock } from '../../electron/core/ports'
import { waitFor } from '../helpers/core-harness'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const plan = (id: string, jobCount: number, seconds: string): LaunchPlan => ({
  id,
  shortId: `s-${id.slice(-6)}`,
  experiment: 'demo',
  batchId: null,
  backend: 'local',
  target: null,
  setup: '',
  env: {},
  group: 'demo',
  role: 'Production',
  createdAt: 1,
  command: `sleep ${seconds}`,
  argv: ['sleep', seconds],
  files: [],
  jobCount,
  tags: {},
})

describe('the local backend holding jobs that have not started', () => {
  it('jobs held while they waited for a free slot start once released', async () => {
    const jobsDir = mkdtempSync(join(tmpdir(), 'poms-local-hold-'))
    dirs.push(jobsDir)
    const backend = createLocalBackend({ jobsDir, clock: systemClock, concurrency: 1 })
    const io = { log: () => undefined, signal: new AbortController().signal }
    const busy = plan('01a00000-0000-7000-8000-00000000000a', 1, '0.4')
    const waiting = plan('01a00000-0000-7000-8000-00000000000b', 2, '0.1')
    await backend.submit(busy, io)
    await backend.submit(waiting, io)
    const states = async (p: LaunchPlan) => (await backend.query([p])).jobs.get(p.id)!.map((j) => j.state)
    expect(await states(waiting)).toEqual(['idle', 'idle'])
    await backend.control(waiting, 'hold')
    // The slot frees up while they are held: their turn passes.
    await waitFor(async () => (await states(busy))[0] === 'completed', 5000, 'the busy job')
    expect(await states(waiting)).toEqual(['held', 'held'])
    await backend.control(waiting, 'release')
    await waitFor(async () => (await states(waiting)).every((s) => s === 'completed'), 5000, 'the released jobs to run')
    await backend.close()
  })
})
