import { afterEach, describe, expect, it } from 'vitest'
import { desktopNotifier, desktopPaths } from '../../electron/main/platform'
import { fakeApp, FakeNotification } from '../setup/electron-mock'

// Electron sets process.resourcesPath; plain Node has none.
const writableProcess = process as { resourcesPath?: string }
const originalResourcesPath = writableProcess.resourcesPath
afterEach(() => {
  writableProcess.resourcesPath = originalResourcesPath
})

describe('desktopPaths', () => {
  it("keeps the data in Electron's userData folder, the Node faces' default too", () => {
    expect(desktopPaths({}).dataDir).toBe('/home/tester/.config/POMS Desktop')
    expect(fakeApp.getPath).toHaveBeenCalledWith('userData')
  })

  it('lets POMS_DATA_DIR choose another data directory, as for the server and CLI', () => {
    expect(desktopPaths({ POMS_DATA_DIR: '/scratch/poms' }).dataDir).toBe('/scratch/poms')
  })

  it("finds shipped files in the project's resources folder when not packaged", () => {
    expect(desktopPaths({}).resourcesDir).toBe('/opt/poms-desktop/resources')
  })

  it("finds shipped files in Electron's resources folder (outside the asar) when packaged", () => {
    fakeApp.isPackaged = true
    writableProcess.resourcesPath = '/opt/POMS Desktop/resources'
    expect(desktopPaths({}).resourcesDir).toBe('/opt/POMS Desktop/resources')
  })
})

describe('desktopNotifier', () => {
  it('shows a system notification', () => {
    desktopNotifier.notify('Submission failed', 'dune reco stage 1: LaunchFailed')
    expect(FakeNotification.shown).toEqual([{ title: 'Submission failed', body: 'dune reco stage 1: LaunchFailed' }])
  })

  it('does nothing where the OS has no notifications', () => {
    FakeNotification.isSupported.mockReturnValue(false)
    desktopNotifier.notify('Submission failed', 'x')
    expect(FakeNotification.shown).toEqual([])
  })
})
