import type { Finding } from '../domain/campaign-document'
import type { IniDocument, IniEntry, IniSection } from '../ini/ini-document'

/** An INI value together with the section it was read from (`DEFAULT` when inherited from `[DEFAULT]`). */
export interface Located {
  entry: IniEntry
  section: string
}

export interface Where {
  line: number | null
  column?: number | null
  section?: string | null
  key?: string | null
  path?: string | null
}

export interface IgnoredItem {
  what: string
  why: string
  line: number | null
}

/** Collects what an import finds, with positions, and maps document paths back to file lines. */
export class ImportContext {
  readonly warnings: Finding[] = []
  readonly errors: Finding[] = []
  readonly ignored: IgnoredItem[] = []
  private readonly lines: string[]
  private readonly pathLines = new Map<string, Where>()

  constructor(text: string) {
    this.lines = text.split('\n')
  }

  warn(code: string, message: string, where: Where): void {
    this.warnings.push(toFinding(code, message, where))
  }

  error(code: string, message: string, where: Where): void {
    this.errors.push(toFinding(code, message, where))
  }

  ignore(what: string, why: string, line: number | null): void {
    this.ignored.push({ what, why, line })
  }

  /** Remember where a document path came from, so schema errors can point at the file. */
  mark(path: string, where: Where): void {
    if (!this.pathLines.has(path)) this.pathLines.set(path, { ...where, path })
  }

  /** The closest remembered position for a document path (`stages.2.name` → the stage's line). */
  whereIs(path: string): Where {
    const parts = path.split('.')
    for (let n = parts.length; n > 0; n--) {
      const found = this.pathLines.get(parts.slice(0, n).join('.'))
      if (found) return { ...found, path }
    }
    return { line: 1, column: null, path }
  }

  /** Where a located value is, optionally at an offset inside it (multi-line values included). */
  at(located: Located, offset = 0, path: string | null = null): Where {
    const pos = this.locate(located.entry, offset)
    return { line: pos.line, column: pos.column, section: located.section, key: located.entry.key, path }
  }

  /**
   * Line and column of `offset` inside an entry's value. Continuation lines lost their indentation
   * and comment lines were dropped when the value was joined, so walk the raw lines to find it.
   */
  locate(entry: IniEntry, offset: number): { line: number; column: number } {
    const valueLines = entry.value.split('\n')
    let rest = Math.max(0, offset)
    let index = 0
    while (index < valueLines.length - 1 && rest > valueLines[index]!.length) {
      rest -= valueLines[index]!.length + 1
      index++
    }
    if (index === 0) return { line: entry.line, column: entry.valueColumn + rest }
    let seen = 0
    for (let n = entry.line + 1; n <= entry.endLine; n++) {
      const raw = (this.lines[n - 1] ?? '').replace(/\r$/, '')
      const trimmed = raw.trim()
      if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue
      seen++
      if (seen === index) {
        const indent = raw.length - raw.trimStart().length
        return { line: n, column: indent + 1 + rest }
      }
    }
    return { line: entry.line, column: entry.valueColumn }
  }
}

export function toFinding(code: string, message: string, where: Where): Finding {
  return {
    code,
    message,
    line: where.line,
    column: where.column ?? null,
    section: where.section ?? null,
    key: where.key ?? null,
    path: where.path ?? null,
  }
}

/**
 * A section's items as configparser's `items(section)` returns them: `[DEFAULT]` first, then the
 * section's own keys (which win, keeping the default's position — Python dict.update order).
 */
export function sectionItems(doc: IniDocument, section: IniSection): Map<string, Located> {
  const items = new Map<string, Located>()
  for (const entry of doc.defaults?.entries ?? []) items.set(entry.key, { entry, section: 'DEFAULT' })
  for (const entry of section.entries) items.set(entry.key, { entry, section: section.name })
  return items
}
