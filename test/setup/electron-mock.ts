/*
 * A global stand-in for the `electron` module in the 'main' test project (Podman Desktop's pattern):
 * Electron's binary cannot run here, so main and preload code is tested against these fakes. They
 * behave just enough like Electron for the code under test to be observable: emitters really emit,
 * a new BrowserWindow announces its web contents on `app`, safeStorage really transforms bytes.
 * Every test starts from a fresh fake (see the beforeEach at the bottom).
 */
import { EventEmitter } from 'node:events'
import { beforeEach, vi } from 'vitest'

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null
  destroyed = false
  setWindowOpenHandler = vi.fn((handler: (details: { url: string }) => { action: 'allow' | 'deny' }) => {
    this.windowOpenHandler = handler
  })
  send = vi.fn()
  isDestroyed = vi.fn(() => this.destroyed)
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = []
  static getAllWindows = vi.fn(() => FakeBrowserWindow.created.filter((w) => !w.destroyed))

  readonly options: Record<string, unknown>
  readonly webContents = new FakeWebContents()
  destroyed = false
  minimized = false
  loadFile = vi.fn(async (_file: string) => undefined)
  loadURL = vi.fn(async (_url: string) => undefined)
  show = vi.fn()
  focus = vi.fn()
  restore = vi.fn(() => {
    this.minimized = false
  })
  isMinimized = vi.fn(() => this.minimized)
  isDestroyed = vi.fn(() => this.destroyed)

  constructor(options: Record<string, unknown> = {}) {
    super()
    this.options = options
    FakeBrowserWindow.created.push(this)
    fakeApp.emit('web-contents-created', {}, this.webContents)
  }
}

export class FakeNotification {
  static shown: { title: string; body: string }[] = []
  static isSupported = vi.fn(() => true)
  constructor(readonly options: { title: string; body: string }) {}
  show = vi.fn(() => {
    FakeNotification.shown.push(this.options)
  })
}

/** safeStorage's "encryption": reversible, but never the clear text (so tests can look for leaks). */
const SEALED = Buffer.from('sealed:')
const flip = (bytes: Buffer): Buffer => Buffer.from(bytes.map((b) => b ^ 0x5a))

export const fakeSafeStorage = {
  isAsyncEncryptionAvailable: vi.fn(async () => true),
  isEncryptionAvailable: vi.fn(() => true),
  getSelectedStorageBackend: vi.fn((): string => 'gnome_libsecret'),
  encryptStringAsync: vi.fn(async (text: string) => Buffer.concat([SEALED, flip(Buffer.from(text, 'utf8'))])),
  decryptStringAsync: vi.fn(async (bytes: Buffer) => {
    if (!bytes.subarray(0, SEALED.length).equals(SEALED)) throw new Error('Error while decrypting the ciphertext')
    return { shouldReEncrypt: false, result: flip(bytes.subarray(SEALED.length)).toString('utf8') }
  }),
}

export const fakeApp = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getAppPath: vi.fn(() => '/opt/poms-desktop'),
  getPath: vi.fn((name: string) => `/home/tester/.config/POMS Desktop${name === 'userData' ? '' : `/${name}`}`),
  getName: vi.fn(() => 'POMS Desktop'),
  getVersion: vi.fn(() => '0.1.0'),
  whenReady: vi.fn(() => Promise.resolve()),
  requestSingleInstanceLock: vi.fn(() => true),
  quit: vi.fn(),
  exit: vi.fn(),
})

export const fakeSession = {
  setPermissionRequestHandler: vi.fn(),
  setPermissionCheckHandler: vi.fn(),
  webRequest: { onHeadersReceived: vi.fn() },
}

export const fakeIpcMain = { handle: vi.fn(), removeHandler: vi.fn() }

export const fakeIpcRenderer = Object.assign(new EventEmitter(), { invoke: vi.fn(async (_channel: string, _input?: unknown): Promise<unknown> => undefined) })

export const fakeContextBridge = { exposeInMainWorld: vi.fn() }

export const fakeShell = { openExternal: vi.fn(async (_url: string) => undefined) }

export const fakeDialog = { showErrorBox: vi.fn() }

vi.mock('electron', () => ({
  app: fakeApp,
  BrowserWindow: FakeBrowserWindow,
  Notification: FakeNotification,
  safeStorage: fakeSafeStorage,
  session: { defaultSession: fakeSession },
  ipcMain: fakeIpcMain,
  ipcRenderer: fakeIpcRenderer,
  contextBridge: fakeContextBridge,
  shell: fakeShell,
  dialog: fakeDialog,
}))

beforeEach(() => {
  vi.resetAllMocks() // back to each fake's own implementation
  fakeApp.removeAllListeners()
  fakeApp.isPackaged = false
  fakeIpcRenderer.removeAllListeners()
  FakeBrowserWindow.created = []
  FakeNotification.shown = []
})
