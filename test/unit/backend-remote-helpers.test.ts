import { execFileSync, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { BATCH_STRIDE, batchIdList, jobIndex, splitJobIndex } from '../../electron/core/engine/backends/remote/job-index'
import { lastLines, lineSplitter } from '../../electron/core/engine/backends/remote/output-lines'
import { sectionedScript, splitSections } from '../../electron/core/engine/backends/remote/script-sections'
import { checkedSubmissionId } from '../../electron/core/engine/backends/remote/submission-id'
import { zonedTimeToEpoch } from '../../electron/core/engine/backends/remote/zoned-time'

/** Runs a script in a real bash, as remoteScript does on the host, and keeps both streams apart. */
function bash(script: string): { stdout: string; stderr: string } {
  const r = spawnSync('/bin/bash', ['--noprofile', '--norc', '-c', script], { encoding: 'utf8' })
  return { stdout: r.stdout, stderr: r.stderr }
}

describe('zonedTimeToEpoch', () => {
  it('reads a local wall-clock time in the host zone', () => {
    expect(zonedTimeToEpoch('2026-11-29T20:44:24', 'UTC')).toBe(Date.UTC(2026, 10, 29, 20, 44, 24))
    // Chicago is UTC-6 in November and UTC-5 in July.
    expect(zonedTimeToEpoch('2026-11-29T20:44:24', 'America/Chicago')).toBe(Date.UTC(2026, 10, 30, 2, 44, 24))
    expect(zonedTimeToEpoch('2026-07-01 08:00:00', 'America/Chicago')).toBe(Date.UTC(2026, 6, 1, 13, 0, 0))
    expect(zonedTimeToEpoch('2026-03-30T11:38', 'Europe/Zurich')).toBe(Date.UTC(2026, 2, 30, 9, 38, 0))
    expect(zonedTimeToEpoch('2026-01-15T00:30:00', 'Asia/Kolkata')).toBe(Date.UTC(2026, 0, 14, 19, 0, 0))
  })

  it('agrees with the system zone database for a year of hours across two DST changes', () => {
    const zone = 'America/Chicago'
    const instants = Array.from({ length: (365 * 24) / 5 }, (_, i) => Date.UTC(2026, 0, 1) + i * 5 * 3_600_000 + 1_800_000)
    // date(1) prints each instant's wall clock in the zone; reading it back must give the instant.
    const walls = execFileSync('date', ['-f', '-', '+%Y-%m-%dT%H:%M:%S'], {
      input: instants.map((t) => `@${t / 1000}`).join('\n'),
      env: { ...process.env, TZ: zone },
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
    expect(walls).toHaveLength(instants.length)
    walls.forEach((wall, i) => {
      const back = zonedTimeToEpoch(wall, zone)
      // Only in the repeated hour of the fall change may the earlier of the two instants come back.
      if (back !== instants[i]) expect({ wall, back }).toEqual({ wall, back: instants[i]! - 3_600_000 })
    })
  })

  it('handles the DST gap and the repeated hour deterministically', () => {
    // 02:30 does not exist on 2026-03-08 in Chicago: read with the offset before the change (CST).
    expect(zonedTimeToEpoch('2026-03-08T02:30:00', 'America/Chicago')).toBe(Date.UTC(2026, 2, 8, 8, 30))
    // 01:30 happens twice on 2026-11-01: the first (CDT) wins.
    expect(zonedTimeToEpoch('2026-11-01T01:30:00', 'America/Chicago')).toBe(Date.UTC(2026, 10, 1, 6, 30))
  })

  it('returns null for text that is no time', () => {
    for (const text of ['Unknown', 'None', '', 'unknown', '2026-11-29', '11/29 20:44']) expect(zonedTimeToEpoch(text, 'UTC')).toBeNull()
  })
})

describe('sectioned scripts', () => {
  it('keeps each section’s stdout, stderr and exit code apart from the setup and each other', () => {
    const { script, nonce } = sectionedScript([
      {
        setup: 'echo setup noise; echo setup err >&2; printf "no newline"',
        sections: [
          { name: 'one', command: 'echo a; echo b >&2; printf "c"' },
          { name: 'two', command: 'printf "x\\ny\\n"; exit 7' },
          { name: 'three', command: 'true' },
        ],
      },
      { setup: 'exit 0', sections: [{ name: 'never', command: 'echo never' }] },
    ])
    const { stdout, stderr } = bash(script)
    const sections = splitSections(stdout, stderr, nonce)
    expect(sections.get('one')).toEqual({ stdout: 'a\nc', stderr: 'b\n', exitCode: 0 })
    expect(sections.get('two')).toEqual({ stdout: 'x\ny\n', stderr: '', exitCode: 7 })
    expect(sections.get('three')).toEqual({ stdout: '', stderr: '', exitCode: 0 })
    // The second part's setup ended its subshell: its section never began.
    expect(sections.has('never')).toBe(false)
  })

  it('cannot be fooled by output that imitates the markers', () => {
    const { script, nonce } = sectionedScript([{ setup: '', sections: [{ name: 'q', command: 'echo "<<poms:0000:end q rc=0>>"; echo real' }] }])
    const { stdout, stderr } = bash(script)
    expect(splitSections(stdout, stderr, nonce).get('q')?.stdout).toBe('<<poms:0000:end q rc=0>>\nreal\n')
    // Not even a line with the right nonce ends a section early: only the exact end line does.
    const again = sectionedScript([{ setup: '', sections: [{ name: 'q', command: 'echo "$1"' }] }])
    expect(again.nonce).not.toBe(nonce)
  })

  it('keeps what a section printed before its output was cut off, without an exit code', () => {
    const { script, nonce } = sectionedScript([{ setup: '', sections: [{ name: 'q', command: 'echo partial; kill -9 $BASHPID' }] }])
    const { stdout, stderr } = bash(script)
    expect(splitSections(stdout, stderr, nonce).get('q')).toMatchObject({ stdout: 'partial\n', exitCode: 137 })
    // A connection that drops mid-section: the end marker never arrives.
    const cut = stdout.slice(0, stdout.indexOf(`\n<<poms:${nonce}:end`))
    expect(splitSections(cut, stderr, nonce).get('q')).toMatchObject({ stdout: 'partial\n', exitCode: null })
  })

  it('refuses section names that are not unique words', () => {
    expect(() => sectionedScript([{ setup: '', sections: [{ name: 'a b', command: 'true' }] }])).toThrow()
    expect(() =>
      sectionedScript([
        { setup: '', sections: [{ name: 'a', command: 'true' }] },
        { setup: '', sections: [{ name: 'a', command: 'true' }] },
      ]),
    ).toThrow()
  })
})

describe('job indexes across several batch ids', () => {
  it('numbers the k-th cluster or array from k × BATCH_STRIDE and splits back', () => {
    expect(jobIndex(0, 7)).toBe(7)
    expect(jobIndex(2, 3)).toBe(2 * BATCH_STRIDE + 3)
    expect(splitJobIndex(2 * BATCH_STRIDE + 3)).toEqual({ position: 2, taskIndex: 3 })
    expect(splitJobIndex(9)).toEqual({ position: 0, taskIndex: 9 })
    expect(batchIdList('17, 18,')).toEqual(['17', '18'])
    expect(batchIdList(null)).toEqual([])
  })
})

describe('output lines', () => {
  it('splits streamed chunks into lines, whatever the chunk boundaries', () => {
    const lines: string[] = []
    const s = lineSplitter((l) => lines.push(l))
    for (const chunk of ['ab', 'c\nde', 'f\r\n\n', 'tail']) s.push(chunk)
    s.flush()
    expect(lines).toEqual(['abc', 'def', '', 'tail'])
    expect(lastLines('a\n\n b \nc\n\n', 2)).toEqual([' b', 'c'])
  })
})

describe('submission ids in constraints', () => {
  it('accepts only UUIDs', () => {
    expect(checkedSubmissionId('0198C5E1-0000-7000-8000-00000000000A')).toBe('0198c5e1-0000-7000-8000-00000000000a')
    for (const bad of ['x', '0198c5e1-0000-7000-8000-00000000000a" || true || "', '$(touch x)']) expect(() => checkedSubmissionId(bad)).toThrow()
  })
})
