import { describe, expect, it, vi } from 'vitest'
import { CHANNELS } from '../../shared/api/channels'
import type { Ports } from '../../electron/core/ports'
import { CORE_PURPOSE, runDesktopApp, type CreateCore } from '../../electron/main/desktop-app'
import { ELECTRON_EVENT_CHANNEL as EVENT_CHANNEL } from '../../shared/api/channels'
import { fakeApp, FakeBrowserWindow, fakeDialog, fakeIpcMain, fakeSession } from '../setup/electron-mock'
import { createFakeCore, createRecordingLogger } from './support/fake-core'

function fakePorts(): Ports {
  return {
    paths: { dataDir: '/tmp/poms-data', resourcesDir: '/opt/poms-desktop/resources' },
    secrets: { description: 'test', encrypted: true, get: async () => null, set: async () => undefined, delete: async () => undefined },
    clock: { now: () => 0 },
    logger: createRecordingLogger().logger,
  }
}

async function startApp(createCore?: CreateCore) {
  const fake = createFakeCore('alice')
  const ports = fakePorts()
  const create = vi.fn(createCore ?? (async () => fake.core))
  await runDesktopApp({ createCore: create, createPorts: async () => ports })
  return { ...fake, create, ports }
}

const beforeQuit = () => {
  const event = { preventDefault: vi.fn() }
  fakeApp.emit('before-quit', event)
  return event
}

describe('desktop start-up', () => {
  it('opens the core with the platform ports and the desktop purpose, binds IPC, then opens one window', async () => {
    const { create, ports } = await startApp()
    expect(create).toHaveBeenCalledExactlyOnceWith(ports, { purpose: CORE_PURPOSE })
    expect(CORE_PURPOSE).toBe('POMS Desktop (desktop app)')
    expect(new Set(fakeIpcMain.handle.mock.calls.map((call) => call[0]))).toEqual(new Set(CHANNELS))
    expect(FakeBrowserWindow.created).toHaveLength(1)
  })

  it('guards the session and the window before anything is shown', async () => {
    await startApp()
    expect(fakeSession.setPermissionRequestHandler).toHaveBeenCalledTimes(1)
    expect(fakeSession.webRequest.onHeadersReceived).toHaveBeenCalledTimes(1)
    expect(FakeBrowserWindow.created[0]?.webContents.windowOpenHandler).not.toBeNull()
  })

  it('forwards core events to the window', async () => {
    const { emit } = await startApp()
    emit('submissions:changed', { experiment: 'dune', ids: [] })
    expect(FakeBrowserWindow.created[0]?.webContents.send).toHaveBeenCalledWith(EVENT_CHANNEL, 'submissions:changed', {
      experiment: 'dune',
      ids: [],
    })
  })

  it('explains in a dialog why the core could not open, and quits without a window', async () => {
    const message = 'The store in /home/alice/.config/POMS Desktop is in use by POMS Desktop (server) (pid 4242)'
    await startApp(async () => {
      throw new Error(message)
    })
    expect(fakeDialog.showErrorBox).toHaveBeenCalledExactlyOnceWith('POMS Desktop cannot start', message)
    expect(fakeApp.exit).toHaveBeenCalledWith(1)
    expect(FakeBrowserWindow.created).toHaveLength(0)
    expect(fakeIpcMain.handle).not.toHaveBeenCalled()
  })

  it('closes a core that opened before start-up failed, so its store lock is released', async () => {
    const fake = createFakeCore()
    fakeIpcMain.handle.mockImplementationOnce(() => {
      throw new Error('Attempted to register a second handler')
    })
    await runDesktopApp({ createCore: async () => fake.core, createPorts: async () => fakePorts() })
    expect(fakeDialog.showErrorBox).toHaveBeenCalledTimes(1)
    expect(fake.core.close).toHaveBeenCalledTimes(1)
    expect(fakeApp.exit).toHaveBeenCalledWith(1)
  })
})

describe('single instance', () => {
  it('quits at once when another POMS Desktop already runs, before opening anything', async () => {
    fakeApp.requestSingleInstanceLock.mockReturnValue(false)
    const { create } = await startApp()
    expect(fakeApp.quit).toHaveBeenCalledTimes(1)
    expect(fakeApp.whenReady).not.toHaveBeenCalled()
    expect(create).not.toHaveBeenCalled()
    expect(FakeBrowserWindow.created).toHaveLength(0)
  })

  it('brings the running window forward when a second instance starts', async () => {
    await startApp()
    const window = FakeBrowserWindow.created[0] as FakeBrowserWindow
    window.minimized = true
    fakeApp.emit('second-instance', {}, ['poms-desktop'], '/home/alice')
    expect(window.restore).toHaveBeenCalledTimes(1)
    expect(window.focus).toHaveBeenCalledTimes(1)
    expect(FakeBrowserWindow.created).toHaveLength(1)
  })

  it('opens a new window for a second instance when the last one was closed (macOS)', async () => {
    await startApp()
    ;(FakeBrowserWindow.created[0] as FakeBrowserWindow).destroyed = true
    fakeApp.emit('second-instance', {}, [], '/')
    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(1)
    expect(FakeBrowserWindow.created).toHaveLength(2)
  })
})

describe('quitting', () => {
  it('holds the quit until the core has closed its store, then quits', async () => {
    let finishClose!: () => void
    const { core } = await startApp()
    core.close.mockImplementationOnce(() => new Promise<undefined>((resolve) => (finishClose = () => resolve(undefined))))

    expect(beforeQuit().preventDefault).toHaveBeenCalledTimes(1)
    expect(core.close).toHaveBeenCalledTimes(1)
    // A second quit request while closing is held too, and does not close twice.
    expect(beforeQuit().preventDefault).toHaveBeenCalledTimes(1)
    expect(core.close).toHaveBeenCalledTimes(1)
    expect(fakeApp.quit).not.toHaveBeenCalled()

    finishClose()
    await vi.waitFor(() => expect(fakeApp.quit).toHaveBeenCalledTimes(1))
    // The quit that follows goes through.
    expect(beforeQuit().preventDefault).not.toHaveBeenCalled()
  })

  it('still quits when closing the core fails', async () => {
    const { core } = await startApp()
    core.close.mockRejectedValueOnce(new Error('disk full'))
    beforeQuit()
    await vi.waitFor(() => expect(fakeApp.quit).toHaveBeenCalledTimes(1))
  })

  it.each([
    ['linux', 1],
    ['win32', 1],
    ['darwin', 0],
  ] as const)('on %s, closing the last window quits %i time(s)', async (platform, quits) => {
    const real = Object.getOwnPropertyDescriptor(process, 'platform') as PropertyDescriptor
    Object.defineProperty(process, 'platform', { ...real, value: platform })
    try {
      await startApp()
      fakeApp.emit('window-all-closed')
      expect(fakeApp.quit).toHaveBeenCalledTimes(quits)
    } finally {
      Object.defineProperty(process, 'platform', real)
    }
  })
})
