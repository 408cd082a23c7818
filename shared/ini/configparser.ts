/**
 * Python 3.11 `configparser.ConfigParser` reading, reproduced rule for rule (RawConfigParser._read;
 * campaign-ini-syntax.md §1.2): `=`/`:` delimiters, `#`/`;` full-line comments only, continuation
 * by deeper indentation, `[DEFAULT]`, strict duplicates, and the quirks that go with them. Values are
 * never interpolated here. Every expectation in the tests comes from the real python3.
 */
import {
  type IniDocument,
  type IniEntry,
  type IniParseOptions,
  type IniProblem,
  type IniSection,
  IniSyntaxError,
} from './ini-document'
import { firstNonSpace, pyLower, pyRstrip, pyStrip, splitLines } from './python-text'

export const DEFAULT_SECTION = 'DEFAULT'

/**
 * Reads like Python: throws IniSyntaxError where configparser raises, and nothing else. Text
 * before the first header, and (when `opts.strict`) a duplicate section or key, fail at once;
 * unparseable lines are collected and reported together at the end, the first one giving the
 * position. Without `strict`, a repeated key keeps its first place and takes the last value.
 */
export function parseIni(text: string, opts: IniParseOptions): IniDocument {
  return read(text, opts, 'throw').document
}

/**
 * Never throws: each bad line is skipped, duplicates keep the last value (in the first one's
 * place, as Python's strict=False does), and every problem is listed, including duplicates when
 * `opts.strict` is false.
 */
export function parseIniLenient(text: string, opts: IniParseOptions): { document: IniDocument; problems: IniProblem[] } {
  return read(text, opts, 'collect')
}

/** `get(section, key)` with the `[DEFAULT]` fallback; `key` is matched as stored (lower-case for POMS). */
export function getValue(doc: IniDocument, section: string, key: string): string | undefined {
  if (section !== DEFAULT_SECTION) {
    const own = doc.sections.find((s) => s.name === section)
    if (!own) return undefined
    const entry = own.entries.find((e) => e.key === key)
    if (entry) return entry.value
  }
  return doc.defaults?.entries.find((e) => e.key === key)?.value
}

export interface IniItem {
  key: string
  value: string
  /** The entry that supplied the value (the section's own, or `[DEFAULT]`'s). */
  entry: IniEntry
  fromDefaults: boolean
}

/**
 * Python's `items(section)`: `[DEFAULT]`'s keys first, in their order, then the section's other
 * keys; a section key that overrides a default keeps the default's place. Null when there is no
 * such section (Python raises NoSectionError).
 */
export function sectionItems(doc: IniDocument, sectionName: string): IniItem[] | null {
  const own = sectionName === DEFAULT_SECTION ? null : doc.sections.find((s) => s.name === sectionName)
  if (own === undefined) return null
  const merged = new Map<string, IniItem>()
  for (const entry of doc.defaults?.entries ?? []) merged.set(entry.key, { key: entry.key, value: entry.value, entry, fromDefaults: true })
  for (const entry of own?.entries ?? []) merged.set(entry.key, { key: entry.key, value: entry.value, entry, fromDefaults: false })
  return [...merged.values()]
}

// ---------------------------------------------------------------------------------------------

interface DraftEntry {
  entry: IniEntry
  /** Value lines, `null`-free: allow_no_value is off. Joined with `\n` at the end. */
  parts: string[]
}

interface DraftSection {
  name: string
  line: number
  entries: Map<string, DraftEntry>
}

type Mode = 'throw' | 'collect'

