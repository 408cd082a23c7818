import type { LineEndings } from './python-text'

/**
 * A parsed INI file as Python's configparser sees it (campaign-ini-syntax.md §1.2), with positions
 * kept so every report can point at a line. Produced by `parseIni` (ini/configparser.ts).
 */
export interface IniEntry {
  /** The key as configparser stores it: lower-cased for POMS files, as written for fife_launch. */
  key: string
  /** The key exactly as written. */
  rawKey: string
  /** The value with continuation lines joined by `\n`, verbatim otherwise (no interpolation). */
  value: string
  /** 1-based line of the key. */
  line: number
  /** 1-based column where the value starts on that line. */
  valueColumn: number
  /** Last line the value spans (continuations). */
  endLine: number
}

export interface IniSection {
  /** Exactly as written between the brackets (case-sensitive). */
  name: string
  line: number
  entries: IniEntry[]
}

export interface IniDocument {
  /** Sections in file order; `[DEFAULT]` is not among them. */
  sections: IniSection[]
  /** The `[DEFAULT]` section, merged into every section's lookups, or null. */
  defaults: IniSection | null
  /** Full-line comments with their lines (`#` or `;`), for tools that show them. */
  comments: { line: number; text: string }[]
}

export type IniErrorCode =
  | 'DUPLICATE_SECTION'
  | 'DUPLICATE_OPTION'
  | 'MISSING_SECTION_HEADER'
  | 'PARSING_ERROR'
  | 'NOT_UTF8'

/**
 * configparser's exceptions as one structured error with a position. `line`/`column` point at the
 * first offending line; `problems` lists every one (configparser collects all unparseable lines
 * before it raises).
 */
export class IniSyntaxError extends Error {
  constructor(
    readonly code: IniErrorCode,
    message: string,
    readonly line: number,
    readonly column: number,
    readonly problems: IniProblem[] = [{ code, message, line, column }],
  ) {
    super(message)
    this.name = 'IniSyntaxError'
  }
}

export interface IniParseOptions {
  /** configparser's optionxform: POMS lower-cases keys (true); fife_launch keeps them (false). */
  lowercaseKeys: boolean
  /**
   * strict=True (Python 3 default): duplicate sections/keys are errors. Lenient mode keeps the last
   * value (Python 2 behaviour) and reports each duplicate in `problems` instead.
   */
  strict: boolean
  /**
   * Where lines end. `lf` (default) is `read_string()`, as POMS reads an upload: only `\n` ends a
   * line. `universal` is reading a file, as fife_launch does: `\r\n`, `\r` and `\n` all do.
   */
  lineEndings?: LineEndings
}

export interface IniProblem {
  code: IniErrorCode
  message: string
  line: number
  column: number
  /** The section the line is in (null before the first header), when known. */
  section?: string | null
  /** The key concerned (duplicates), when there is one. */
  key?: string | null
}
