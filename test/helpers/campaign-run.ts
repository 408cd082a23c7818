import { expect } from 'vitest'
import type { StatusChange, Submission } from '../../shared/domain/submission'
import type { CoreHarness } from './core-harness'

/**
 * What the three-stage campaign tests (local, SAM on HTCondor, MetaCat on Slurm) ask of one
 * campaign's submissions, whatever the backend and data handler.
 */
export function campaignRun(h: () => CoreHarness, experiment: string, campaignId: () => string) {
  return {
    /** Every submission of the campaign, oldest first. */
    all: async (): Promise<Submission[]> =>
      (await h().call('submissions:list', { experiment, filter: { campaignId: campaignId() }, sort: 'createdAt', limit: 500 })).items,
    detail: (id: string) => h().call('submissions:get', { experiment, id }),
    /** The dependent a parent launched through a dependency (found by its idempotency key). */
    dependentOf(parent: Submission, dependencyId: string, among: Submission[]): Submission {
      const id = h().core.deps.repos.submissions.idForIdempotencyKey(experiment, `dependent:${parent.id}:${dependencyId}`)
      return among.find((s) => s.id === id)!
    },
    /** Whether wrap-up ran the follow-ups (recovery walk, dependents) of a Located submission. */
    followedUp: (id: string) => h().core.deps.repos.submissions.engineState(id)?.followedUpAt !== null,
  }
}

/** New, then only Idle/Running until Completed, then Located by wrap-up and its note on what followed. */
export function expectLife(history: StatusChange[], first: { actor: string; face: string; reason: string | RegExp | null }, located: RegExp, note: RegExp): void {
  const statuses = history.map((c) => c.status)
  const completed = statuses.indexOf('Completed')
  expect(statuses[0]).toBe('New')
  expect(completed).toBeGreaterThan(0)
  for (const middle of statuses.slice(1, completed)) expect(['Idle', 'Running']).toContain(middle)
  expect(statuses.slice(completed)).toEqual(['Completed', 'Located', 'Located'])
  expect(history[0]).toMatchObject({ actor: first.actor, face: first.face })
  if (first.reason instanceof RegExp) expect(history[0]!.reason).toMatch(first.reason)
  else expect(history[0]!.reason).toBe(first.reason)
  expect(history[completed]).toMatchObject({ actor: 'engine', face: 'engine' })
  expect(history[completed + 1]).toMatchObject({ actor: 'engine', face: 'engine' })
  expect(history[completed + 1]!.reason).toMatch(located)
  expect(history[completed + 2]!.reason).toMatch(note)
}

/**
 * The campaign's shape: generate drains its split by itself (a self-dependency), process takes
 * generate's `_generate.root` outputs, merge takes process's `_process.root` ones.
 */
export async function wireThreeStages(h: CoreHarness, experiment: string, ids: { generate: string; process: string; merge: string }) {
  const depend = (fromStageId: string, toStageId: string, filePatterns: string) => h.call('dependencies:create', { experiment, value: { fromStageId, toStageId, filePatterns } })
  await depend(ids.generate, ids.generate, '%')
  return { toProcess: (await depend(ids.generate, ids.process, '%_generate.root')).id, toMerge: (await depend(ids.process, ids.merge, '%_process.root')).id }
}

/** Tests a new remote login setup: the first test stops at the unknown host key, trusted, the second passes. */
export async function trustAndTest(h: CoreHarness, experiment: string, loginSetupId: string): Promise<void> {
  const first = await h.call('loginSetups:test', { experiment, id: loginSetupId })
  expect(first).toMatchObject({ ok: false, reached: 'host-key' })
  await h.call('sshHosts:trust', first.hostKey!)
  const second = await h.call('loginSetups:test', { experiment, id: loginSetupId })
  expect(second.ok, second.message).toBe(true)
}
