import { describe, expect, it } from 'vitest'
import { countJobs, emptyJobCounts, statusFromJobs, type JobCounts, type JobState } from '../../shared/domain/job'
import {
  checkTransition,
  FINAL_STATUSES,
  isActive,
  STATUS_IDS,
  SUBMISSION_STATUSES,
  type ActorKind,
  type SubmissionStatus,
} from '../../shared/domain/submission-status'

const ACTORS: ActorKind[] = ['person', 'engine']
const others = (status: SubmissionStatus) => SUBMISSION_STATUSES.filter((s) => s !== status)

describe('status ids', () => {
  it('keep the POMS numbering the guard rules compare', () => {
    expect(STATUS_IDS).toEqual({
      New: 1000,
      Cancelled: 1500,
      LaunchFailed: 2000,
      'Awaiting Approval': 2400,
      Approved: 2500,
      Idle: 3000,
      Running: 4000,
      Held: 5000,
      Failed: 6000,
      Completed: 7000,
      Located: 8000,
      Removed: 9000,
    })
  })

  it('treat New, Idle, Running and Held as active, nothing else', () => {
    expect(SUBMISSION_STATUSES.filter(isActive)).toEqual(['New', 'Idle', 'Running', 'Held'])
  })
})

describe('checkTransition', () => {
  describe('rule: the same status is not duplicated', () => {
    it.each(ACTORS.flatMap((actor) => SUBMISSION_STATUSES.map((s) => [actor, s] as const)))('%s: %s → %s is refused', (actor, status) => {
      const verdict = checkTransition(status, status, actor)
      expect(verdict.allowed).toBe(false)
      expect(verdict).toMatchObject({ rule: 'same' })
    })
  })

  describe('rule: final states', () => {
    it.each(FINAL_STATUSES.flatMap((from) => others(from).map((to) => [from, to] as const)))('the engine cannot leave %s (to %s)', (from, to) => {
      expect(checkTransition(from, to, 'engine')).toMatchObject({ allowed: false, rule: 'final' })
    })

    it('are exactly Located, Removed and Failed', () => {
      expect([...FINAL_STATUSES].sort()).toEqual(['Failed', 'Located', 'Removed'])
    })

    it.each([
      ['Failed', 'Running'],
      ['Failed', 'Completed'],
      ['Failed', 'New'],
      ['Located', 'Completed'],
      ['Located', 'Removed'],
      ['Removed', 'Running'],
      ['Removed', 'Located'],
    ] as const)('a person may leave %s for %s', (from, to) => {
      expect(checkTransition(from, to, 'person')).toEqual({ allowed: true })
    })
  })

  describe('rule: no roll-back from Completed', () => {
    const atOrBelowCompleted = SUBMISSION_STATUSES.filter((s) => s !== 'Completed' && STATUS_IDS[s] <= STATUS_IDS.Completed)

    it.each(ACTORS.flatMap((actor) => atOrBelowCompleted.map((to) => [actor, to] as const)))('%s: Completed → %s is refused', (actor, to) => {
      expect(checkTransition('Completed', to, actor)).toMatchObject({ allowed: false, rule: 'no-rollback' })
    })

    it('covers Cancelled and Running explicitly', () => {
      expect(atOrBelowCompleted).toContain('Cancelled')
      expect(atOrBelowCompleted).toContain('Running')
      for (const actor of ACTORS) {
        expect(checkTransition('Completed', 'Running', actor).allowed).toBe(false)
        expect(checkTransition('Completed', 'Cancelled', actor).allowed).toBe(false)
      }
    })

    it.each(ACTORS.flatMap((actor) => (['Located', 'Removed'] as const).map((to) => [actor, to] as const)))('%s: Completed → %s is allowed', (actor, to) => {
      expect(checkTransition('Completed', to, actor)).toEqual({ allowed: true })
    })
  })

  describe('rule: a cancelled submission stays cancelled against the engine', () => {
    it.each(others('Cancelled'))('the engine cannot move Cancelled to %s', (to) => {
      expect(checkTransition('Cancelled', to, 'engine')).toMatchObject({ allowed: false, rule: 'person-cancelled' })
    })

    it('a person may reopen it', () => {
      expect(checkTransition('Cancelled', 'Running', 'person')).toEqual({ allowed: true })
      expect(checkTransition('Cancelled', 'Completed', 'person')).toEqual({ allowed: true })
    })
  })

  describe('ordinary progress', () => {
    it.each([
      ['New', 'Idle'],
      ['New', 'Running'],
      ['New', 'LaunchFailed'],
      ['Idle', 'Running'],
      ['Running', 'Held'],
      ['Held', 'Running'],
      ['Running', 'Completed'],
      ['Running', 'Failed'],
      ['Running', 'Cancelled'],
      ['LaunchFailed', 'Running'],
      ['LaunchFailed', 'Completed'],
    ] as const)('%s → %s is allowed for both actors', (from, to) => {
      for (const actor of ACTORS) expect(checkTransition(from, to, actor)).toEqual({ allowed: true })
    })
  })

  it('refusals carry a reason a person can read', () => {
    const verdict = checkTransition('Completed', 'Running', 'person')
    expect(verdict.allowed).toBe(false)
    if (!verdict.allowed) expect(verdict.reason).toMatch(/Completed.*Running/)
  })

  describe('over every pair', () => {
    const pairs = SUBMISSION_STATUSES.flatMap((from) => SUBMISSION_STATUSES.map((to) => [from, to] as const))

    it('a person is refused only a duplicate or a roll-back from Completed', () => {
      for (const [from, to] of pairs) {
        const refused = from === to || (from === 'Completed' && STATUS_IDS[to] <= STATUS_IDS.Completed)
        expect(checkTransition(from, to, 'person').allowed, `${from} → ${to}`).toBe(!refused)
      }
    })

    it('the engine is refused also every move out of a final state or Cancelled', () => {
      for (const [from, to] of pairs) {
        const refused =
          from === to ||
          (from === 'Completed' && STATUS_IDS[to] <= STATUS_IDS.Completed) ||
          FINAL_STATUSES.includes(from) ||
          from === 'Cancelled'
        expect(checkTransition(from, to, 'engine').allowed, `${from} → ${to}`).toBe(!refused)
      }
    })
  })
})

