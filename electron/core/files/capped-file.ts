import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

export const DEFAULT_CAP_BYTES = 4 * 1024 * 1024

/** Appends up to a cap, then writes one truncation notice and drops the rest (launch outputs, job logs). */
export class CappedFileWriter {
  private fd: number | null
  private written: number
  private truncated = false

  constructor(
    readonly file: string,
    private readonly cap: number = DEFAULT_CAP_BYTES,
  ) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    this.fd = openSync(file, 'a', 0o600)
    this.written = statSync(file).size
  }

  write(chunk: string | Buffer): void {
    if (this.fd === null || this.truncated) return
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    const room = this.cap - this.written
    if (buf.length <= room) {
      writeSync(this.fd, buf)
      this.written += buf.length
      return
    }
    if (room > 0) writeSync(this.fd, buf.subarray(0, room))
    writeSync(this.fd, `\n[output truncated at ${this.cap} bytes]\n`)
    this.written = this.cap
    this.truncated = true
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd)
    this.fd = null
  }
}

/** Reads at most `limit` bytes from the end of a file (what a viewer shows). */
export function readTail(file: string, limit = DEFAULT_CAP_BYTES): { text: string; truncated: boolean; bytes: number } {
  if (!existsSync(file)) return { text: '', truncated: false, bytes: 0 }
  const size = statSync(file).size
  const length = Math.min(size, limit)
  const buf = Buffer.alloc(length)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, buf, 0, length, size - length)
  } finally {
    closeSync(fd)
  }
  const text = buf.toString('utf8')
  return { text, truncated: size > length || text.includes('[output truncated at '), bytes: size }
}
