import { describe, expect, it } from 'vitest'
import type { BrowserWindow } from 'electron'
import { forwardCoreEvents } from '../../electron/main/events'
import { ELECTRON_EVENT_CHANNEL as EVENT_CHANNEL } from '../../shared/api/channels'
import { FakeBrowserWindow } from '../setup/electron-mock'
import { createFakeCore } from './support/fake-core'

const windows = () => FakeBrowserWindow.getAllWindows() as unknown as BrowserWindow[]

describe('forwardCoreEvents', () => {
  it('sends every core event to every open window as (name, payload) on the event channel', () => {
    const { core, emit } = createFakeCore()
    const first = new FakeBrowserWindow()
    const second = new FakeBrowserWindow()
    forwardCoreEvents(core, windows)

    const payload = { experiment: 'dune', ids: ['0192f1c2-aaaa-7bbb-8ccc-000000000001'] }
    emit('campaigns:changed', payload)
    for (const window of [first, second]) {
      expect(window.webContents.send).toHaveBeenCalledExactlyOnceWith(EVENT_CHANNEL, 'campaigns:changed', payload)
    }
  })

  it('skips windows that are gone', () => {
    const { core, emit } = createFakeCore()
    const closed = new FakeBrowserWindow()
    const crashed = new FakeBrowserWindow()
    const open = new FakeBrowserWindow()
    forwardCoreEvents(core, () => [closed, crashed, open] as unknown as BrowserWindow[])
    closed.destroyed = true
    crashed.webContents.destroyed = true

    emit('tasks:updated', { task: {} })
    expect(closed.webContents.send).not.toHaveBeenCalled()
    expect(crashed.webContents.send).not.toHaveBeenCalled()
    expect(open.webContents.send).toHaveBeenCalledTimes(1)
  })

  it('stops forwarding once unsubscribed', () => {
    const { core, emit, listenerCount } = createFakeCore()
    const window = new FakeBrowserWindow()
    const stop = forwardCoreEvents(core, windows)
    stop()
    emit('jobs:changed', { experiment: 'dune', submissionIds: [] })
    expect(window.webContents.send).not.toHaveBeenCalled()
    expect(listenerCount()).toBe(0)
  })
})
