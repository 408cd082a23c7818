import { describe, expect, it } from 'vitest'
import { fieldErrorsFromServer, errorWithin } from '../../renderer/src/lib/field-errors'
import { formatDuration, formatMegabytes, summarizeJobs } from '../../renderer/src/lib/format'
import { submissionTone } from '../../renderer/src/lib/status-tone'
import { counts } from './support/fixtures'

describe('summarizeJobs', () => {
  it('counts finished jobs over all and names what needs attention', () => {
    expect(summarizeJobs(counts({ completed: 4, failed: 1 }))).toBe('5/5 done, 1 failed')
    expect(summarizeJobs(counts({ completed: 3, failed: 1, running: 1 }))).toBe('4/5 done, 1 failed, 1 running')
    expect(summarizeJobs(counts({ idle: 2, held: 1 }))).toBe('0/3 done, 1 held')
    expect(summarizeJobs(counts({}))).toBe('no jobs')
  })
})

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(0)).toBe('0s')
    expect(formatDuration(42)).toBe('42s')
    expect(formatDuration(3 * 3600 + 5 * 60 + 9)).toBe('3h 5m')
    expect(formatDuration(2 * 86400 + 3600)).toBe('2d 1h')
  })
})

describe('formatMegabytes', () => {
  it('switches to GB from 1024 MB', () => {
    expect(formatMegabytes(512)).toBe('512 MB')
    expect(formatMegabytes(1536)).toBe('1.5 GB')
  })
})

describe('status tones', () => {
  it('colours statuses by family', () => {
    expect(['Completed', 'Located'].map((s) => submissionTone(s as never))).toEqual(['ok', 'ok'])
    expect(['Failed', 'LaunchFailed'].map((s) => submissionTone(s as never))).toEqual(['bad', 'bad'])
    expect(submissionTone('Running')).toBe('running')
    expect(submissionTone('Held')).toBe('held')
    expect(['Idle', 'New'].map((s) => submissionTone(s as never))).toEqual(['idle', 'idle'])
    expect(['Cancelled', 'Removed'].map((s) => submissionTone(s as never))).toEqual(['gone', 'gone'])
  })
})

describe('server field errors', () => {
  it('drop the value. prefix and keep other paths as they are', () => {
    expect(
      fieldErrorsFromServer([
        { path: 'value.name', message: 'taken' },
        { path: 'value.paramOverrides.0.1', message: 'too long' },
        { path: 'expectedRev', message: 'required' },
        { path: 'value.name', message: 'second message is ignored' },
      ]),
    ).toEqual({ name: 'taken', 'paramOverrides.0.1': 'too long', expectedRev: 'required' })
  })

  it('can be read for a whole group', () => {
    expect(errorWithin({ 'tags.2': 'empty tag' }, 'tags')).toBe('empty tag')
    expect(errorWithin({ tagsx: 'other' }, 'tags')).toBeUndefined()
  })
})
