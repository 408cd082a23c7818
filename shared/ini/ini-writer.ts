/**
 * Writes INI text the way Python's `ConfigParser.write()` does (`key = value`, continuation lines
 * as `\n\t`, a blank line after each section), and refuses anything that would not read back
 * identically through configparser (ini/configparser.ts).
 */
import { DEFAULT_SECTION } from './configparser'
import { firstNonSpace, isPySpace, pyLower, pyStrip } from './python-text'

export interface IniWriteSection {
  name: string
  entries: { key: string; value: string }[]
}

export interface IniWriteOptions {
  /** Keys will be read back lower-cased (POMS, the default); false for fife_launch cfgs. */
  lowercaseKeys: boolean
}

export class IniWriteError extends Error {
  constructor(
    message: string,
    readonly section: string,
    readonly key: string | null,
  ) {
    super(message)
    this.name = 'IniWriteError'
  }
}

const POMS_KEYS: IniWriteOptions = { lowercaseKeys: true }

/** Throws IniWriteError naming the first section/key that could not round-trip. */
export function writeIni(sections: IniWriteSection[], opts: IniWriteOptions = POMS_KEYS): string {
  const problems = validateIniSections(sections, opts)
  if (problems.length > 0) throw problems[0]!
  let out = ''
  for (const section of sections) {
    out += `[${section.name}]\n`
    for (const { key, value } of section.entries) out += `${key} = ${value.replace(/\n/g, '\n\t')}\n`
    out += '\n'
  }
  return out
}

/** Every reason `sections` would not survive writeIni → parseIni unchanged; empty when it would. */
export function validateIniSections(sections: IniWriteSection[], opts: IniWriteOptions = POMS_KEYS): IniWriteError[] {
  const problems: IniWriteError[] = []
  const seenSections = new Set<string>()
  for (const section of sections) {
    const sectionProblem = sectionNameProblem(section.name, seenSections)
    if (sectionProblem) problems.push(new IniWriteError(`section [${section.name}]: ${sectionProblem}`, section.name, null))
    seenSections.add(section.name)
    const seenKeys = new Set<string>()
    for (const { key, value } of section.entries) {
      const why = keyProblem(key, opts) ?? (seenKeys.has(readBack(key, opts)) ? 'appears twice in the section' : null) ?? valueProblem(value)
      if (why) problems.push(new IniWriteError(`section [${section.name}], key '${key}': ${why}`, section.name, key))
      seenKeys.add(readBack(key, opts))
    }
  }
  return problems
}

function readBack(key: string, opts: IniWriteOptions): string {
  return opts.lowercaseKeys ? pyLower(key) : key
}

function sectionNameProblem(name: string, seen: Set<string>): string | null {
  if (name === '') return 'a section needs a name (`[]` is not a header)'
  if (/[\r\n]/.test(name)) return 'a section name cannot contain a line break'
  // Python would read `[a]b]` back (its header pattern is greedy), but few other readers would.
  if (name.includes(']')) return "a section name cannot contain ']'"
  if (name === DEFAULT_SECTION) return '[DEFAULT] is configparser’s defaults section; its keys would be merged into every section'
  if (seen.has(name)) return 'the section appears twice'
  return null
}

function keyProblem(key: string, opts: IniWriteOptions): string | null {
  if (key === '') return 'a key cannot be empty'
  if (/[=:]/.test(key)) return "a key cannot contain '=' or ':' (the first one ends the key)"
  if (/[\r\n]/.test(key)) return 'a key cannot contain a line break'
  if (pyStrip(key) !== key) return 'a key cannot start or end with whitespace (it is stripped)'
  if (key.startsWith('#') || key.startsWith(';')) return "a key cannot start with '#' or ';' (the line would be a comment)"
  if (key.startsWith('[')) return "a key cannot start with '[' (the line could read as a section header)"
  if (opts.lowercaseKeys && pyLower(key) !== key) return `a key is read back lower-cased ('${pyLower(key)}'); write it that way`
  return null
}

function valueProblem(value: string): string | null {
  if (value.includes('\r')) return 'a value cannot contain a carriage return (a line break when fife_launch reads a file)'
  const lines = value.split('\n')
  for (const [i, line] of lines.entries()) {
    const where = lines.length === 1 ? 'the value' : `line ${i + 1} of the value`
    if (line === '') {
      if (i === lines.length - 1 && i > 0) return 'a value cannot end with an empty line (trailing blank lines are dropped)'
      continue
    }
    if (firstNonSpace(line) !== 0) {
      return firstNonSpace(line) < 0
        ? `${where} is only whitespace (it would read back as an empty line)`
        : `${where} starts with whitespace (it is stripped)`
    }
    if (isPySpace(line[line.length - 1]!)) return `${where} ends with whitespace (it is stripped)`
    if (i > 0 && (line.startsWith('#') || line.startsWith(';'))) {
      return `${where} starts with '${line[0]}' (a continuation line like that is read as a comment and dropped)`
    }
  }
  return null
}
