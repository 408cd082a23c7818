import { closeSync, createWriteStream, existsSync, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync, type WriteStream } from 'node:fs'
import { dirname } from 'node:path'

export const DEFAULT_CAP_BYTES = 4 * 1024 * 1024

/** Opens for appending, making the folder only when it is missing (not one mkdir per launch). */
function openForAppend(file: string): number {
  try {
    return openSync(file, 'a', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
    return openSync(file, 'a', 0o600)
  }
}

/** Appends up to a cap, then writes one truncation notice and drops the rest (launch outputs, job logs). */
export class CappedFileWriter {
  private fd: number | null
  private written: number
  private truncated = false

  constructor(
    readonly file: string,
    private readonly cap: number = DEFAULT_CAP_BYTES,
  ) {
    this.fd = openForAppend(file)
    this.written = fstatSync(this.fd).size
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

/**
 * The same cap for a NEW file written without blocking: opening and writing happen in the
 * background, in order, so a launch never waits on the disk for its output (creating a file here
 * costs ~0.3 ms, a tenth of a launch). `close()` resolves once everything is on disk.
 */
export class CappedStreamWriter {
  private readonly stream: WriteStream
  private written = 0
  private truncated = false
  private failed: Error | null = null

  constructor(
    readonly file: string,
    private readonly cap: number = DEFAULT_CAP_BYTES,
  ) {
    if (!madeDirectories.has(dirname(file))) {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
      madeDirectories.add(dirname(file))
    }
    this.stream = createWriteStream(file, { flags: 'a', mode: 0o600 })
    this.stream.on('error', (err) => (this.failed = err))
  }

  write(chunk: string): void {
    if (this.truncated || this.failed || this.closing) return
    const buf = Buffer.from(chunk, 'utf8')
    const room = this.cap - this.written
    if (buf.length <= room) {
      this.stream.write(buf)
      this.written += buf.length
      return
    }
    if (room > 0) this.stream.write(buf.subarray(0, room))
    this.stream.write(`\n[output truncated at ${this.cap} bytes]\n`)
    this.written = this.cap
    this.truncated = true
  }

  private closing: Promise<void> | null = null

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => this.stream.end(() => resolve()))
    return this.closing
  }
}

/** Folders made by this process (the launches folder is made once, not per launch). */
const madeDirectories = new Set<string>()

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
