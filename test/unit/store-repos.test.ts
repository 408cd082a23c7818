import { rmSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Campaign } from '../../shared/domain/campaign'
import type { Stage } from '../../shared/domain/stage'
import { STAGE_DEFAULTS } from '../../shared/domain/stage'
import { AppError } from '../../shared/errors'
import { newId } from '../../electron/core/store/ids'
import type { Store } from '../../electron/core/store/open-store'
import { createRepos, type Repos } from '../../electron/core/store/repos'
import type { SortSpec } from '../../electron/core/store/entity-table'
import { openTestStore } from '../helpers/core-harness'

const SHORT_ID = /^[a-z]-[0-9A-HJKMNP-TV-Z]{6}$/
const EXP = 'exp'
const OTHER = 'other'

let store: Store
let repos: Repos

beforeAll(() => {
  store = openTestStore()
  repos = createRepos(store.db)
  repos.experiments.insertExperiment({ name: EXP, displayName: 'Experiment', dataHandler: 'local' }, 1)
  repos.experiments.insertExperiment({ name: OTHER, displayName: 'Other', dataHandler: 'local' }, 1)
})
afterAll(() => {
  store.close()
  rmSync(dirname(store.file), { recursive: true, force: true })
})

let seq = 0
function campaign(over: Partial<Campaign> = {}): Campaign {
  const now = over.updatedAt ?? 1000 + seq++
  return {
    id: newId(),
    shortId: '',
    experiment: EXP,
    rev: 1,
    createdAt: now,
    updatedAt: now,
    creator: 'alice',
    creatorRole: 'production',
    updater: null,
    name: `campaign-${newId()}`,
    defaults: {},
    keywords: {},
    tags: [],
    active: true,
    campaignType: 'regular',
    layout: {},
    ...over,
  }
}

function stage(over: Partial<Stage> = {}): Stage {
  return {
    id: newId(),
    shortId: '',
    experiment: EXP,
    rev: 1,
    createdAt: 1,
    updatedAt: 1,
    creator: 'alice',
    creatorRole: 'production',
    updater: null,
    campaignId: null,
    name: `stage-${newId()}`,
    ...STAGE_DEFAULTS,
    paramOverrides: [],
    testParamOverrides: [],
    splitCursor: null,
    hold: null,
    ...over,
  }
}

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected an error')
}

describe('ids', () => {
  it('assigns a short id of the entity kind and finds the row by either id', () => {
    const stored = repos.campaigns.insert(campaign({ name: 'by-id', keywords: { k: 'v' }, tags: ['a'] }))
    expect(stored.shortId).toMatch(SHORT_ID)
    expect(stored.shortId.startsWith('c-')).toBe(true)
    const byId = repos.campaigns.get(EXP, stored.id)
    const byShort = repos.campaigns.get(EXP, stored.shortId)
    expect(byId).toEqual(stored)
    expect(byShort).toEqual(stored)
    expect(byId).toMatchObject({ keywords: { k: 'v' }, tags: ['a'], active: true })
  })

  it('short ids are unique across many rows and use the stage kind letter for stages', () => {
    const ids = new Set<string>()
    for (let i = 0; i < 50; i++) {
      const s = repos.stages.insert(stage())
      expect(s.shortId).toMatch(/^t-/)
      expect(s.shortId).toMatch(SHORT_ID)
      ids.add(s.shortId)
    }
    expect(ids.size).toBe(50)
  })

  it('does not find a row from another experiment', () => {
    const stored = repos.campaigns.insert(campaign({ name: 'scoped' }))
    expect(repos.campaigns.get(OTHER, stored.id)).toBeNull()
    expect(repos.campaigns.get(OTHER, stored.shortId)).toBeNull()
    expect(caught(() => repos.campaigns.require(OTHER, stored.id)).code).toBe('NOT_FOUND')
  })

  it('answers null and NOT_FOUND for ids that do not exist', () => {
    expect(repos.campaigns.get(EXP, newId())).toBeNull()
    expect(caught(() => repos.campaigns.require(EXP, 'c-ZZZZZZ')).code).toBe('NOT_FOUND')
  })
})

