import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { Draft, RevisionInfo } from '../../../shared/api/contract'
import { CampaignDocument } from '../../../shared/domain/campaign-document'
import { AppError, type WireError } from '../../../shared/errors'
import { useApi } from '../api'
import { debounce } from '../lib/debounce'
import { toAppError } from '../lib/errors'
import { refetchOnChange } from './live'
import { useSessionStore } from './session'

/** Long enough that typing a file pattern is one save, short enough that closing the window loses nothing. */
export const DRAFT_SAVE_DELAY_MS = 600

/**
 * `saved`: the server has every edit; `pending`: edits wait for the debounce; `saving`: a save is in
 * flight; `invalid`: the document breaks the schema and is kept here until fixed; `failed`: the
 * save was refused (a conflict, or an error shown with it).
 */
export type SaveState = 'saved' | 'pending' | 'saving' | 'invalid' | 'failed'

/**
 * The workflow editor's draft of one campaign: the document being edited, saved with `drafts:save`
 * (debounced, naming the draft revision it was based on), published or discarded. Edits are
 * applied here at once and sent behind the person's back; a stale revision stops saving and
 * asks for a reload rather than overwriting someone else's draft.
 */
export const useWorkflowStore = defineStore('workflow', () => {
  const api = useApi()
  const session = useSessionStore()

  /** What the server last said about the draft (its revision, base, who saved it). */
  const draft = shallowRef<Draft | null>(null)
  /** The working copy: every edit lands here first. */
  const document = shallowRef<CampaignDocument | null>(null)
  const loading = ref(false)
  const loadError = shallowRef<WireError | null>(null)
  const saveState = ref<SaveState>('saved')
  const saveError = shallowRef<WireError | null>(null)
  const conflict = ref(false)

  let campaignRef: string | null = null
  /** Bumped by every edit, so a save that returns knows whether newer edits are still unsent. */
  let localVersion = 0
  let savedVersion = 0
  let saving: Promise<void> | null = null
  let newestLoad = 0

  const dirty = (): boolean => localVersion !== savedVersion

  function adopt(loaded: Draft): void {
    draft.value = loaded
    document.value = loaded.document
    savedVersion = localVersion
    saveState.value = 'saved'
    saveError.value = null
    conflict.value = false
  }

  async function fetchDraft(ref: string): Promise<Draft> {
    return api.call('drafts:get', { ...session.requireScope(), campaignId: ref })
  }

  /** Opens the draft (or the published configuration) of a campaign; `ref` is its id or short id. */
  async function open(ref: string): Promise<void> {
    if (campaignRef !== null && campaignRef !== ref) {
      await flush().catch(() => undefined)
      draft.value = null
      document.value = null
    }
    campaignRef = ref
    const request = ++newestLoad
    loading.value = true
    try {
      const loaded = await fetchDraft(ref)
      if (request === newestLoad) {
        adopt(loaded)
        loadError.value = null
      }
    } catch (thrown) {
      if (request === newestLoad) loadError.value = toAppError(thrown).toWire()
    } finally {
      if (request === newestLoad) loading.value = false
    }
  }

  /** Drops local edits and loads what the server has now (after a conflict, or on request). */
  async function reload(): Promise<void> {
    saveSoon.cancel()
    localVersion = savedVersion
    if (campaignRef !== null) await open(campaignRef)
  }

  const saveSoon = debounce(() => void save().catch(() => undefined), DRAFT_SAVE_DELAY_MS)

  /** Applies one edit to the working copy and schedules the save. */
  function edit(change: (doc: CampaignDocument) => CampaignDocument): void {
    const current = document.value
    if (!current || conflict.value) return
    const next = change(current)
    if (next === current) return
    document.value = next
    localVersion++
    saveState.value = 'pending'
    saveSoon()
  }

  /** Sends the working copy if it has unsent edits; one save at a time, newer edits follow. */
  async function save(): Promise<void> {
    if (saving) {
      await saving
      if (dirty() && !conflict.value) return save()
      return
    }
    const current = draft.value
    const doc = document.value
    if (!current || !doc || !dirty() || conflict.value) return
    const checked = CampaignDocument.safeParse(doc)
    if (!checked.success) {
      saveState.value = 'invalid'
      return
    }
    const version = localVersion
    saveState.value = 'saving'
    saving = (async () => {
      try {
        const saved = await api.call('drafts:save', {
          ...session.requireScope(),
          campaignId: current.campaignId,
          document: checked.data,
          expectedRev: current.rev,
        })
        // The server's document may differ in trivia (trimmed text); the working copy stays as typed.
        draft.value = saved
        savedVersion = version
        saveError.value = null
        saveState.value = dirty() ? 'pending' : 'saved'
      } catch (thrown) {
        const failure = toAppError(thrown)
        if (failure.code === 'CONFLICT') conflict.value = true
        else saveError.value = failure.toWire()
        saveState.value = 'failed'
        throw failure
      } finally {
        saving = null
      }
    })()
    await saving
    if (dirty() && !conflict.value) saveSoon()
  }

  /** Sends everything now (before publishing, before leaving the editor). */
  async function flush(): Promise<void> {
    saveSoon.cancel()
    await save()
    if (dirty() && !conflict.value) await save()
  }

  /** Publishes the draft as the campaign's next revision, launchable from then on. */
  async function publish(summary: string): Promise<RevisionInfo> {
    await flush()
    const current = draft.value
    if (conflict.value) throw new AppError('CONFLICT', 'the draft was changed elsewhere; reload it before publishing')
    if (!current || current.rev === null) throw new AppError('BAD_INPUT', 'there is no draft to publish: nothing was changed')
    const info = await api.call('drafts:publish', {
      ...session.requireScope(),
      campaignId: current.campaignId,
      expectedRev: current.rev,
      summary,
    })
    adopt(await fetchDraft(current.campaignId))
    return info
  }

  /** Throws the draft away; the editor shows the published configuration again. */
  async function discard(): Promise<void> {
    const current = draft.value
    if (!current) return
    saveSoon.cancel()
    if (saving) await saving.catch(() => undefined)
    localVersion = savedVersion
    adopt(await api.call('drafts:discard', { ...session.requireScope(), campaignId: current.campaignId }))
  }

  /** Someone (maybe another window) saved or published: take it, unless edits here are unsent. */
  async function refreshFromServer(): Promise<void> {
    const current = draft.value
    if (!current || campaignRef === null || dirty() || saving) return
    const latest = await fetchDraft(campaignRef)
    if (dirty() || saving) return
    if (latest.rev !== draft.value?.rev || latest.isDraft !== draft.value?.isDraft || latest.baseRevision !== draft.value?.baseRevision) {
      adopt(latest)
    }
  }

  refetchOnChange({
    events: ['drafts:changed', 'revisions:changed'],
    isRelevant: (payload) => 'ids' in payload && draft.value !== null && payload.ids.includes(draft.value.campaignId),
    refetch: () => refreshFromServer().catch(() => undefined),
  })

  return {
    draft,
    document,
    loading,
    loadError,
    saveState,
    saveError,
    conflict,
    open,
    reload,
    edit,
    flush,
    publish,
    discard,
    hasUnsavedEdits: dirty,
  }
})
