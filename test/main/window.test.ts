import { describe, expect, it } from 'vitest'
import { createMainWindow } from '../../electron/main/window'
import { fakeApp, FakeBrowserWindow } from '../setup/electron-mock'
import { createRecordingLogger } from './support/fake-core'

const lastWindow = (): FakeBrowserWindow => {
  const window = FakeBrowserWindow.created.at(-1)
  if (!window) throw new Error('no window was created')
  return window
}

describe('createMainWindow', () => {
  it('locks the page down: sandbox, isolation, no Node, no webview, default web security', () => {
    createMainWindow(createRecordingLogger().logger)
    const prefs = lastWindow().options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
    })
    // webSecurity must not be switched off (absent = Electron's default, on).
    expect(prefs.webSecurity === undefined || prefs.webSecurity === true).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBeUndefined()
  })

  it('uses the built preload and loads the built renderer from the app root', () => {
    createMainWindow(createRecordingLogger().logger)
    const window = lastWindow()
    expect((window.options.webPreferences as Record<string, unknown>).preload).toBe('/opt/poms-desktop/out/preload/index.js')
    expect(window.loadFile).toHaveBeenCalledWith('/opt/poms-desktop/out/renderer/index.html')
    expect(window.loadURL).not.toHaveBeenCalled()
  })

  it('stays hidden until the first frame is ready', () => {
    createMainWindow(createRecordingLogger().logger)
    const window = lastWindow()
    expect(window.options.show).toBe(false)
    expect(window.show).not.toHaveBeenCalled()
    window.emit('ready-to-show')
    expect(window.show).toHaveBeenCalledTimes(1)
  })

  it('logs a renderer that fails to load instead of throwing', async () => {
    const { logger, lines } = createRecordingLogger()
    // The window is constructed inside createMainWindow: arm its loadFile as it is created.
    fakeApp.once('web-contents-created', () => lastWindow().loadFile.mockRejectedValueOnce(new Error('ERR_FILE_NOT_FOUND')))
    expect(() => createMainWindow(logger)).not.toThrow()
    await new Promise((resolve) => setImmediate(resolve))
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'could not load the renderer', data: expect.objectContaining({ error: 'Error: ERR_FILE_NOT_FOUND' }) }),
    )
  })
})
