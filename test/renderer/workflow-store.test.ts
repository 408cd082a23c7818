import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Draft, Input } from '../../shared/api/contract'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import { AppError } from '../../shared/errors'
import { DRAFT_SAVE_DELAY_MS, useWorkflowStore } from '../../renderer/src/stores/workflow'
import { addStage, setDependencyPatterns, updateStage } from '../../renderer/src/workflow/document-edits'
import { uuid } from './support/fixtures'
import { setUpApp } from './support/harness'

const CAMPAIGN_ID = uuid(1)

function published(): CampaignDocument {
  let doc = CampaignDocument.parse({ name: 'mc', stages: [] })
  doc = addStage(doc, 'gen', { position: { x: 0, y: 0 } })
  return addStage(doc, 'reco', { dependsOn: 'gen' })
}

function draftOf(document: CampaignDocument, rev: number | null): Draft {
  return {
    campaignId: CAMPAIGN_ID,
    document,
    isDraft: rev !== null,
    baseRevision: 1,
    rev,
    updatedAt: rev === null ? null : 1_700_000_000_000,
    updater: rev === null ? null : 'alice',
    problems: [],
  }
}

/** A server that keeps one draft with a revision counter and checks expectedRev as the core does. */
function server() {
  let stored: Draft = draftOf(published(), null)
  let revision = 1
  return {
    get stored() {
      return stored
    },
    bumpElsewhere() {
      stored = draftOf(stored.document, (stored.rev ?? 0) + 1)
    },
    handlers: {
      'drafts:get': () => stored,
      'drafts:save': (input: Input<'drafts:save'>) => {
        if (input.expectedRev !== stored.rev) throw new AppError('CONFLICT', 'the draft was saved by someone else')
        stored = draftOf(CampaignDocument.parse(input.document), (stored.rev ?? 0) + 1)
        return stored
      },
      'drafts:publish': (input: Input<'drafts:publish'>) => {
        if (input.expectedRev !== stored.rev) throw new AppError('CONFLICT', 'stale')
        revision++
        stored = { ...draftOf(stored.document, null), baseRevision: revision }
        return { campaignId: CAMPAIGN_ID, revision, createdAt: 1, creator: 'alice', face: 'web', summary: input.summary ?? '' }
      },
      'drafts:discard': () => {
        stored = draftOf(published(), null)
        return stored
      },
    },
  }
}

beforeEach(() => {
  localStorage.clear()
  vi.useFakeTimers()
})
afterEach(() => vi.useRealTimers())

async function openStore() {
  const fake = server()
  const { bridge } = await setUpApp(fake.handlers)
  const store = useWorkflowStore()
  await store.open(CAMPAIGN_ID)
  return { fake, bridge, store }
}

async function settle(): Promise<void> {
  await vi.advanceTimersByTimeAsync(DRAFT_SAVE_DELAY_MS + 10)
  await flushPromises()
}

describe('workflow store', () => {
  it('applies edits at once and saves them together after a pause, naming the draft revision each time', async () => {
    const { bridge, store, fake } = await openStore()
    expect(store.draft?.isDraft).toBe(false)
    store.edit((doc) => updateStage(doc, 'reco', { splitType: 'nfiles(10)' }))
    store.edit((doc) => setDependencyPatterns(doc, 0, 'gen%.root'))
    expect(store.document?.dependencies[0]!.filePatterns).toBe('gen%.root')
    expect(store.saveState).toBe('pending')
    expect(bridge.callsTo('drafts:save')).toHaveLength(0)

    await settle()
    const saves = bridge.callsTo('drafts:save')
    expect(saves).toHaveLength(1)
    expect(saves[0]).toMatchObject({ campaignId: CAMPAIGN_ID, expectedRev: null })
    expect(saves[0]!.document.stages[1]!.splitType).toBe('nfiles(10)')
    expect(saves[0]!.document.dependencies![0]!.filePatterns).toBe('gen%.root')
    expect(store.saveState).toBe('saved')
    expect(store.draft).toMatchObject({ isDraft: true, rev: 1 })

    store.edit((doc) => setDependencyPatterns(doc, 0, 'gen%%.root'))
    await settle()
    expect(bridge.callsTo('drafts:save')[1]).toMatchObject({ expectedRev: 1 })
    expect(fake.stored.document.dependencies[0]!.filePatterns).toBe('gen%%.root')
  })

  it('stops saving on a conflict and reloads the server’s draft on request', async () => {
    const { bridge, store, fake } = await openStore()
    store.edit((doc) => updateStage(doc, 'gen', { softwareVersion: 'v2' }))
    await settle()
    fake.bumpElsewhere()
    store.edit((doc) => updateStage(doc, 'gen', { softwareVersion: 'v3' }))
    await settle()
    expect(store.conflict).toBe(true)
    expect(store.saveState).toBe('failed')
    // Edits are refused while the draft is stale, so nothing silently piles up.
    store.edit((doc) => updateStage(doc, 'gen', { softwareVersion: 'v4' }))
    expect(store.document?.stages[0]!.softwareVersion).toBe('v3')
    await store.reload()
    expect(store.conflict).toBe(false)
    expect(store.document?.stages[0]!.softwareVersion).toBe('v2')
    expect(store.draft?.rev).toBe(2)
    expect(bridge.callsTo('drafts:get')).toHaveLength(2)
  })

  it('keeps a document the schema refuses instead of sending it', async () => {
    const { bridge, store } = await openStore()
    store.edit((doc) => updateStage(doc, 'gen', { completionPct: 150 }))
    await settle()
    expect(bridge.callsTo('drafts:save')).toHaveLength(0)
    expect(store.saveState).toBe('invalid')
    store.edit((doc) => updateStage(doc, 'gen', { completionPct: 80 }))
    await settle()
    expect(bridge.callsTo('drafts:save')).toHaveLength(1)
    expect(store.saveState).toBe('saved')
  })

  it('publishing sends pending edits first, then publishes the saved draft revision', async () => {
    const { bridge, store } = await openStore()
    store.edit((doc) => setDependencyPatterns(doc, 0, 'gen%.root'))
    const info = await store.publish('narrower pattern')
    expect(bridge.callsTo('drafts:save')).toHaveLength(1)
    expect(bridge.callsTo('drafts:publish')[0]).toMatchObject({ campaignId: CAMPAIGN_ID, expectedRev: 1, summary: 'narrower pattern' })
    expect(info.revision).toBe(2)
    expect(store.draft).toMatchObject({ isDraft: false, baseRevision: 2 })
    expect(store.document?.dependencies[0]!.filePatterns).toBe('gen%.root')
  })

  it('discarding throws the draft away and shows the published document again', async () => {
    const { store } = await openStore()
    store.edit((doc) => addStage(doc, 'extra'))
    await settle()
    expect(store.document?.stages).toHaveLength(3)
    await store.discard()
    expect(store.document?.stages.map((s) => s.name)).toEqual(['gen', 'reco'])
    expect(store.draft?.isDraft).toBe(false)
  })
})