describe('keyset paging over 250 campaigns', () => {
  const PAGE_EXP = 'paging'
  let all: Campaign[]

  beforeAll(() => {
    repos.experiments.insertExperiment({ name: PAGE_EXP, displayName: 'Paging', dataHandler: 'local' }, 1)
    const insert = store.db.transaction(() => {
      const out: Campaign[] = []
      for (let i = 0; i < 250; i++) {
        // updatedAt in runs of 7 equal values, so ties must be broken by id without gaps.
        out.push(repos.campaigns.insert(campaign({ experiment: PAGE_EXP, name: `c${String((i * 37) % 250).padStart(3, '0')}`, updatedAt: Math.floor(i / 7) })))
      }
      return out
    })
    all = insert()
  })

  function pages(sort: SortSpec) {
    const sizes: number[] = []
    const items: Campaign[] = []
    let cursor: string | null = null
    for (let guard = 0; guard < 10; guard++) {
      const page = repos.campaigns.list(PAGE_EXP, { conditions: [], sort, cursor, limit: 100 })
      sizes.push(page.items.length)
      items.push(...page.items)
      cursor = page.nextCursor
      if (!cursor) break
    }
    return { sizes, items }
  }

  it('by name: every row once, in name order, in pages of 100, 100, 50', () => {
    const { sizes, items } = pages({ column: 'name', direction: 'asc' })
    expect(sizes).toEqual([100, 100, 50])
    expect(items.map((c) => c.id).sort()).toEqual(all.map((c) => c.id).sort())
    expect(new Set(items.map((c) => c.id)).size).toBe(250)
    expect(items.map((c) => c.name)).toEqual(all.map((c) => c.name).sort())
  })

  it('by -updatedAt: every row once, newest first, ties in a stable id order', () => {
    const { sizes, items } = pages({ column: 'updated_at', direction: 'desc' })
    expect(sizes).toEqual([100, 100, 50])
    expect(new Set(items.map((c) => c.id)).size).toBe(250)
    const expected = [...all].sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1))
    expect(items.map((c) => c.id)).toEqual(expected.map((c) => c.id))
  })

  it('ends with a null cursor when the last page is exactly full', () => {
    const first = repos.campaigns.list(PAGE_EXP, { conditions: [], sort: { column: 'name', direction: 'asc' }, cursor: null, limit: 125 })
    const second = repos.campaigns.list(PAGE_EXP, { conditions: [], sort: { column: 'name', direction: 'asc' }, cursor: first.nextCursor, limit: 125 })
    expect(second.items).toHaveLength(125)
    expect(second.nextCursor).toBeNull()
  })

  it('applies filter conditions', () => {
    const page = repos.campaigns.list(PAGE_EXP, {
      conditions: [{ sql: 'name LIKE ?', params: ['c00%'] }],
      sort: { column: 'name', direction: 'asc' },
      cursor: null,
      limit: 100,
    })
    expect(page.items.map((c) => c.name)).toEqual(['c000', 'c001', 'c002', 'c003', 'c004', 'c005', 'c006', 'c007', 'c008', 'c009'])
    expect(page.nextCursor).toBeNull()
  })

  it('refuses a cursor it did not issue', () => {
    const err = caught(() => repos.campaigns.list(PAGE_EXP, { conditions: [], sort: { column: 'name', direction: 'asc' }, cursor: 'garbage!', limit: 10 }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields).toEqual([{ path: 'cursor', message: expect.any(String) }])
  })
})

