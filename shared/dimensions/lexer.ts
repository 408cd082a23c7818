import { DimensionSyntaxError } from './ast'

/**
 * Tokens of the SAM dimension language. Columns are 1-based character positions in the whole text
 * (a query may span lines; the column still counts from its first character).
 */
export type Token =
  | { kind: 'word'; text: string; col: number }
  | { kind: 'string'; text: string; col: number }
  | { kind: 'special'; text: 'defname:' | 'isparentof:' | 'ischildof:'; col: number }
  | { kind: 'op'; text: '<' | '<=' | '>' | '>=' | '=' | '!='; col: number }
  | { kind: 'lparen' | 'rparen' | 'comma' | 'eof'; text: string; col: number }

/** Characters that end an unquoted word: they are tokens of their own, or start a quoted string. */
const WORD_BREAK = /[\s(),'"<>=!]/

/** Words that are operators wherever they appear unquoted; a value spelled like one must be quoted. */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'minus', 'with', 'not', 'like', 'in'])

/** Prefixes that make a word a special operator (`defname:foo`, `isparentof:( … )`). */
const SPECIALS = ['defname:', 'isparentof:', 'ischildof:'] as const

/** `run_number` values: `run` or `run.subrun`. */
export const isRunNumber = (value: string): boolean => /^\d+(\.\d+)?$/.test(value)

/**
 * Values the formatter may write without quotes: SAM's unquoted strings start with a letter or
 * digit and hold alphanumerics and `_%?.-`; `-` is left out too, because SAM reads `a-b` as a range.
 * Operator words are quoted. Everything else is quoted.
 */
export const isBareValue = (value: string): boolean => /^[A-Za-z0-9][A-Za-z0-9_%?.]*$/.test(value) && !RESERVED_WORDS.has(value.toLowerCase())

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const ch = text[i]!
    const col = i + 1
    if (/\s/.test(ch)) {
      i++
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen', text: ch, col })
      i++
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen', text: ch, col })
      i++
    } else if (ch === ',') {
      tokens.push({ kind: 'comma', text: ch, col })
      i++
    } else if (ch === "'" || ch === '"') {
      // SAM's quoted strings hold any character but the closing quote; there is no escape.
      const end = text.indexOf(ch, i + 1)
      if (end < 0) throw new DimensionSyntaxError(`the quote ${ch} at column ${col} is never closed`, col)
      tokens.push({ kind: 'string', text: text.slice(i + 1, end), col })
      i = end + 1
    } else if (ch === '<' || ch === '>' || ch === '=' || ch === '!') {
      const two = text.slice(i, i + 2)
      if (two === '<=' || two === '>=' || two === '!=') {
        tokens.push({ kind: 'op', text: two, col })
        i += 2
      } else if (ch === '!') {
        throw new DimensionSyntaxError(`unexpected "!" at column ${col}`, col)
      } else {
        tokens.push({ kind: 'op', text: ch, col })
        i++
      }
    } else {
      let end = i
      while (end < text.length && !WORD_BREAK.test(text[end]!)) end++
      pushWord(tokens, text.slice(i, end), col)
      i = end
    }
  }
  tokens.push({ kind: 'eof', text: '', col: text.length + 1 })
  return tokens
}

function pushWord(tokens: Token[], word: string, col: number): void {
  const lower = word.toLowerCase()
  const special = SPECIALS.find((s) => lower.startsWith(s))
  if (!special) {
    tokens.push({ kind: 'word', text: word, col })
    return
  }
  tokens.push({ kind: 'special', text: special, col })
  const rest = word.slice(special.length)
  if (rest !== '') tokens.push({ kind: 'word', text: rest, col: col + special.length })
}

/** How a token is named in error messages. */
export const describeToken = (t: Token): string => (t.kind === 'eof' ? 'the end of the query' : t.kind === 'string' ? `'${t.text}'` : `"${t.text}"`)
