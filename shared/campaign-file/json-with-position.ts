/**
 * A strict JSON reader that says WHERE it failed, as an offset into the text, so a bad value in a
 * campaign file can be reported at its line and column. It accepts what Python's `json.loads`
 * accepts for the values POMS stores (plus NaN/Infinity, which Python also reads).
 */
export type JsonOutcome = { ok: true; value: unknown } | { ok: false; message: string; offset: number }

class JsonFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message)
  }
}

export function parseJsonWithPosition(text: string): JsonOutcome {
  let i = 0
  const fail = (message: string, at = i): never => {
    throw new JsonFailure(message, at)
  }
  const describe = (at: number) => (at >= text.length ? 'the end of the value' : `"${text[at]}"`)
  const skip = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const expect = (ch: string) => {
    if (text[i] !== ch) fail(`expected "${ch}" but found ${describe(i)}`)
    i++
  }

  const readString = (): string => {
    expect('"')
    let out = ''
    for (;;) {
      if (i >= text.length) fail('unterminated string')
      const ch = text[i]!
      if (ch === '"') {
        i++
        return out
      }
      if (ch < ' ') fail('control character inside a string (write \\n, \\t …)')
      if (ch === '\\') {
        const esc = text[i + 1]
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
        if (esc !== undefined && esc in simple) {
          out += simple[esc]
          i += 2
          continue
        }
        if (esc === 'u') {
          const hex = text.slice(i + 2, i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape')
          out += String.fromCharCode(parseInt(hex, 16))
          i += 6
          continue
        }
        fail(`bad escape "\\${esc ?? ''}"`)
      }
      out += ch
      i++
    }
  }

  const readNumber = (): number => {
    const match = /^-?(?:Infinity|(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i))
    if (!match) fail(`unexpected ${describe(i)}`)
    i += match![0].length
    return Number(match![0])
  }

  const readValue = (depth: number): unknown => {
    if (depth > 200) fail('nested too deeply')
    skip()
    const ch = text[i]
    if (ch === '"') return readString()
    if (ch === '[') {
      i++
      const items: unknown[] = []
      skip()
      if (text[i] === ']') {
        i++
        return items
      }
      for (;;) {
        items.push(readValue(depth + 1))
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return items
        }
        fail(`expected "," or "]" but found ${describe(i)}`)
      }
    }
    if (ch === '{') {
      i++
      const obj: Record<string, unknown> = {}
      skip()
      if (text[i] === '}') {
        i++
        return obj
      }
      for (;;) {
        skip()
        if (text[i] !== '"') fail(`expected a "quoted" key but found ${describe(i)}`)
        const key = readString()
        skip()
        expect(':')
        // defineProperty: a key named __proto__ must stay data, not replace the prototype.
        Object.defineProperty(obj, key, { value: readValue(depth + 1), enumerable: true, writable: true, configurable: true })
        skip()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return obj
        }
        fail(`expected "," or "}" but found ${describe(i)}`)
      }
    }
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', NaN],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length
        return value
      }
    }
    if (ch === "'") fail("single quotes are not JSON; use double quotes")
    return readNumber()
  }

  try {
    const value = readValue(0)
    skip()
    if (i < text.length) fail(`unexpected ${describe(i)} after the value`)
    return { ok: true, value }
  } catch (err) {
    if (err instanceof JsonFailure) return { ok: false, message: err.message, offset: err.offset }
    throw err
  }
}