function read(text: string, opts: IniParseOptions, mode: Mode): { document: IniDocument; problems: IniProblem[] } {
  const optionxform = opts.lowercaseKeys ? pyLower : (k: string) => k
  const lines = splitLines(text, opts.lineEndings ?? 'lf')
  const sections = new Map<string, DraftSection>()
  let defaults: DraftSection | null = null
  const comments: IniDocument['comments'] = []
  const problems: IniProblem[] = []
  const parsingErrors: IniProblem[] = []
  // Python's elements_added: what this read has defined, for strict duplicate checks.
  const firstSectionLine = new Map<string, number>()
  const firstOptionLine = new Map<string, number>()

  let cursect: DraftSection | null = null
  let sectname: string | null = null
  let optname: string | null = null
  let indentLevel = 0

  const fail = (problem: IniProblem): void => {
    if (mode === 'throw') throw new IniSyntaxError(problem.code, problem.message, problem.line, problem.column, [problem])
    problems.push(problem)
  }

  lines.forEach((raw, index) => {
    const lineno = index + 1
    const stripped = pyStrip(raw)
    const isComment = stripped.startsWith('#') || stripped.startsWith(';')
    if (isComment) comments.push({ line: lineno, text: stripped })
    const value = isComment ? '' : stripped

    if (!value) {
      // empty_lines_in_values: a blank (not a comment) line belongs to the open value for now;
      // trailing ones are dropped when the value is joined.
      if (!isComment && cursect && optname) cursect.entries.get(optname)?.parts.push('')
      return
    }

    const curIndent = firstNonSpace(raw)
    if (cursect && optname && curIndent > indentLevel) {
      const draft = cursect.entries.get(optname)
      if (draft) {
        draft.parts.push(value)
        draft.entry.endLine = lineno
      }
      return
    }
    indentLevel = curIndent

    const header = matchSectionHeader(value)
    if (header !== null) {
      sectname = header
      optname = null
      const existing = sections.get(header)
      if (existing) {
        const first = firstSectionLine.get(header)!
        if (opts.strict || mode === 'collect') {
          fail({
            code: 'DUPLICATE_SECTION',
            message: `line ${lineno}: duplicate section [${header}] (first at line ${first})`,
            line: lineno,
            column: curIndent + 1,
            section: header,
            key: null,
          })
        }
        cursect = existing
      } else if (header === DEFAULT_SECTION) {
        defaults ??= { name: header, line: lineno, entries: new Map() }
        cursect = defaults
      } else {
        cursect = { name: header, line: lineno, entries: new Map() }
        sections.set(header, cursect)
        firstSectionLine.set(header, lineno)
      }
      return
    }

    if (!cursect) {
      const bom = lineno === 1 && raw.startsWith('\ufeff') ? ' (the file starts with a byte-order mark, which configparser keeps as text)' : ''
      fail({
        code: 'MISSING_SECTION_HEADER',
        message: `line ${lineno}: ${quote(value)} comes before any [section] header${bom}`,
        line: lineno,
        column: curIndent + 1,
        section: null,
        key: null,
      })
      return
    }

    const delimiter = firstDelimiter(value)
    if (delimiter < 0) {
      // optname stays: deeper-indented lines after this one still continue the previous value.
      parsingErrors.push({
        code: 'PARSING_ERROR',
        message: `line ${lineno}: ${quote(value)} is not 'key = value', a [section] header, a comment or an indented continuation`,
        line: lineno,
        column: curIndent + 1,
        section: sectname,
        key: null,
      })
      return
    }
    const key = optionxform(pyRstrip(value.slice(0, delimiter)))
    const afterDelimiter = value.slice(delimiter + 1)
    const optval = pyStrip(afterDelimiter)
    const valueStart = firstNonSpace(afterDelimiter)
    const valueColumn = curIndent + delimiter + 2 + (valueStart < 0 ? afterDelimiter.length : valueStart)
    const optionId = `${sectname}\u0000${key}`

    if (key === '') {
      // Python records the error yet stores key '' and keeps reading; the error is raised at the end.
      parsingErrors.push({
        code: 'PARSING_ERROR',
        message: `line ${lineno}: ${quote(value)} has no key before '${value[delimiter]}'`,
        line: lineno,
        column: curIndent + delimiter + 1,
        section: sectname,
        key: '',
      })
      optname = ''
      if (opts.strict && mode === 'throw' && firstOptionLine.has(optionId)) {
        fail({
          code: 'DUPLICATE_OPTION',
          message: `line ${lineno}: duplicate empty key in section [${sectname}] (first at line ${firstOptionLine.get(optionId)})`,
          line: lineno,
          column: curIndent + 1,
          section: sectname,
          key: '',
        })
      }
      if (!firstOptionLine.has(optionId)) firstOptionLine.set(optionId, lineno)
      return
    }

    const first = firstOptionLine.get(optionId)
    if (first !== undefined && (opts.strict || mode === 'collect')) {
      fail({
        code: 'DUPLICATE_OPTION',
        message: `line ${lineno}: duplicate key '${key}' in section [${sectname}] (first at line ${first})`,
        line: lineno,
        column: curIndent + 1,
        section: sectname,
        key,
      })
    }
    if (first === undefined) firstOptionLine.set(optionId, lineno)
    optname = key
    const entry: IniEntry = { key, rawKey: pyRstrip(value.slice(0, delimiter)), value: '', line: lineno, valueColumn, endLine: lineno }
    // A re-set key keeps its place in the section (Python dict semantics).
    cursect.entries.set(key, { entry, parts: [optval] })
  })

  if (parsingErrors.length > 0) {
    if (mode === 'throw') {
      const first = parsingErrors[0]!
      const message =
        parsingErrors.length === 1
          ? first.message
          : `${parsingErrors.length} lines could not be parsed:\n${parsingErrors.map((p) => `  ${p.message}`).join('\n')}`
      throw new IniSyntaxError('PARSING_ERROR', message, first.line, first.column, parsingErrors)
    }
    problems.push(...parsingErrors)
    problems.sort((a, b) => a.line - b.line)
  }

  return {
    document: {
      sections: [...sections.values()].map(finishSection),
      defaults: defaults ? finishSection(defaults) : null,
      comments,
    },
    problems,
  }
}

function finishSection(draft: DraftSection): IniSection {
  return {
    name: draft.name,
    line: draft.line,
    entries: [...draft.entries.values()].map(({ entry, parts }) => {
      // Python: '\n'.join(value).rstrip(), which drops trailing blank lines (endLine never counted them).
      return { ...entry, value: pyRstrip(parts.join('\n')) }
    }),
  }
}

/**
 * SECTCRE `\[(?P<header>.+)\]` with `match()`: the line must start with `[`, and the greedy `.+`
 * runs to the LAST `]`, so `[a] b ] c` is section `a] b ` and text after it is ignored.
 */
function matchSectionHeader(value: string): string | null {
  if (!value.startsWith('[')) return null
  const close = value.lastIndexOf(']')
  return close >= 2 ? value.slice(1, close) : null
}

/** The first `=` or `:`, whichever comes first. */
function firstDelimiter(value: string): number {
  const eq = value.indexOf('=')
  const colon = value.indexOf(':')
  if (eq < 0) return colon
  if (colon < 0) return eq
  return Math.min(eq, colon)
}

function quote(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text
  return `'${shown}'`
}
