import { defineStore } from 'pinia'
import type { Draft, RevisionInfo } from '../../../shared/api/contract'
import type { CampaignDocument } from '../../../shared/domain/campaign-document'
import { useApi } from '../api'
import { refetchOnChange } from './live'
import { useLoader } from './loader'
import { useSessionStore } from './session'

/** One side of a comparison: a published revision, or the campaign's draft. */
export type DocumentSide = number | 'draft'

export interface LoadedSide {
  side: DocumentSide
  label: string
  document: CampaignDocument
}

/** A campaign's published revisions and whether it has a draft: the History section and the diff page. */
export const useHistoryStore = defineStore('history', () => {
  const api = useApi()
  const session = useSessionStore()
  const revisions = useLoader<RevisionInfo[]>([])
  const draft = useLoader<Draft | null>(null)
  let shownCampaignId: string | null = null

  /** `campaignId` must be the full id (events name full ids). */
  async function fetchFor(campaignId: string): Promise<void> {
    if (shownCampaignId !== campaignId) {
      revisions.reset([])
      draft.reset(null)
    }
    shownCampaignId = campaignId
    await Promise.all([fetchRevisions(campaignId), fetchDraft(campaignId)])
  }

  const fetchRevisions = (campaignId: string) =>
    revisions.run(async () => {
      const list = await api.call('revisions:list', { ...session.requireScope(), campaignId })
      return [...list].sort((a, b) => b.revision - a.revision)
    })

  const fetchDraft = (campaignId: string) => draft.run(() => api.call('drafts:get', { ...session.requireScope(), campaignId }))

  /** The document of one side of a comparison. */
  async function loadSide(campaignId: string, side: DocumentSide): Promise<LoadedSide> {
    const scope = session.requireScope()
    if (side === 'draft') {
      const loaded = await api.call('drafts:get', { ...scope, campaignId })
      return { side, label: loaded.isDraft ? 'draft' : `revision ${loaded.baseRevision} (no draft)`, document: loaded.document }
    }
    const loaded = await api.call('revisions:get', { ...scope, campaignId, revision: side })
    return { side, label: `revision ${side}`, document: loaded.document }
  }

  const isShown = (payload: { ids?: readonly string[] }) => shownCampaignId !== null && (payload.ids ?? []).includes(shownCampaignId)
  refetchOnChange({
    events: ['revisions:changed'],
    isRelevant: (payload) => isShown(payload as { ids?: readonly string[] }),
    refetch: () => shownCampaignId !== null && fetchRevisions(shownCampaignId),
  })
  refetchOnChange({
    events: ['drafts:changed', 'revisions:changed'],
    isRelevant: (payload) => isShown(payload as { ids?: readonly string[] }),
    refetch: () => shownCampaignId !== null && fetchDraft(shownCampaignId),
  })

  return {
    revisions: revisions.data,
    revisionsLoading: revisions.loading,
    revisionsError: revisions.error,
    draft: draft.data,
    draftError: draft.error,
    fetchFor,
    loadSide,
  }
})
