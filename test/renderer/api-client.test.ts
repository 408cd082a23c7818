import { describe, expect, it } from 'vitest'
import { reactive } from 'vue'
import { createApiClient } from '../../renderer/src/api/client'
import { createElectronBridge, isExposedBridge } from '../../renderer/src/api/bridge-electron'
import type { PomsBridge } from '../../shared/api/bridge'
import { AppError } from '../../shared/errors'
import { FakeBridge } from './support/fake-bridge'
import { campaign, session } from './support/fixtures'

describe('createApiClient', () => {
  it('returns the value of an ok envelope', async () => {
    const api = createApiClient(new FakeBridge({ 'session:get': () => session() }))
    const value = await api.call('session:get', {})
    expect(value.user.username).toBe('alice')
  })

  it('rebuilds the AppError of a failed envelope, fields included', async () => {
    const api = createApiClient(
      new FakeBridge({
        'campaigns:create': () => {
          throw new AppError('BAD_INPUT', 'input is invalid', { fields: [{ path: 'value.name', message: 'a name is required' }] })
        },
      }),
    )
    const failure = await api.call('campaigns:create', { experiment: 'samdev', value: { name: '' } }).catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(AppError)
    expect(failure).toMatchObject({ code: 'BAD_INPUT', message: 'input is invalid', fields: [{ path: 'value.name', message: 'a name is required' }] })
  })

  it('turns an unknown wire code into INTERNAL rather than trusting it', async () => {
    const bridge: PomsBridge = {
      invoke: async () => ({ ok: false, error: { code: 'WEIRD' as never, message: 'odd' } }),
      on: () => () => {},
    }
    const failure = await createApiClient(bridge).call('session:get', {}).catch((e: unknown) => e)
    expect(failure).toMatchObject({ code: 'INTERNAL' })
    expect((failure as Error).message).toContain('odd')
  })

  it('turns a bridge that throws into UNAVAILABLE', async () => {
    const bridge: PomsBridge = {
      invoke: async () => {
        throw new Error('socket closed')
      },
      on: () => () => {},
    }
    const failure = await createApiClient(bridge).call('session:get', {}).catch((e: unknown) => e)
    expect(failure).toMatchObject({ code: 'UNAVAILABLE', message: 'socket closed' })
  })

  it('tells error listeners about every failure before throwing', async () => {
    const api = createApiClient(
      new FakeBridge({
        'campaigns:get': () => {
          throw new AppError('UNAUTHENTICATED', 'bad token')
        },
      }),
    )
    const seen: string[] = []
    api.onError((error) => seen.push(error.code))
    await expect(api.call('campaigns:get', { experiment: 'samdev', id: 'c-000001' })).rejects.toThrow('bad token')
    expect(seen).toEqual(['UNAUTHENTICATED'])
  })

  it('passes events through from the bridge and stops on unsubscribe', () => {
    const bridge = new FakeBridge()
    const api = createApiClient(bridge)
    const got: string[][] = []
    const off = api.on('campaigns:changed', (payload) => got.push(payload.ids))
    bridge.emit('campaigns:changed', { experiment: 'samdev', ids: [campaign(1).id] })
    off()
    bridge.emit('campaigns:changed', { experiment: 'samdev', ids: [campaign(2).id] })
    expect(got).toEqual([[campaign(1).id]])
  })
})

describe('createElectronBridge', () => {
  it('recognises the preload global by its shape', () => {
    expect(isExposedBridge({ invoke: () => {}, on: () => {} })).toBe(true)
    expect(isExposedBridge(undefined)).toBe(false)
    expect(isExposedBridge({ invoke: () => {} })).toBe(false)
  })

  it('answers with an envelope when ipcRenderer.invoke rejects', async () => {
    const exposed: PomsBridge = {
      invoke: async () => {
        throw new Error('channel not allowed')
      },
      on: () => () => {},
    }
    const result = await createElectronBridge(exposed).invoke('session:get', {})
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('INTERNAL')
      expect(result.error.message).toContain('channel not allowed')
    }
  })
})

describe('inputs', () => {
  it('reach the bridge as plain data even when they come from reactive state', async () => {
    const bridge = new FakeBridge({ 'submissions:list': () => ({ items: [], nextCursor: null }) })
    const filter = reactive({ status: ['Running' as const], activeOnly: true })
    await createApiClient(bridge).call('submissions:list', { experiment: 'samdev', filter })
    // FakeBridge records with structuredClone, which throws on a Vue proxy, as Electron's IPC does.
    expect(bridge.callsTo('submissions:list')[0]!.filter).toEqual({ status: ['Running'], activeOnly: true })
  })
})
