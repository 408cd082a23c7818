import { describe, expect, it } from 'vitest'
import { safeOpenExternal } from '../../electron/main/open-external'
import { fakeShell } from '../setup/electron-mock'
import { createRecordingLogger } from './support/fake-core'

describe('safeOpenExternal', () => {
  it('hands an https link to the browser', async () => {
    await expect(safeOpenExternal('https://fifemon.fnal.gov/monitor/d/000000188')).resolves.toBe(true)
    expect(fakeShell.openExternal).toHaveBeenCalledExactlyOnceWith('https://fifemon.fnal.gov/monitor/d/000000188')
  })

  it.each([
    'http://example.org/',
    'file:///home/tester/.ssh/id_ed25519',
    'javascript:alert(document.cookie)',
    'JavaScript:alert(1)',
    'mailto:someone@fnal.gov',
    'vscode://file/etc/passwd',
    'ms-msdt:/id PCWDiagnostic',
    'https:',
    '//evil.example/',
    '',
  ])('refuses %j', async (url) => {
    const { logger, lines } = createRecordingLogger()
    await expect(safeOpenExternal(url, logger)).resolves.toBe(false)
    expect(fakeShell.openExternal).not.toHaveBeenCalled()
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'refused to open a non-https link' }))
  })

  it('reports a browser that cannot be started instead of throwing', async () => {
    fakeShell.openExternal.mockRejectedValueOnce(new Error('no handler'))
    const { logger, lines } = createRecordingLogger()
    await expect(safeOpenExternal('https://fnal.gov/', logger)).resolves.toBe(false)
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'could not open link' }))
  })
})
