import { join } from 'node:path'
import { build } from 'esbuild'
import { describe, expect, it, vi } from 'vitest'
import type { PomsBridge } from '../../shared/api/bridge'
import { CHANNELS, EVENTS } from '../../shared/api/channels'
import { createPomsBridge } from '../../electron/preload/poms-bridge'
import { ELECTRON_EVENT_CHANNEL as EVENT_CHANNEL } from '../../shared/api/channels'
import { fakeContextBridge, fakeIpcRenderer } from '../setup/electron-mock'

const bridge = (): PomsBridge => createPomsBridge(fakeIpcRenderer as never)
const electronEvent = { sender: { id: 1, send: () => undefined }, senderId: 0, ports: [] }

describe('preload entry', () => {
  it("exposes the bridge as window.poms and nothing else", async () => {
    vi.resetModules()
    await import('../../electron/preload/index')
    expect(fakeContextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1)
    const [name, api] = fakeContextBridge.exposeInMainWorld.mock.calls[0] as [string, Record<string, unknown>]
    expect(name).toBe('poms')
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on'])
    expect(typeof api.invoke).toBe('function')
    expect(typeof api.on).toBe('function')
  })

  it('bundles into one small file that needs nothing but electron (sandbox-safe, no zod)', async () => {
    const result = await build({
      entryPoints: [join(__dirname, '../../electron/preload/index.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      external: ['electron'],
      metafile: true,
      logLevel: 'silent',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((file) => file.includes('node_modules'))).toEqual([])
    expect(inputs.some((file) => file.includes('zod') || file.includes('shared/api/contract'))).toBe(false)
    const code = result.outputFiles[0]?.text ?? ''
    const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(code.length).toBeLessThan(8_000)
  })
})

describe('invoke', () => {
  it('forwards a contract channel with its input and returns the reply', async () => {
    const reply = { ok: true, value: [] }
    fakeIpcRenderer.invoke.mockResolvedValueOnce(reply)
    await expect(bridge().invoke('experiments:list', {})).resolves.toBe(reply)
    expect(fakeIpcRenderer.invoke).toHaveBeenCalledExactlyOnceWith('experiments:list', {})
  })

  it.each(['campaigns:drop', 'session:get ', '__proto__', 'poms:event', 42, null])('rejects %j without touching IPC', async (channel) => {
    await expect(bridge().invoke(channel as never, {} as never)).rejects.toThrow(/unknown channel/)
    expect(fakeIpcRenderer.invoke).not.toHaveBeenCalled()
  })

  it('turns a broken transport into an UNAVAILABLE envelope instead of a rejection', async () => {
    fakeIpcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'session:get'"))
    await expect(bridge().invoke('session:get', {})).resolves.toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })

  it('accepts every channel of the contract', async () => {
    fakeIpcRenderer.invoke.mockResolvedValue({ ok: true, value: null })
    for (const channel of CHANNELS) await bridge().invoke(channel, {} as never)
    expect(fakeIpcRenderer.invoke.mock.calls.map((call) => call[0])).toEqual([...CHANNELS])
  })
})

describe('on', () => {
  it('delivers only the payload of the subscribed event, without the Electron event object', () => {
    const listener = vi.fn()
    bridge().on('campaigns:changed', listener)
    const payload = { experiment: 'dune', ids: [] }
    fakeIpcRenderer.emit(EVENT_CHANNEL, electronEvent, 'campaigns:changed', payload)
    expect(listener).toHaveBeenCalledExactlyOnceWith(payload)
  })

  it('does not deliver other events', () => {
    const listener = vi.fn()
    bridge().on('campaigns:changed', listener)
    fakeIpcRenderer.emit(EVENT_CHANNEL, electronEvent, 'jobs:changed', { experiment: 'dune', submissionIds: [] })
    fakeIpcRenderer.emit('some-other-channel', electronEvent, 'campaigns:changed', {})
    expect(listener).not.toHaveBeenCalled()
  })

  it('stops delivering after unsubscribe and leaves no listener behind', () => {
    const listener = vi.fn()
    const unsubscribe = bridge().on('tasks:updated', listener)
    expect(fakeIpcRenderer.listenerCount(EVENT_CHANNEL)).toBe(1)
    unsubscribe()
    fakeIpcRenderer.emit(EVENT_CHANNEL, electronEvent, 'tasks:updated', { task: {} })
    expect(listener).not.toHaveBeenCalled()
    expect(fakeIpcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0)
  })

  it('keeps separate subscriptions independent', () => {
    const first = vi.fn()
    const second = vi.fn()
    const api = bridge()
    const stopFirst = api.on('stages:changed', first)
    api.on('stages:changed', second)
    stopFirst()
    fakeIpcRenderer.emit(EVENT_CHANNEL, electronEvent, 'stages:changed', { experiment: 'dune', ids: [] })
    expect(first).not.toHaveBeenCalled()
    expect(second).toHaveBeenCalledTimes(1)
  })

  it.each(['campaigns:deleted', 'poms:event', '', undefined])('refuses to subscribe to %j', (event) => {
    expect(() => bridge().on(event as never, vi.fn())).toThrow(/unknown event/)
    expect(fakeIpcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0)
  })

  it('refuses a listener that is not a function', () => {
    expect(() => bridge().on(EVENTS[0], 'alert(1)' as never)).toThrow(TypeError)
  })
})
