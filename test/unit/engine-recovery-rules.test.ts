import { describe, expect, it } from 'vitest'
import { selfDependencyAllowed } from '../../shared/domain/dependency-rules'
import type { RecoveryStep } from '../../shared/domain/job-type'
import type { Dependency } from '../../shared/domain/stage'
import type { RecoveryDataset } from '../../electron/core/engine/data/data-handler'
import { dependentKey, dependentsOf, recoveryKey } from '../../electron/core/engine/wrapup/dependents'
import { walkRecoveryPlan } from '../../electron/core/engine/wrapup/recovery-walk'

const PLAN: RecoveryStep[] = [
  { type: 'consumed_status', paramOverrides: [] },
  { type: 'pending_files', paramOverrides: [['--retry=', '1']] },
  { type: 'added_files', paramOverrides: [] },
]

/** An evaluator that answers `counts[position]` files and logs every position it was asked about. */
function evaluator(counts: number[]) {
  const asked: number[] = []
  return {
    asked,
    evaluate: async (step: RecoveryStep, position: number): Promise<RecoveryDataset> => {
      asked.push(position)
      const count = counts[position] ?? 0
      return { type: step.type, dataset: count > 0 ? `recover_${position}` : null, count, files: null, detail: `step ${position}` }
    },
  }
}

describe('the recovery walk (poms-reference.md §5.3, without the off-by-one)', () => {
  it('never evaluates a step twice along a chain of recoveries', async () => {
    const e = evaluator([5, 0, 3])
    // The parent is Located: step 0 finds files.
    const first = await walkRecoveryPlan({ plan: PLAN, from: 0, alreadyLaunched: () => false, evaluate: e.evaluate })
    expect(first).toMatchObject({ launch: { position: 0, found: { count: 5 } }, positionAfter: 1 })
    // Recovery #1 is Located: the walk goes on at step 1 (POMS evaluated step 0 again here).
    const second = await walkRecoveryPlan({ plan: PLAN, from: first.positionAfter, alreadyLaunched: () => false, evaluate: e.evaluate })
    expect(second.walked.map((w) => w.position)).toEqual([1, 2])
    expect(second).toMatchObject({ launch: { position: 2, step: PLAN[2] }, positionAfter: 3 })
    // Recovery #2 is Located: the plan is used up, nothing is evaluated, the dependents may go.
    const third = await walkRecoveryPlan({ plan: PLAN, from: second.positionAfter, alreadyLaunched: () => false, evaluate: e.evaluate })
    expect(third).toEqual({ walked: [], launch: null, positionAfter: 3 })
    expect(e.asked).toEqual([0, 1, 2])
  })

  it('falls through when no step finds files, and stores the plan as used up', async () => {
    const e = evaluator([0, 0, 0])
    const result = await walkRecoveryPlan({ plan: PLAN, from: 0, alreadyLaunched: () => false, evaluate: e.evaluate })
    expect(result.launch).toBeNull()
    expect(result.positionAfter).toBe(3)
    expect(e.asked).toEqual([0, 1, 2])
  })

  it('a step whose recovery was launched before a crash is found, not evaluated again', async () => {
    const e = evaluator([5, 0, 0])
    const result = await walkRecoveryPlan({ plan: PLAN, from: 0, alreadyLaunched: (p) => p === 0, evaluate: e.evaluate })
    expect(result).toMatchObject({ launch: { position: 0, found: null }, positionAfter: 1 })
    expect(e.asked).toEqual([])
  })

  it('an empty plan, or a position past its end, evaluates nothing', async () => {
    const e = evaluator([])
    expect(await walkRecoveryPlan({ plan: [], from: 0, alreadyLaunched: () => false, evaluate: e.evaluate })).toEqual({ walked: [], launch: null, positionAfter: 0 })
    expect(await walkRecoveryPlan({ plan: PLAN, from: 7, alreadyLaunched: () => false, evaluate: e.evaluate })).toEqual({ walked: [], launch: null, positionAfter: 7 })
    expect(e.asked).toEqual([])
  })

  it('a step that finds files but no dataset to launch on counts as nothing found', async () => {
    const asked: number[] = []
    const result = await walkRecoveryPlan({
      plan: PLAN.slice(0, 2),
      from: 0,
      alreadyLaunched: () => false,
      evaluate: async (step, position) => {
        asked.push(position)
        return { type: step.type, dataset: null, count: 4, files: null, detail: 'no definition' }
      },
    })
    expect(result.launch).toBeNull()
    expect(asked).toEqual([0, 1])
  })
})

const dep = (id: string, from: string, to: string, filePatterns = '%.root'): Dependency => ({
  id,
  shortId: `d-${id}`,
  experiment: 'demo',
  rev: 1,
  createdAt: 1,
  updatedAt: 1,
  creator: 'alice',
  creatorRole: 'production',
  updater: null,
  campaignId: 'c',
  fromStageId: from,
  toStageId: to,
  filePatterns,
})

describe('dependents (poms-reference.md §6.2)', () => {
  const deps = [dep('1', 'gen', 'sim'), dep('2', 'gen', 'gen', '%'), dep('3', 'gen', 'ana'), dep('4', 'sim', 'reco'), dep('5', 'ana', 'gen')]

  it('orders dependencies by downstream stage; the self-dependency does not count toward i', () => {
    expect(dependentsOf(deps, 'gen', 'drainingn(40)').map((p) => [p.kind, p.dependency.toStageId, 'index' in p ? p.index : null])).toEqual([
      ['downstream', 'ana', 1],
      ['self', 'gen', null],
      ['downstream', 'sim', 2],
    ])
  })

  it('a self-dependency only launches a split that moves on', () => {
    for (const split of [null, 'draining', 'None']) {
      const self = dependentsOf(deps, 'gen', split).find((p) => p.dependency.toStageId === 'gen')!
      expect(self.kind, String(split)).toBe('skip')
    }
    expect(dependentsOf(deps, 'gen', 'nfiles(10)').find((p) => p.dependency.toStageId === 'gen')!.kind).toBe('self')
    expect(dependentsOf(deps, 'reco', 'nfiles(10)')).toEqual([])
  })

  it('selfDependencyAllowed: every split type that moves on, not none or draining', () => {
    for (const yes of ['nfiles(40)', 'drainingn(40)', 'list', 'mod(3)', 'new(window=1d)', 'byrun(low=1,high=5)', 'limitn(3)']) expect(selfDependencyAllowed(yes), yes).toBe(true)
    for (const no of [null, '', 'None', 'draining', 'nosuch(3)']) expect(selfDependencyAllowed(no), String(no)).toBe(false)
  })

  it('keys are deterministic per parent and step or dependency', () => {
    expect(recoveryKey('P', 2)).toBe('recovery:P:2')
    expect(dependentKey('P', 'D')).toBe('dependent:P:D')
  })
})
