import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LIVE_REFETCH_DELAY_MS } from '../../renderer/src/stores/live'
import { useCampaignsStore } from '../../renderer/src/stores/campaigns'
import { useSessionStore } from '../../renderer/src/stores/session'
import { useSubmissionsStore } from '../../renderer/src/stores/submissions'
import { AppError } from '../../shared/errors'
import { setUpApp } from './support/harness'
import { campaign, session, submission } from './support/fixtures'

beforeEach(() => {
  localStorage.clear()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('session store', () => {
  it('acts in the default experiment with the membership role', async () => {
    await setUpApp()
    const store = useSessionStore()
    expect(store.status).toBe('ready')
    expect(store.scope).toEqual({ experiment: 'samdev', role: 'production' })
    expect(store.actingRoles).toEqual(['analysis', 'production-shifter', 'production'])
  })

  it('remembers the chosen experiment across loads and resets the role to that membership', async () => {
    await setUpApp()
    useSessionStore().selectExperiment('nova')
    expect(useSessionStore().scope).toEqual({ experiment: 'nova', role: 'analysis' })

    await setUpApp()
    expect(useSessionStore().experiment).toBe('nova')
  })

  it('ignores an experiment or role the user has no right to', async () => {
    await setUpApp()
    const store = useSessionStore()
    store.selectExperiment('dune')
    store.selectRole('superuser')
    expect(store.scope).toEqual({ experiment: 'samdev', role: 'production' })
  })

  it('has no scope when the user belongs to no experiment', async () => {
    await setUpApp({ 'session:get': () => session({ memberships: [], defaultExperiment: null }) })
    const store = useSessionStore()
    expect(store.status).toBe('ready')
    expect(store.scope).toBeNull()
    expect(() => store.requireScope()).toThrow(AppError)
  })

  it('says unauthenticated when session:get is refused, and when any later call is', async () => {
    await setUpApp({
      'session:get': () => {
        throw new AppError('UNAUTHENTICATED', 'missing token')
      },
    })
    expect(useSessionStore().status).toBe('unauthenticated')

    const { bridge } = await setUpApp()
    expect(useSessionStore().status).toBe('ready')
    bridge.handle('campaigns:list', () => {
      throw new AppError('UNAUTHENTICATED', 'token rotated')
    })
    await useCampaignsStore().fetchList()
    expect(useSessionStore().status).toBe('unauthenticated')
  })
})

describe('campaigns store', () => {
  it('refetches its list once after a burst of campaigns:changed events in its experiment', async () => {
    let listed = [campaign(1)]
    const { bridge } = await setUpApp({ 'campaigns:list': () => ({ items: listed, nextCursor: null }) })
    const store = useCampaignsStore()
    await store.fetchList()
    expect(store.items.map((c) => c.name)).toEqual(['campaign-1'])

    vi.useFakeTimers()
    listed = [campaign(1), campaign(2)]
    for (let i = 0; i < 5; i++) bridge.emit('campaigns:changed', { experiment: 'samdev', ids: [campaign(2).id] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS)

    expect(bridge.callsTo('campaigns:list')).toHaveLength(2)
    expect(store.items.map((c) => c.name)).toEqual(['campaign-1', 'campaign-2'])
  })

  it('ignores changes in another experiment', async () => {
    const { bridge } = await setUpApp({ 'campaigns:list': () => ({ items: [], nextCursor: null }) })
    await useCampaignsStore().fetchList()
    vi.useFakeTimers()
    bridge.emit('campaigns:changed', { experiment: 'nova', ids: [] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('campaigns:list')).toHaveLength(1)
  })

  it('does not fetch a list nobody has asked for', async () => {
    const { bridge } = await setUpApp({ 'campaigns:list': () => ({ items: [], nextCursor: null }) })
    useCampaignsStore()
    vi.useFakeTimers()
    bridge.emit('campaigns:changed', { experiment: 'samdev', ids: [] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS * 2)
    expect(bridge.callsTo('campaigns:list')).toHaveLength(0)
  })

  it('reads every page of the list, scoped by experiment and role', async () => {
    const { bridge } = await setUpApp({
      'campaigns:list': (input) =>
        input.cursor ? { items: [campaign(2)], nextCursor: null } : { items: [campaign(1)], nextCursor: 'page-2' },
    })
    const store = useCampaignsStore()
    await store.fetchList()
    expect(store.items.map((c) => c.name)).toEqual(['campaign-1', 'campaign-2'])
    expect(bridge.callsTo('campaigns:list')[1]).toMatchObject({ experiment: 'samdev', role: 'production', cursor: 'page-2' })
  })

  it('keeps a failed fetch as a readable error instead of throwing', async () => {
    await setUpApp({
      'campaigns:list': () => {
        throw new AppError('UNAVAILABLE', 'store is locked by pid 42')
      },
    })
    const store = useCampaignsStore()
    await store.fetchList()
    expect(store.error).toMatchObject({ code: 'UNAVAILABLE', message: 'store is locked by pid 42' })
  })
})

describe('submissions store', () => {
  it('refetches the shown list on jobs:changed and after a transport resync', async () => {
    let status: 'Running' | 'Completed' = 'Running'
    const { bridge } = await setUpApp({
      'submissions:list': () => ({ items: [submission(5, { status })], nextCursor: null }),
    })
    const store = useSubmissionsStore()
    await store.query({ campaignId: campaign(1).id })
    expect(store.items[0]!.status).toBe('Running')

    vi.useFakeTimers()
    status = 'Completed'
    bridge.emit('jobs:changed', { experiment: 'samdev', submissionIds: [submission(5).id] })
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS)
    expect(store.items[0]!.status).toBe('Completed')
    expect(bridge.callsTo('submissions:list').at(-1)).toMatchObject({ filter: { campaignId: campaign(1).id } })

    bridge.resync()
    await vi.advanceTimersByTimeAsync(LIVE_REFETCH_DELAY_MS)
    expect(bridge.callsTo('submissions:list')).toHaveLength(3)
  })

  it('appends pages with Load more and keeps them on a live refetch', async () => {
    const { bridge } = await setUpApp({
      'submissions:list': (input) => {
        if (input.cursor === 'next') return { items: [submission(2)], nextCursor: null }
        return input.limit && input.limit > 50
          ? { items: [submission(1), submission(2)], nextCursor: null }
          : { items: [submission(1)], nextCursor: 'next' }
      },
    })
    const store = useSubmissionsStore()
    await store.query({})
    expect(store.hasMore).toBe(true)
    await store.loadMore()
    expect(store.items.map((s) => s.shortId)).toEqual(['s-000001', 's-000002'])
    expect(store.hasMore).toBe(false)
    await store.refreshList()
    expect(bridge.callsTo('submissions:list').at(-1)).toMatchObject({ cursor: null, limit: 50 })
  })

  it('gives every launch its own idempotency key', async () => {
    const { bridge } = await setUpApp({
      'submissions:launch': () => ({ submission: submission(9), held: null, taskId: null, replayed: false, preview: null }),
    })
    const store = useSubmissionsStore()
    await store.launch(campaign(3).id, { test: false })
    await store.launch(campaign(3).id, { test: true })
    const [first, second] = bridge.callsTo('submissions:launch')
    expect(first!.idempotencyKey.length).toBeGreaterThanOrEqual(8)
    expect(second!.idempotencyKey).not.toBe(first!.idempotencyKey)
    expect(second!.test).toBe(true)
  })
})
