import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventName } from '../../shared/api/channels'
import type { Draft } from '../../shared/api/contract'
import type { Campaign } from '../../shared/domain/campaign'
import { AppError } from '../../shared/errors'
import { newId } from '../../electron/core/store/ids'
import { startCore, tableCounts, type CoreHarness } from '../helpers/core-harness'

const EXP = 'demo'
let h: CoreHarness
let sample: Campaign
const events: { name: EventName; payload: unknown }[] = []

beforeEach(async () => {
  h = await startCore()
  sample = (await h.call('campaigns:list', { experiment: EXP, filter: { name: 'sample-campaign' } })).items[0]!
  h.core.onEvent((name, payload) => void events.push({ name, payload }))
  events.length = 0
})
afterEach(() => h.stop())

const get = () => h.call('drafts:get', { experiment: EXP, campaignId: sample.id })
const save = (document: Draft['document'], expectedRev: number | null) => h.call('drafts:save', { experiment: EXP, campaignId: sample.id, document, expectedRev })
const refusal = async (promise: Promise<unknown>): Promise<AppError> => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(AppError)
  return err as AppError
}
/** A finished submission of a stage, as a launch leaves it. */
function addSubmission(stageId: string): string {
  const id = newId()
  h.core.deps.repos.submissions.insert({
    id, experiment: EXP, campaignId: sample.id, stageId, status: 'Completed', now: 1, launchState: 'launched',
    test: false, backend: 'local', dataset: '', parentSubmissionId: null, idempotencyKey: null, launchOutputFile: null, creator: 'x', creatorRole: 'production',
  })
  return id
}
const addMember = (username: string, role: 'analysis' | 'production') => {
  h.core.deps.repos.experiments.insertUser({ username, displayName: username, root: false }, 1)
  h.core.deps.repos.experiments.setMembership(EXP, username, role, 1)
}

describe('drafts:get', () => {
  it('without a draft answers the published configuration, with no problems', async () => {
    const draft = await get()
    const [latest] = await h.call('revisions:list', { experiment: EXP, campaignId: sample.id })
    expect(draft).toMatchObject({ campaignId: sample.id, isDraft: false, baseRevision: latest!.revision, rev: null, updatedAt: null, updater: null })
    expect(draft.document).toEqual((await h.call('revisions:get', { experiment: EXP, campaignId: sample.id, revision: latest!.revision })).document)
    expect(draft.document.stages.map((s) => s.name)).toEqual(['generate', 'process'])
    expect(draft.problems.filter((p) => p.severity === 'error')).toEqual([])
  })
})

describe('drafts:save', () => {
  it('creates the draft with expectedRev null, stores it verbatim and counts its own revisions', async () => {
    const { document } = await get()
    document.stages[1]!.softwareVersion = 'v2_0'
    const first = await save(document, null)
    expect(first).toMatchObject({ isDraft: true, rev: 1, updater: h.core.localUsername, baseRevision: 4 })
    expect(first.document).toEqual(document)
    expect(events.map((e) => e.name)).toEqual(['drafts:changed'])
    expect(events[0]!.payload).toEqual({ experiment: EXP, ids: [sample.id] })

    document.keywords = { release: 'v2_0' }
    const second = await save(document, 1)
    expect(second.rev).toBe(2)
    expect((await get()).document).toEqual(document)
    // The published configuration is untouched while a draft is edited.
    expect((await h.call('stages:list', { experiment: EXP, filter: { campaignId: sample.id } })).items.map((s) => s.softwareVersion)).toEqual(['%(release)s', '%(release)s'])
  })

  it('answers CONFLICT to a stale expectedRev, and to a second "new draft", without overwriting', async () => {
    const { document } = await get()
    await save(document, null)
    const mine = { ...document, tags: ['mine'] }
    await save(mine, 1)
    const stale = await refusal(save({ ...document, tags: ['theirs'] }, 1))
    expect(stale.code).toBe('CONFLICT')
    expect(stale.message).toContain('saved by someone else meanwhile (draft revision 2, you edited 1)')
    const again = await refusal(save(document, null))
    expect(again.code).toBe('CONFLICT')
    expect((await get()).document.tags).toEqual(['mine'])
  })

  it('reports problems of the saved document, and an analysis user may look but not save', async () => {
    const { document } = await get()
    document.stages[0]!.jobType = 'no-such-job-type'
    const draft = await save(document, null)
    expect(draft.problems).toContainEqual(expect.objectContaining({ severity: 'error', path: 'stages.0.jobType' }))

    addMember('ana', 'analysis')
    const ana = { username: 'ana', face: 'web' as const }
    expect((await h.call('drafts:get', { experiment: EXP, campaignId: sample.id }, ana)).isDraft).toBe(true)
    expect((await refusal(h.call('drafts:save', { experiment: EXP, campaignId: sample.id, document, expectedRev: 1 }, ana))).code).toBe('FORBIDDEN')
    expect((await refusal(h.call('drafts:discard', { experiment: EXP, campaignId: sample.id }, ana))).code).toBe('FORBIDDEN')
  })
})