describe('names', () => {
  it('are unique within an experiment: BAD_INPUT on value.name', () => {
    repos.campaigns.insert(campaign({ name: 'unique-1' }))
    const err = caught(() => repos.campaigns.insert(campaign({ name: 'unique-1' })))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields).toEqual([{ path: 'value.name', message: expect.stringContaining('already used') }])
    // The same name is fine in another experiment.
    expect(repos.campaigns.insert(campaign({ experiment: OTHER, name: 'unique-1' })).name).toBe('unique-1')
  })

  it('a rename onto a taken name is BAD_INPUT too, and changes nothing', () => {
    repos.campaigns.insert(campaign({ name: 'taken' }))
    const mine = repos.campaigns.insert(campaign({ name: 'mine' }))
    const err = caught(() => repos.campaigns.update(EXP, mine.id, 1, { name: 'taken' }, 'bob', 5000))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.fields?.[0]?.path).toBe('value.name')
    expect(repos.campaigns.get(EXP, mine.id)).toEqual(mine)
  })

  it('stage names are unique within their campaign only', () => {
    const c1 = repos.campaigns.insert(campaign())
    const c2 = repos.campaigns.insert(campaign())
    repos.stages.insert(stage({ campaignId: c1.id, name: 'generate' }))
    repos.stages.insert(stage({ campaignId: c2.id, name: 'generate' }))
    const err = caught(() => repos.stages.insert(stage({ campaignId: c1.id, name: 'generate' })))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.message).toContain('in this campaign')
  })
})

describe('updates', () => {
  it('bump the revision and record the updater', () => {
    const c = repos.campaigns.insert(campaign({ name: 'to-update' }))
    const updated = repos.campaigns.update(EXP, c.id, 1, { name: 'updated', tags: ['x'] }, 'bob', 9999)
    expect(updated).toMatchObject({ id: c.id, shortId: c.shortId, name: 'updated', tags: ['x'], rev: 2, updater: 'bob', updatedAt: 9999, creator: 'alice' })
  })

  it('with a stale expectedRev are a CONFLICT and overwrite nothing', () => {
    const c = repos.campaigns.insert(campaign({ name: 'contended' }))
    const first = repos.campaigns.update(EXP, c.id, 1, { keywords: { who: 'first' } }, 'alice', 2000)
    const err = caught(() => repos.campaigns.update(EXP, c.id, 1, { keywords: { who: 'second' } }, 'bob', 3000))
    expect(err.code).toBe('CONFLICT')
    expect(err.details).toEqual({ currentRev: 2, expectedRev: 1 })
    expect(repos.campaigns.get(EXP, c.id)).toEqual(first)
  })

  it('of a missing row are NOT_FOUND', () => {
    expect(caught(() => repos.campaigns.update(EXP, newId(), 1, { name: 'x' }, 'bob', 1)).code).toBe('NOT_FOUND')
  })

  it('cannot reach a row of another experiment', () => {
    const c = repos.campaigns.insert(campaign({ name: 'elsewhere' }))
    expect(caught(() => repos.campaigns.update(OTHER, c.id, 1, { name: 'hijacked' }, 'eve', 1)).code).toBe('NOT_FOUND')
    expect(repos.campaigns.get(EXP, c.id)?.name).toBe('elsewhere')
  })
})

describe('tombstones', () => {
  it('hide the row, keep it stored, and free its name', () => {
    const c = repos.campaigns.insert(campaign({ name: 'doomed' }))
    repos.campaigns.softDelete(EXP, c.id, 1, 'bob', 4242)
    expect(repos.campaigns.get(EXP, c.id)).toBeNull()
    expect(repos.campaigns.get(EXP, c.shortId)).toBeNull()
    const listed = repos.campaigns.list(EXP, { conditions: [{ sql: 'name = ?', params: ['doomed'] }], sort: { column: 'name', direction: 'asc' }, cursor: null, limit: 10 })
    expect(listed.items).toEqual([])
    expect(store.db.prepare('SELECT deleted_at, rev, updater FROM campaigns WHERE id = ?').get(c.id)).toEqual({ deleted_at: 4242, rev: 2, updater: 'bob' })

    const reborn = repos.campaigns.insert(campaign({ name: 'doomed' }))
    expect(reborn.id).not.toBe(c.id)
    expect(repos.campaigns.get(EXP, reborn.id)?.name).toBe('doomed')
  })

  it('a stale or repeated delete is refused', () => {
    const c = repos.campaigns.insert(campaign())
    repos.campaigns.update(EXP, c.id, 1, { active: false }, 'bob', 1)
    expect(caught(() => repos.campaigns.softDelete(EXP, c.id, 1, 'bob', 2)).code).toBe('CONFLICT')
    repos.campaigns.softDelete(EXP, c.id, 2, 'bob', 3)
    expect(caught(() => repos.campaigns.softDelete(EXP, c.id, 3, 'bob', 4)).code).toBe('NOT_FOUND')
    expect(caught(() => repos.campaigns.update(EXP, c.id, 3, { name: 'zombie' }, 'bob', 5)).code).toBe('NOT_FOUND')
  })

  it("deleting a campaign's stages tombstones only that campaign's live stages", () => {
    const c = repos.campaigns.insert(campaign())
    const keep = repos.campaigns.insert(campaign())
    const a = repos.stages.insert(stage({ campaignId: c.id }))
    const b = repos.stages.insert(stage({ campaignId: c.id }))
    const other = repos.stages.insert(stage({ campaignId: keep.id }))
    expect(repos.stages.tombstoneCampaign(c.id, 'bob', 77)).toBe(2)
    expect(repos.stages.get(EXP, a.id)).toBeNull()
    expect(repos.stages.get(EXP, b.id)).toBeNull()
    expect(repos.stages.get(EXP, other.id)).toEqual(other)
    expect(repos.stages.countByCampaign(c.id)).toBe(0)
  })
})

