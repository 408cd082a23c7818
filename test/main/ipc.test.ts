import { describe, expect, it, vi } from 'vitest'
import { CHANNELS } from '../../shared/api/channels'
import { isTrustedSender, registerIpc, type IpcCallerEvent, type IpcMainLike } from '../../electron/main/ipc'
import { createFakeCore, createRecordingLogger } from './support/fake-core'

const OWN_PAGE = 'file:///opt/poms-desktop/out/renderer/index.html'
const fromOwnPage: IpcCallerEvent = { senderFrame: { url: `${OWN_PAGE}#/campaigns` } }

type Handler = (event: IpcCallerEvent, ...args: unknown[]) => Promise<unknown>

/** An IpcMainLike that keeps its handlers so the test can call them like Electron would. */
function fakeIpcMain() {
  const handlers = new Map<string, Handler>()
  const registered: string[] = []
  const ipc: IpcMainLike = {
    handle(channel, listener) {
      registered.push(channel)
      handlers.set(channel, listener)
    },
  }
  const call = (channel: string, event: IpcCallerEvent, input?: unknown) => {
    const handler = handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    return handler(event, input)
  }
  return { ipc, registered, call }
}

describe('registerIpc', () => {
  it('registers exactly the contract channels, once each', () => {
    const { ipc, registered } = fakeIpcMain()
    registerIpc(ipc, createFakeCore().core, isTrustedSender)
    expect(registered).toHaveLength(CHANNELS.length)
    expect(new Set(registered)).toEqual(new Set(CHANNELS))
  })

  it('passes the input and the desktop call context to the core and returns its result unchanged', async () => {
    const { ipc, call } = fakeIpcMain()
    const { core } = createFakeCore('alice')
    const reply = { ok: true, value: { items: [], nextCursor: null } }
    core.dispatch.mockResolvedValueOnce(reply as never)
    registerIpc(ipc, core, isTrustedSender)

    const input = { experiment: 'dune', filter: { name: 'reco' } }
    await expect(call('campaigns:list', fromOwnPage, input)).resolves.toBe(reply)
    expect(core.dispatch).toHaveBeenCalledExactlyOnceWith('campaigns:list', input, { username: 'alice', face: 'desktop' })
  })

  it("returns the core's own error envelope as it is (validation is the core's)", async () => {
    const { ipc, call } = fakeIpcMain()
    const { core } = createFakeCore()
    const badInput = { ok: false, error: { code: 'BAD_INPUT', message: 'bad', fields: [{ path: 'experiment', message: 'required' }] } }
    core.dispatch.mockResolvedValueOnce(badInput as never)
    registerIpc(ipc, core, isTrustedSender)
    await expect(call('campaigns:get', fromOwnPage, { id: 7 })).resolves.toEqual(badInput)
  })

  it.each([
    ['another web page', { senderFrame: { url: 'https://evil.example/' } }],
    ['another local file', { senderFrame: { url: 'file:///tmp/evil.html' } }],
    ['a destroyed frame', { senderFrame: null }],
    ['no frame at all', {}],
  ])('answers FORBIDDEN to %s without calling the core', async (_what, event) => {
    const { ipc, call } = fakeIpcMain()
    const { core } = createFakeCore()
    const { logger, lines } = createRecordingLogger()
    registerIpc(ipc, core, isTrustedSender, logger)

    const reply = (await call('campaigns:delete', event as IpcCallerEvent, { experiment: 'dune', id: 'x', expectedRev: 1 })) as {
      ok: boolean
      error?: { code: string; message: string }
    }
    expect(reply.ok).toBe(false)
    expect(reply.error?.code).toBe('FORBIDDEN')
    expect(core.dispatch).not.toHaveBeenCalled()
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'refused an IPC call from an untrusted frame' }))
  })

  it('uses the sender check it is given', async () => {
    const { ipc, call } = fakeIpcMain()
    const { core } = createFakeCore()
    const check = vi.fn(() => false)
    registerIpc(ipc, core, check)
    await call('session:get', fromOwnPage, {})
    expect(check).toHaveBeenCalledWith(fromOwnPage)
    expect(core.dispatch).not.toHaveBeenCalled()
  })

  it('turns a core that throws into INTERNAL, keeping the details in the main-side log', async () => {
    const { ipc, call } = fakeIpcMain()
    const { core } = createFakeCore()
    const { logger, lines } = createRecordingLogger()
    core.dispatch.mockRejectedValueOnce(new Error('SQLITE_CORRUPT: /home/alice/secret/path'))
    registerIpc(ipc, core, isTrustedSender, logger)

    const reply = (await call('submissions:list', fromOwnPage, { experiment: 'dune' })) as { ok: boolean; error: { code: string; message: string } }
    expect(reply).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.any(String) } })
    expect(reply.error.message).not.toContain('SQLITE_CORRUPT')
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', data: expect.objectContaining({ channel: 'submissions:list' }) }))
  })

  it('never rejects, even when the sender check itself throws', async () => {
    const { ipc, call } = fakeIpcMain()
    const { core } = createFakeCore()
    registerIpc(ipc, core, () => {
      throw new Error('boom')
    })
    await expect(call('tasks:list', fromOwnPage, {})).resolves.toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
  })
})

describe('isTrustedSender', () => {
  it('trusts only a frame showing our renderer page', () => {
    expect(isTrustedSender({ senderFrame: { url: OWN_PAGE } })).toBe(true)
    expect(isTrustedSender({ senderFrame: { url: `${OWN_PAGE}?x=1#/a` } })).toBe(true)
    expect(isTrustedSender({ senderFrame: { url: 'file:///opt/poms-desktop/out/renderer/../renderer/index.html' } })).toBe(true)
    expect(isTrustedSender({ senderFrame: { url: 'file:///opt/poms-desktop/out/preload/index.js' } })).toBe(false)
    expect(isTrustedSender({ senderFrame: { url: 'file://remote-host/opt/poms-desktop/out/renderer/index.html' } })).toBe(false)
    expect(isTrustedSender({ senderFrame: { url: 'http://localhost/opt/poms-desktop/out/renderer/index.html' } })).toBe(false)
  })
})