describe('drafts:discard', () => {
  it('drops the draft; the published configuration shows again', async () => {
    const { document } = await get()
    await save({ ...document, tags: ['x'] }, null)
    const after = await h.call('drafts:discard', { experiment: EXP, campaignId: sample.id })
    expect(after).toMatchObject({ isDraft: false, rev: null })
    expect(after.document.tags).toEqual(['sample'])
    expect((await refusal(save(document, 1))).message).toContain('published or discarded meanwhile')
  })
})

describe('drafts:publish', () => {
  it('applies the draft in one transaction, records the next revision, deletes the draft, then tells everyone', async () => {
    const generate = (await get()).document.stages[0]!
    // A submission of the stage that is about to be renamed.
    const submissionId = addSubmission(generate.id!)

    const { document } = await get()
    document.stages[0]!.name = 'gen' // a rename by id
    document.dependencies[0]!.from = 'gen'
    document.dependencies[0]!.filePatterns = '%.root'
    document.layout = { gen: { x: 10, y: 10 }, process: { x: 300, y: 10 } }
    await save(document, null)
    events.length = 0

    const info = await h.call('drafts:publish', { experiment: EXP, campaignId: sample.id, expectedRev: 1, summary: 'shorter stage name' })
    expect(info).toMatchObject({ campaignId: sample.id, revision: 5, summary: 'shorter stage name', creator: h.core.localUsername })

    const published = await get()
    expect(published.isDraft).toBe(false)
    expect(published.document).toEqual(document)
    const stages = (await h.call('stages:list', { experiment: EXP, filter: { campaignId: sample.id } })).items
    expect(stages.find((s) => s.name === 'gen')!.id).toBe(generate.id)
    const submission = await h.call('submissions:get', { experiment: EXP, id: submissionId })
    expect(submission.submission).toMatchObject({ stageId: generate.id, stageName: 'gen' })
    expect((await h.call('revisions:get', { experiment: EXP, campaignId: sample.id, revision: 5 })).document).toEqual(document)
    expect(new Set(events.map((e) => e.name))).toEqual(new Set(['campaigns:changed', 'stages:changed', 'dependencies:changed', 'drafts:changed', 'revisions:changed']))
  })

  it('refuses a draft with problems (BAD_INPUT listing them), changing nothing', async () => {
    const { document } = await get()
    document.stages[1]!.loginSetup = 'nowhere'
    document.dependencies.push({ from: 'process', to: 'generate', filePatterns: '%.root' }) // a cycle
    await save(document, null)
    const before = tableCounts(h.core.deps.db)
    const err = await refusal(h.call('drafts:publish', { experiment: EXP, campaignId: sample.id, expectedRev: 1 }))
    expect(err.code).toBe('BAD_INPUT')
    expect(err.message).toMatch(/^the draft of sample-campaign has 2 problems to fix before it can be published: /)
    expect(err.fields!.map((f) => f.path).sort()).toEqual(['dependencies.1', 'stages.1.loginSetup'])
    expect(tableCounts(h.core.deps.db)).toEqual(before)
    expect((await get()).isDraft).toBe(true)
  })

  it('refuses a stale expectedRev with CONFLICT', async () => {
    const { document } = await get()
    await save(document, null)
    await save(document, 1)
    expect((await refusal(h.call('drafts:publish', { experiment: EXP, campaignId: sample.id, expectedRev: 1 }))).code).toBe('CONFLICT')
    expect((await refusal(h.call('drafts:publish', { experiment: EXP, campaignId: sample.id, expectedRev: 3 }))).code).toBe('CONFLICT')
  })

  it('a removed stage is detached, not deleted, and keeps its submissions', async () => {
    const { document } = await get()
    const process = document.stages[1]!
    const submissionId = addSubmission(process.id!)
    document.stages = [document.stages[0]!]
    document.dependencies = []
    await save(document, null)
    await h.call('drafts:publish', { experiment: EXP, campaignId: sample.id, expectedRev: 1 })
    const stage = await h.call('stages:get', { experiment: EXP, id: process.id! })
    expect(stage.campaignId).toBeNull()
    expect((await get()).document.stages.map((s) => s.name)).toEqual(['generate'])
    expect((await h.call('submissions:get', { experiment: EXP, id: submissionId })).submission).toMatchObject({ stageId: process.id, stageName: 'process' })
  })
})
