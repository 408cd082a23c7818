import { SubstitutionError } from './launch-params'

/**
 * Where a placeholder sits in the author's shell code decides how its value must be written so it
 * stays data: unquoted → one single-quoted word; inside '…' → its quotes escaped; inside "…" or an
 * unquoted here-document → `\ $ \` "` escaped; inside a quoted here-document → as is.
 */
type Context = 'unquoted' | 'single' | 'double' | 'heredoc' | 'literal-heredoc'

const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/

function quoteFor(context: Context, value: string): string {
  switch (context) {
    case 'unquoted':
      return value !== '' && SAFE_WORD.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
    case 'single':
      return value.replace(/'/g, `'\\''`)
    case 'double':
      return value.replace(/[\\$`"]/g, (c) => `\\${c}`)
    case 'heredoc':
      return value.replace(/[\\$`]/g, (c) => `\\${c}`)
    case 'literal-heredoc':
      return value
  }
}

interface Frame {
  context: Context
  /** What closes this frame: `'`, `"`, `)` for $( ), a backtick, or a here-document's end word. */
  closer: string
  /** Open parentheses inside a $( ) frame, so `$( (cd x; ls) )` closes at the right one. */
  depth: number
}

/**
 * `%(name)s` substitution into shell code (a login setup, a launch command) with every inserted
 * value escaped for the quoting context it lands in, so no value can ever become code — whatever it
 * contains, and however the author quoted the placeholder. `%%` is a literal `%`; an unknown name or
 * another `%` sequence is an error with its column, as Python's `%`-formatting would raise.
 */
export function substituteShell(template: string, vars: Readonly<Record<string, string>>): string {
  const stack: Frame[] = [{ context: 'unquoted', closer: '', depth: 0 }]
  const pendingHeredocs: { word: string; quoted: boolean }[] = []
  let out = ''
  let i = 0
  const top = () => stack[stack.length - 1]!

  while (i < template.length) {
    const ch = template[i]!
    const frame = top()

    if (ch === '%') {
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
        if (template[close + 1] !== 's') {
          throw new SubstitutionError(`unsupported format %(${name})${template[close + 1] ?? ''} at column ${i + 1}; use %(${name})s, or %% for a literal %`, i + 1)
        }
        if (!Object.prototype.hasOwnProperty.call(vars, name)) throw new SubstitutionError(`unknown variable %(${name})s at column ${i + 1}`, i + 1)
        const value = vars[name]!
        if (value.includes('\0')) throw new SubstitutionError(`the value of %(${name})s contains a NUL byte, which no shell can carry`, i + 1)
        if ((frame.context === 'heredoc' || frame.context === 'literal-heredoc') && value.split('\n').some((l) => l.replace(/^\t+/, '') === frame.closer)) {
          throw new SubstitutionError(`the value of %(${name})s contains the line "${frame.closer}", which would end the here-document early`, i + 1)
        }
        if (stack.some((f) => f.closer === '`' || f.closer === '}') && !SAFE_WORD.test(value)) {
          // Backquotes re-scan their text for \, ` and $, and ${…} words follow their own quoting
          // rules: no quoting survives those reliably, so only plain values may go there.
          const where = stack.some((f) => f.closer === '`') ? '`…`' : '${…}'
          throw new SubstitutionError(
            `the value of %(${name})s has characters that cannot be quoted safely inside ${where} (column ${i + 1}); move the placeholder out of it`,
            i + 1,
          )
        }
        out += quoteFor(frame.context, value)
        i = close + 2
        continue
      }
      throw new SubstitutionError(`a lone % at column ${i + 1}; write %% for a literal %`, i + 1)
    }

    if (frame.context === 'heredoc' || frame.context === 'literal-heredoc') {
      // Body lines run until a line that is exactly the end word (tabs allowed for <<-).
      const lineStart = i === 0 || template[i - 1] === '\n'
      if (lineStart) {
        const end = template.indexOf('\n', i)
        const line = template.slice(i, end < 0 ? template.length : end)
        if (line.replace(/^\t+/, '') === frame.closer) {
          stack.pop()
          out += line
          i += line.length
          continue
        }
      }
      if (frame.context === 'heredoc' && ch === '\\') {
        out += template.slice(i, i + 2)
        i += 2
        continue
      }
      out += ch
      i++
      continue
    }

    if (frame.context === 'single') {
      out += ch
      i++
      if (ch === "'") stack.pop()
      continue
    }

    if (ch === '\\') {
      out += template.slice(i, i + 2)
      i += 2
      continue
    }

    if (frame.context === 'double') {
      if (ch === '"') {
        stack.pop()
        out += ch
        i++
        continue
      }
      if (ch === '$' && template[i + 1] === '(' && template[i + 2] !== '(') {
        stack.push({ context: 'unquoted', closer: ')', depth: 0 })
        out += '$('
        i += 2
        continue
      }
      if (ch === '`') {
        stack.push({ context: 'unquoted', closer: '`', depth: 0 })
        out += ch
        i++
        continue
      }
      if (ch === '$' && template[i + 1] === '{') {
        stack.push({ context: 'double', closer: '}', depth: 0 })
        out += '${'
        i += 2
        continue
      }
      if (ch === '}' && frame.closer === '}') {
        stack.pop()
        out += ch
        i++
        continue
      }
      out += ch
      i++
      continue
    }

    // Unquoted (top level, or inside $( ) / backticks).
    if (frame.closer === ')' && ch === '(') frame.depth++
    if (frame.closer && ch === frame.closer) {
      if (frame.closer === ')' && frame.depth > 0) {
        frame.depth--
      } else {
        stack.pop()
      }
      out += ch
      i++
      continue
    }
    if (ch === "'") {
      stack.push({ context: 'single', closer: "'", depth: 0 })
    } else if (ch === '"') {
      stack.push({ context: 'double', closer: '"', depth: 0 })
    } else if (ch === '`') {
      stack.push({ context: 'unquoted', closer: '`', depth: 0 })
    } else if (ch === '$' && template[i + 1] === '(' && template[i + 2] !== '(') {
      stack.push({ context: 'unquoted', closer: ')', depth: 0 })
      out += '$('
      i += 2
      continue
    } else if (ch === '$' && template[i + 1] === '{') {
      stack.push({ context: 'unquoted', closer: '}', depth: 0 })
      out += '${'
      i += 2
      continue
    } else if (ch === '#' && (i === 0 || /\s/.test(template[i - 1]!))) {
      // A comment runs to the end of the line; placeholders in it are still substituted, quoted.
    } else if (ch === '<' && template[i + 1] === '<' && template[i + 2] !== '<') {
      const match = /^<<(-?)[ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|\\?([A-Za-z0-9_.-]+))/.exec(template.slice(i))
      if (match) {
        const quoted = match[2] !== undefined || match[3] !== undefined || template[i + 2 + match[1]!.length] === '\\'
        pendingHeredocs.push({ word: match[2] ?? match[3] ?? match[4]!, quoted })
        out += match[0]
        i += match[0].length
        continue
      }
    } else if (ch === '\n' && pendingHeredocs.length > 0 && stack.length === 1) {
      // Here-document bodies start on the next line, in the order their operators appeared.
      out += ch
      i++
      for (const doc of pendingHeredocs.reverse()) stack.push({ context: doc.quoted ? 'literal-heredoc' : 'heredoc', closer: doc.word, depth: 0 })
      pendingHeredocs.length = 0
      continue
    }
    out += ch
    i++
  }
  return out
}