describe('append-only and immutable tables', () => {
  let submissionId: string

  beforeAll(() => {
    const st = repos.stages.insert(stage({ name: 'history-stage' }))
    submissionId = newId()
    store.db.transaction(() => {
      repos.submissions.insert({
        id: submissionId,
        experiment: EXP,
        campaignId: null,
        stageId: st.id,
        status: 'New',
        launchState: 'pending',
        test: false,
        backend: 'local',
        dataset: '',
        parentSubmissionId: null,
        idempotencyKey: 'key-append-only',
        launchOutputFile: null,
        creator: 'alice',
        creatorRole: 'production',
        now: 10,
      })
      repos.submissions.appendHistory(submissionId, { status: 'New', at: 10, actor: 'alice', face: 'cli', reason: null })
      repos.submissions.appendHistory(submissionId, { status: 'Running', at: 11, actor: 'engine', face: 'engine', reason: null })
      repos.submissions.insertSnapshot(submissionId, { takenAt: 10 } as never)
      repos.audit.append({ at: 10, experiment: EXP, actor: 'alice', role: 'production', face: 'cli', action: 'launch', entityType: 'submission', entityId: submissionId, summary: 'launched' })
    })()
  })

  it.each([
    ['submission_history', "UPDATE submission_history SET status = 'Completed' WHERE submission_id = ?", /append-only/],
    ['submission_history', 'DELETE FROM submission_history WHERE submission_id = ?', /append-only/],
    ['audit_log', "UPDATE audit_log SET actor = 'mallory' WHERE entity_id = ?", /append-only/],
    ['audit_log', 'DELETE FROM audit_log WHERE entity_id = ?', /append-only/],
    ['submission_snapshots', "UPDATE submission_snapshots SET snapshot = '{}' WHERE submission_id = ?", /immutable/],
    ['submission_snapshots', 'DELETE FROM submission_snapshots WHERE submission_id = ?', /immutable/],
  ])('%s refuses: %s', (_table, sql, message) => {
    expect(() => store.db.prepare(sql).run(submissionId)).toThrow(message)
  })

  it('still holds what was written', () => {
    expect(repos.submissions.history(submissionId).map((h) => h.status)).toEqual(['New', 'Running'])
    expect(repos.submissions.getSnapshot(submissionId)).toEqual({ takenAt: 10 })
    expect(repos.audit.list(EXP, { entityId: submissionId, cursor: null, limit: 10 }).items).toEqual([
      expect.objectContaining({ actor: 'alice', role: 'production', face: 'cli', action: 'launch' }),
    ])
  })

  it('a snapshot cannot be replaced by inserting again', () => {
    expect(() => repos.submissions.insertSnapshot(submissionId, { takenAt: 11 } as never)).toThrow(/UNIQUE|PRIMARY KEY/)
  })

  it('finds a submission by its idempotency key, scoped to the experiment', () => {
    expect(repos.submissions.findByIdempotencyKey(EXP, 'key-append-only')?.id).toBe(submissionId)
    expect(repos.submissions.findByIdempotencyKey(OTHER, 'key-append-only')).toBeNull()
  })
})
