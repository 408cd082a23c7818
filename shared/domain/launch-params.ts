import type { ParamPair } from './common'

export interface ParamSources {
  definitionParameters: readonly ParamPair[]
  /** The campaign-default param_overrides; used only when the stage says mergeOverrides. */
  campaignDefaultOverrides: readonly ParamPair[]
  mergeOverrides: boolean
  stageOverrides: readonly ParamPair[]
  testOverrides: readonly ParamPair[]
  /** Recovery, held-launch and caller overrides given at launch time. */
  launchOverrides: readonly ParamPair[]
  test: boolean
}

/**
 * POMS's parameter list (poms-reference.md §3.3): an ordered dictionary keyed by the key string,
 * filled in this order — later values win, a key keeps its first position.
 */
export function mergeParams(src: ParamSources): ParamPair[] {
  const merged = new Map<string, string>()
  const put = (pairs: readonly ParamPair[]) => {
    for (const [key, value] of pairs) merged.set(key, value)
  }
  put(src.definitionParameters)
  if (src.mergeOverrides) put(src.campaignDefaultOverrides)
  put(src.stageOverrides)
  put(src.launchOverrides)
  if (src.test) put(src.testOverrides)
  put(src.launchOverrides)
  return [...merged.entries()]
}

/** `launch_script` then each pair as key+value with no separator, pairs joined by single spaces. */
export function joinCommand(launchScript: string, params: readonly ParamPair[]): string {
  const parts = params.map(([key, value]) => `${key}${value}`)
  return [launchScript, ...parts].join(' ')
}

export class SubstitutionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message)
    this.name = 'SubstitutionError'
  }
}

/**
 * Python `%`-formatting with a mapping, as POMS applies it: `%(name)s` takes the value, `%%` is a
 * literal `%`. An unknown name or any other `%` sequence is an error with its column (1-based),
 * as Python's KeyError/ValueError would be. `quote` wraps each substituted value, so inserted
 * data can be made inert for the place it lands in.
 */
export function substitute(
  template: string,
  vars: Readonly<Record<string, string>>,
  quote: (value: string) => string = (value) => value,
): string {
  let out = ''
  let i = 0
  while (i < template.length) {
    const ch = template[i]!
    if (ch !== '%') {
      out += ch
      i++
      continue
    }
    const next = template[i + 1]
    if (next === '%') {
      out += '%'
      i += 2
      continue
    }
    if (next === '(') {
      const close = template.indexOf(')', i + 2)
      if (close < 0) throw new SubstitutionError(`unclosed %( at column ${i + 1}`, i + 1)
      const name = template.slice(i + 2, close)
      const conversion = template[close + 1]
      if (conversion !== 's') {
        throw new SubstitutionError(
          `unsupported format %(${name})${conversion ?? ''} at column ${i + 1}; use %(${name})s, or %% for a literal %`,
          i + 1,
        )
      }
      if (!Object.prototype.hasOwnProperty.call(vars, name)) {
        throw new SubstitutionError(`unknown variable %(${name})s at column ${i + 1}`, i + 1)
      }
      out += quote(vars[name]!)
      i = close + 2
      continue
    }
    throw new SubstitutionError(`a lone % at column ${i + 1}; write %% for a literal %`, i + 1)
  }
  return out
}

/** The `%(name)s` names a template refers to, in order of first use. */
export function referencedVariables(template: string): string[] {
  const names: string[] = []
  for (const match of template.matchAll(/%%|%\(([^)]*)\)/g)) {
    const name = match[1]
    if (name !== undefined && !names.includes(name)) names.push(name)
  }
  return names
}

/** Quote a value for a POSIX shell so it is one word and never code. */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value
  return `'${value.replace(/'/g, `'\\''`)}'`
}

export class CommandSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message)
    this.name = 'CommandSyntaxError'
  }
}

const SHELL_OPERATORS = new Set([';', '|', '&', '<', '>', '(', ')', '`', '$'])

/**
 * Split a command line into words the way a POSIX shell would for quotes and backslashes, but with
 * no expansion at all. Shell syntax outside quotes (`;`, `|`, `$`, backticks, redirections) is an
 * error: a command split here is executed without a shell, so it could not mean what it says.
 */
export function splitCommandWords(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let i = 0
  while (i < line.length) {
    const ch = line[i]!
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word)
      word = ''
      inWord = false
      i++
      continue
    }
    inWord = true
    if (ch === "'") {
      const close = line.indexOf("'", i + 1)
      if (close < 0) throw new CommandSyntaxError(`unclosed ' at column ${i + 1}`, i + 1)
      word += line.slice(i + 1, close)
      i = close + 1
      continue
    }
    if (ch === '"') {
      let j = i + 1
      for (;;) {
        if (j >= line.length) throw new CommandSyntaxError(`unclosed " at column ${i + 1}`, i + 1)
        const c = line[j]!
        if (c === '"') break
        if (c === '\\' && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1]!)) {
          word += line[j + 1]
          j += 2
          continue
        }
        if (c === '$' || c === '`') {
          throw new CommandSyntaxError(`${c} inside "…" at column ${j + 1} would be expanded by a shell; none runs here`, j + 1)
        }
        word += c
        j++
      }
      i = j + 1
      continue
    }
    if (ch === '\\') {
      if (i + 1 < line.length) word += line[i + 1]
      i += 2
      continue
    }
    if (ch === '%' && line[i + 1] === '(') {
      // A %(name)s placeholder is one piece of a word; its value is substituted after splitting.
      const close = line.indexOf(')', i + 2)
      const end = close < 0 ? line.length : close + 2
      word += line.slice(i, end)
      i = end
      continue
    }
    if (SHELL_OPERATORS.has(ch)) {
      throw new CommandSyntaxError(`shell syntax '${ch}' at column ${i + 1}; this command runs without a shell`, i + 1)
    }
    word += ch
    i++
  }
  if (inWord) words.push(word)
  return words
}
