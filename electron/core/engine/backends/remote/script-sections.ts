import { randomBytes } from 'node:crypto'

/** One command of a query script, run after the login setup, with its output kept apart from the rest. */
export interface ScriptSection {
  name: string
  /** Shell code built by the backend (quoted values only). */
  command: string
}

export interface SectionOutput {
  stdout: string
  stderr: string
  /** Null when the section never finished (the script died or was cut off). */
  exitCode: number | null
}

const NAME = /^[a-z][a-z0-9-]*$/

/** A login setup and the sections to run after it. */
export interface ScriptPart {
  setup: string
  sections: readonly ScriptSection[]
}

/**
 * One script for one host: each part runs its login setup, then its sections between marker lines
 * on stdout and stderr, in a subshell of its own (one setup's variables never reach another part,
 * and an `exit` in a setup ends only its part); each section runs in a subshell too, so it may
 * `exit` with its own code. The markers carry a random nonce, so nothing a
 * setup or a job prints can fake them. Section names must be unique across the parts.
 */
export function sectionedScript(parts: readonly ScriptPart[]): { script: string; nonce: string } {
  const nonce = randomBytes(8).toString('hex')
  const seen = new Set<string>()
  const lines: string[] = []
  for (const part of parts) {
    lines.push('(', part.setup)
    for (const { name, command } of part.sections) {
      if (!NAME.test(name) || seen.has(name)) throw new Error(`"${name}" is not a unique section name`)
      seen.add(name)
      // Each marker starts a fresh line (the output before it may end without a newline); `cut`
      // takes that added newline away again.
      lines.push(
        `echo; echo '<<poms:${nonce}:begin ${name}>>'; echo >&2; echo '<<poms:${nonce}:begin ${name}>>' >&2`,
        `(\n${command}\n) </dev/null`,
        `__poms_rc=$?; echo; echo "<<poms:${nonce}:end ${name} rc=$__poms_rc>>"; echo >&2; echo '<<poms:${nonce}:end ${name}>>' >&2`,
      )
    }
    lines.push(')')
  }
  return { script: lines.filter((l) => l.trim() !== '').join('\n'), nonce }
}

function cut(text: string, nonce: string): Map<string, { body: string; rc: number | null }> {
  const out = new Map<string, { body: string; rc: number | null }>()
  const begin = new RegExp(`^<<poms:${nonce}:begin ([a-z0-9-]+)>>$`)
  const end = new RegExp(`^<<poms:${nonce}:end ([a-z0-9-]+)(?: rc=(\\d+))?>>$`)
  let current: string | null = null
  let body: string[] = []
  for (const line of text.split('\n')) {
    const b = begin.exec(line)
    if (b) {
      current = b[1]!
      body = []
      out.set(current, { body: '', rc: null })
      continue
    }
    const e = end.exec(line)
    if (e && e[1] === current) {
      out.set(current, { body: body.join('\n'), rc: e[2] === undefined ? null : Number(e[2]) })
      current = null
      continue
    }
    if (current !== null) body.push(line)
  }
  // A section that began but never ended keeps what it printed, with no exit code.
  if (current !== null) out.set(current, { body: body.join('\n'), rc: null })
  return out
}

/** The output of each section of a `sectionedScript`, by name; absent when the section never began. */
export function splitSections(stdout: string, stderr: string, nonce: string): Map<string, SectionOutput> {
  const outs = cut(stdout, nonce)
  const errs = cut(stderr, nonce)
  const sections = new Map<string, SectionOutput>()
  for (const [name, o] of outs) sections.set(name, { stdout: o.body, stderr: errs.get(name)?.body ?? '', exitCode: o.rc })
  return sections
}
