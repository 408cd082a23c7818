import { shellQuote } from '../../../../../shared/domain/launch-params'
import { remoteScript } from '../../../ssh/remote-command'
import type { SshEndpoint, SshPool } from '../../../ssh/ssh-pool'
import type { TextBlob } from '../backend'
import { sectionedScript, splitSections, type ScriptSection, type SectionOutput } from './script-sections'

export const DEFAULT_LOG_CAP_BYTES = 1024 * 1024

export interface RemoteFile {
  /** What the file is, for the header above its text (`stdout`, `stderr`). */
  label: string
  /** Absolute path on the host (or, with `shellPath`, the name shown). */
  path: string
  /** Shell code that yields the path where only a pattern is known, built from quoted parts. */
  shellPath?: string
}

const unique = (files: readonly RemoteFile[]) => files.filter((f, i) => files.findIndex((g) => g.path === f.path) === i)

/** Sections `file-0`, `file-1`… that print the last `capBytes` of each file on stdout and its size on stderr. */
export function tailSections(files: readonly RemoteFile[], capBytes = DEFAULT_LOG_CAP_BYTES): ScriptSection[] {
  return unique(files).map((f, i) => ({
    name: `file-${i}`,
    command: [
      `f=${f.shellPath ?? shellQuote(f.path)}`,
      '[ -n "$f" ] && [ -f "$f" ] && [ -r "$f" ] || { echo "cannot read ${f:-the file}" >&2; exit 3; }',
      'wc -c < "$f" >&2',
      `tail -c ${Math.max(1, Math.floor(capBytes))} -- "$f"`,
    ].join('\n'),
  }))
}

/**
 * The tails as one text: at most `capBytes` from the end of each file, under a header per file when
 * there are several; `bytes` is the files' full size together.
 */
export function tailsToBlob(files: readonly RemoteFile[], sections: Map<string, SectionOutput>, capBytes = DEFAULT_LOG_CAP_BYTES): TextBlob {
  const list = unique(files)
  let bytes = 0
  let truncated = false
  const texts = list.map((f, i) => {
    const s = sections.get(`file-${i}`)
    const size = s && s.exitCode === 0 ? Number(s.stderr.trim()) : NaN
    let body: string
    if (!s || s.exitCode !== 0 || Number.isNaN(size)) {
      body = `[${(s?.stderr.trim() || `cannot read ${f.path}`).split('\n').pop()}]\n`
    } else {
      bytes += size
      if (size > capBytes) truncated = true
      body = (size > capBytes ? `[… ${size - capBytes} earlier bytes not shown]\n` : '') + s.stdout
    }
    return list.length > 1 ? `==> ${f.path} (${f.label}) <==\n${body}${body === '' || body.endsWith('\n') ? '' : '\n'}` : body
  })
  return { text: texts.join(''), truncated, bytes }
}

/** The tails of a job's log files on its host, in one exec. */
export async function readRemoteTails(pool: SshPool, endpoint: SshEndpoint, files: readonly RemoteFile[], capBytes = DEFAULT_LOG_CAP_BYTES, timeoutMs = 60_000): Promise<TextBlob> {
  if (files.length === 0) return { text: '', truncated: false, bytes: 0 }
  const { script, nonce } = sectionedScript([{ setup: '', sections: tailSections(files, capBytes) }])
  const result = await pool.exec(endpoint, remoteScript(script), { timeoutMs, maxOutputBytes: files.length * capBytes + 64 * 1024 })
  return tailsToBlob(files, splitSections(result.stdout, result.stderr, nonce), capBytes)
}
