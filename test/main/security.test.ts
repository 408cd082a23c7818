import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY, withContentSecurityPolicy } from '../../electron/main/content-security-policy'
import { installSecurityGuards } from '../../electron/main/security'
import { FakeBrowserWindow, fakeSession, fakeShell } from '../setup/electron-mock'
import { createRecordingLogger } from './support/fake-core'

const OWN_PAGE = 'file:///opt/poms-desktop/out/renderer/index.html'

/** Installs the guards, then opens a window so they are applied to its web contents. */
function guardedContents() {
  const { logger, lines } = createRecordingLogger()
  installSecurityGuards(logger)
  const window = new FakeBrowserWindow()
  return { contents: window.webContents, lines }
}

function navigate(contents: FakeBrowserWindow['webContents'], url: string) {
  const event = { url, preventDefault: vi.fn() }
  contents.emit('will-navigate', event, url)
  return event.preventDefault
}

const flush = () => new Promise((resolve) => setImmediate(resolve))

describe('content security policy', () => {
  it('is the strict policy: only our own scripts, no plugins, no base or form targets', () => {
    const directives = CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim())
    expect(directives).toEqual([
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
    ])
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval')
  })

  it('is the same policy as the meta tag in renderer/index.html', () => {
    const html = readFileSync(join(__dirname, '../../renderer/index.html'), 'utf8')
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY)
  })

  it('is installed as a response header on the default session, replacing any policy a response brings', () => {
    installSecurityGuards(createRecordingLogger().logger)
    expect(fakeSession.webRequest.onHeadersReceived).toHaveBeenCalledTimes(1)
    const listener = fakeSession.webRequest.onHeadersReceived.mock.calls[0]?.[0] as (
      details: { responseHeaders?: Record<string, string[]> },
      callback: (response: { responseHeaders?: Record<string, string[]> }) => void,
    ) => void
    const callback = vi.fn()
    listener({ responseHeaders: { 'content-security-policy': ["default-src *; script-src 'unsafe-eval'"], 'Content-Type': ['text/html'] } }, callback)
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    })
  })

  it('adds the header to responses that had none', () => {
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] })
  })
})

describe('navigation guard', () => {
  it('lets our own renderer page (and its hash routes) load', () => {
    const { contents } = guardedContents()
    expect(navigate(contents, OWN_PAGE)).not.toHaveBeenCalled()
    expect(navigate(contents, `${OWN_PAGE}#/campaigns/0192`)).not.toHaveBeenCalled()
  })

  it.each([
    'https://evil.example/phish',
    'http://127.0.0.1:8080/',
    'file:///etc/passwd',
    'file:///opt/poms-desktop/out/renderer/other.html',
    'file:///opt/poms-desktop/out/renderer/index.html.evil',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'not a url',
  ])('blocks navigation to %s', (url) => {
    const { contents, lines } = guardedContents()
    expect(navigate(contents, url)).toHaveBeenCalledTimes(1)
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'blocked navigation away from the app' }))
  })

  it('refuses to attach webviews', () => {
    const { contents } = guardedContents()
    const event = { preventDefault: vi.fn() }
    contents.emit('will-attach-webview', event, {}, {})
    expect(event.preventDefault).toHaveBeenCalledTimes(1)
  })
})

describe('new windows', () => {
  it('denies every window and sends an https link to the browser', async () => {
    const { contents } = guardedContents()
    expect(contents.windowOpenHandler?.({ url: 'https://cdcvs.fnal.gov/redmine/projects/prod_mgmt_db' })).toEqual({ action: 'deny' })
    await flush()
    expect(fakeShell.openExternal).toHaveBeenCalledWith('https://cdcvs.fnal.gov/redmine/projects/prod_mgmt_db')
  })

  it.each(['http://example.org/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', OWN_PAGE])(
    'denies %s without opening anything',
    async (url) => {
      const { contents } = guardedContents()
      expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' })
      await flush()
      expect(fakeShell.openExternal).not.toHaveBeenCalled()
    },
  )
})

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'])('denies a %s request', (permission) => {
    installSecurityGuards(createRecordingLogger().logger)
    const handler = fakeSession.setPermissionRequestHandler.mock.calls[0]?.[0] as (
      contents: unknown,
      permission: string,
      callback: (granted: boolean) => void,
    ) => void
    const callback = vi.fn()
    handler({}, permission, callback)
    expect(callback).toHaveBeenCalledExactlyOnceWith(false)
  })

  it('answers every permission check with no', () => {
    installSecurityGuards(createRecordingLogger().logger)
    const check = fakeSession.setPermissionCheckHandler.mock.calls[0]?.[0] as (...args: unknown[]) => boolean
    for (const permission of ['media', 'clipboard-read', 'fullscreen', 'hid']) {
      expect(check({}, permission, OWN_PAGE, {})).toBe(false)
    }
  })
})
