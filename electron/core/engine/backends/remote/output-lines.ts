/** Calls `onLine` for every complete line of a stream that arrives in chunks; `flush` ends the last one. */
export function lineSplitter(onLine: (line: string) => void) {
  let pending = ''
  return {
    push(chunk: string): void {
      const parts = (pending + chunk).split('\n')
      pending = parts.pop() ?? ''
      for (const part of parts) onLine(part.replace(/\r$/, ''))
    },
    flush(): void {
      if (pending !== '') onLine(pending.replace(/\r$/, ''))
      pending = ''
    },
  }
}

/** The last `n` non-blank lines of some output, trimmed: what a person needs to see of a failure. */
export function lastLines(text: string, n: number): string[] {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n)
}

/** The lines of a tool's complaint worth showing: those that look like errors, else its last lines. */
export function complaintOf(stderr: string, n = 3): string {
  const errors = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /error|fail|cannot|can't|couldn't|unable|denied|refused/i.test(l))
  return (errors.length > 0 ? errors.slice(0, n) : lastLines(stderr, n)).join(' / ')
}