describe('statusFromJobs', () => {
  const counts = (c: Partial<Omit<JobCounts, 'total'>>): JobCounts => {
    const out = { ...emptyJobCounts(), ...c }
    out.total = out.idle + out.running + out.held + out.completed + out.failed + out.removed
    return out
  }

  it.each<[string, Partial<Omit<JobCounts, 'total'>>, boolean, SubmissionStatus | null]>([
    ['no jobs', {}, false, null],
    ['one running among finished', { running: 1, completed: 3, failed: 5 }, false, 'Running'],
    ['running beats idle and held', { running: 1, idle: 2, held: 1 }, false, 'Running'],
    ['idle, none running', { idle: 2, completed: 1 }, false, 'Idle'],
    ['idle beats held', { idle: 1, held: 3 }, false, 'Idle'],
    ['only held left', { held: 1, completed: 4 }, false, 'Held'],
    ['all completed', { completed: 5 }, false, 'Completed'],
    ['all removed', { removed: 3 }, false, 'Cancelled'],
    ['removed with one completed is not Cancelled', { removed: 3, completed: 1 }, false, 'Completed'],
    ['removed with one failed is judged by failures', { removed: 3, failed: 1 }, false, 'Failed'],
    ['1 failed / 4 completed', { failed: 1, completed: 4 }, false, 'Completed'],
    ['2 failed / 4 completed (boundary: 4 > 4 is false)', { failed: 2, completed: 4 }, false, 'Completed'],
    ['3 failed / 5 completed (6 > 5)', { failed: 3, completed: 5 }, false, 'Failed'],
    ['3 failed / 6 completed', { failed: 3, completed: 6 }, false, 'Completed'],
    ['3 failed / 1 completed', { failed: 3, completed: 1 }, false, 'Failed'],
    ['all failed', { failed: 4 }, false, 'Failed'],
    ['recovery: all failed is still Completed', { failed: 4 }, true, 'Completed'],
    ['recovery: 3 failed / 1 completed is Completed', { failed: 3, completed: 1 }, true, 'Completed'],
    ['recovery: running is still Running', { running: 1, failed: 3 }, true, 'Running'],
    ['recovery: all removed is still Cancelled', { removed: 2 }, true, 'Cancelled'],
  ])('%s', (_name, c, isRecovery, expected) => {
    expect(statusFromJobs(counts(c), { isRecovery })).toBe(expected)
  })

  it('agrees with countJobs over raw job states', () => {
    const states: JobState[] = ['completed', 'failed', 'completed', 'failed', 'completed', 'completed', 'completed', 'failed']
    expect(countJobs(states)).toEqual({ ...emptyJobCounts(), completed: 5, failed: 3, total: 8 })
    expect(statusFromJobs(countJobs(states), { isRecovery: false })).toBe('Failed')
    expect(statusFromJobs(countJobs(states.slice(0, -1)), { isRecovery: false })).toBe('Completed')
  })
})
