import { describe, expect, it } from 'vitest'
import { arrangeLineage, parentLink } from '../../renderer/src/lib/lineage'
import { describeCursor } from '../../renderer/src/lib/split-cursor'
import { submission, uuid } from './support/fixtures'

describe('arrangeLineage', () => {
  it('nests recoveries of recoveries one level deeper each', () => {
    const parent = submission(1)
    const recovery = submission(2, { parentSubmissionId: parent.id, createdAt: parent.createdAt + 1 })
    const second = submission(3, { parentSubmissionId: recovery.id, createdAt: parent.createdAt + 2 })
    const rows = arrangeLineage([second, recovery, parent])
    expect(rows.map((row) => [row.submission.shortId, row.depth, row.relation, row.parent?.shortId ?? null])).toEqual([
      ['s-000001', 0, null, null],
      ['s-000002', 1, 'recovery', 's-000001'],
      ['s-000003', 2, 'recovery', 's-000002'],
    ])
  })

  it('shows every row once even when parents form a cycle', () => {
    const a = submission(1, { parentSubmissionId: uuid(2) })
    const b = submission(2, { parentSubmissionId: uuid(1) })
    const rows = arrangeLineage([a, b])
    expect(rows.map((row) => row.submission.id).sort()).toEqual([uuid(1), uuid(2)])
  })

  it('marks a child of a parent outside the list when the parent is known', () => {
    const child = submission(5, { parentSubmissionId: uuid(9), stageId: uuid(40) })
    const [row] = arrangeLineage([child], new Map([[uuid(9), { id: uuid(9), shortId: 's-P', stageId: uuid(41) }]]))
    expect(row).toMatchObject({ depth: 0, relation: 'dependent', parent: { shortId: 's-P' } })
    expect(arrangeLineage([child])[0]).toMatchObject({ relation: null, parent: null })
  })
})

describe('parents named by dataset', () => {
  it('reads dependents from poms_depends_<sid>_<i> (and the analysis variant) and recoveries from poms_recover_…', () => {
    const parent = submission(1)
    expect(parentLink(submission(2, { dataset: `poms_depends_${parent.id}_1` }))).toEqual({ id: parent.id, relation: 'dependent' })
    expect(parentLink(submission(3, { dataset: `poms_alice_depends_${parent.id}_2` }))).toEqual({ id: parent.id, relation: 'dependent' })
    expect(parentLink(submission(4, { dataset: `poms_recover_${uuid(77)}_${parent.id}_0` }))).toEqual({ id: parent.id, relation: 'recovery' })
    // The recorded parent wins; a dataset that only looks similar names none.
    expect(parentLink(submission(5, { parentSubmissionId: uuid(9), dataset: `poms_depends_${parent.id}_1` }))).toEqual({ id: uuid(9), relation: null })
    expect(parentLink(submission(6, { dataset: 'poms_depends_s-000001_1' }))).toBeNull()
  })

  it('places a dependent on the same stage as its parent under it as a dependent, not a recovery', () => {
    const parent = submission(1)
    const self = submission(2, { dataset: `poms_depends_${parent.id}_1`, createdAt: parent.createdAt + 1 })
    const rows = arrangeLineage([self, parent])
    expect(rows.map((row) => [row.submission.shortId, row.depth, row.relation])).toEqual([
      ['s-000001', 0, null],
      ['s-000002', 1, 'dependent'],
    ])
  })
})

describe('describeCursor', () => {
  it('says what the cursor means for each kind of split', () => {
    expect(describeCursor(null, null)).toContain('no split')
    expect(describeCursor('nfiles(5)', null)).toContain('the first slice')
    expect(describeCursor('nfiles(5)', 1)).toBe('1: 1 slice taken, the next launch takes slice 1')
    expect(describeCursor('list', 2)).toContain('item 3')
    expect(describeCursor('byrun(low=2,high=5)', 4)).toBe('4: the next launch takes run 4')
    expect(describeCursor('new(window=1d)', 1_700_000_000)).toContain('2023-11-14T22:13:20.000Z')
    expect(describeCursor('drainingn(10)', 77)).toContain('SAM snapshot')
    expect(describeCursor('limitn(5)', null)).toBe('limitn does not use a cursor')
  })
})
