/**
 * Python 3.11 configparser reading rules, one case each. Every expected result below was produced
 * by the real python3 (test/fixtures/ini/configparser-oracle.py: ConfigParser(interpolation=None)
 * + read_string for POMS, ConfigParser() + optionxform=str + a file read for fife) and pasted here,
 * so these tests state Python's behaviour even where python3 is absent.
 */
import { describe, expect, it } from 'vitest'
import { getValue, parseIni, parseIniLenient, sectionItems } from '../../shared/ini/configparser'
import { IniSyntaxError } from '../../shared/ini/ini-document'
import { FIFE_OPTIONS, ourOutcome, type OracleMode, type ParseOutcome, POMS_OPTIONS } from '../fixtures/ini/python-oracle'

/** [what, mode, strict, text, what python3 3.11 returned] */
const PYTHON_VERIFIED: [string, OracleMode, boolean, string, ParseOutcome][] = [
  ["equals and colon both delimit", 'poms', true, "[s]\na=1\nb:2\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1"], ["b", "2"]]]]}],
  ["first delimiter splits; the rest stays in the value", 'poms', true, "[s]\na=b=c\nx : y = z\nu = v:w\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "b=c"], ["x", "y = z"], ["u", "v:w"]]]]}],
  ["keys and values are stripped, tabs included", 'poms', true, "[s]\n  a\t=\t1\t\nb   =   two words   \n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1"], ["b", "two words"]]]]}],
  ["POMS lower-cases keys", 'poms', true, "[S]\nCamelKey = V\nUPPER=X\n",
    {"ok": true, "defaults": [], "sections": [["S", [["camelkey", "V"], ["upper", "X"]]]]}],
  ["fife keeps key case", 'fife', true, "[submit]\nG = grp\nN = 5\nOS = SL7\n",
    {"ok": true, "defaults": [], "sections": [["submit", [["G", "grp"], ["N", "5"], ["OS", "SL7"]]]]}],
  ["section names are case-sensitive and not stripped inside brackets", 'poms', true, "[Campaign]\nname=a\n[campaign]\nname=b\n[ spaced ]\nk=v\n",
    {"ok": true, "defaults": [], "sections": [["Campaign", [["name", "a"]]], ["campaign", [["name", "b"]]], [" spaced ", [["k", "v"]]]]}],
  ["text after the closing bracket is ignored", 'fife', true, "[job_output_1] # I commented all of this out\ndest = x\n",
    {"ok": true, "defaults": [], "sections": [["job_output_1", [["dest", "x"]]]]}],
  ["the header runs to the LAST ]", 'poms', true, "[a] b ] c\nk=v\n[x]]\nk=v\n",
    {"ok": true, "defaults": [], "sections": [["a] b ", [["k", "v"]]], ["x]", [["k", "v"]]]]}],
  ["[] is not a header (before any header: MissingSectionHeaderError)", 'poms', true, "[]\nk=v\n",
    {"ok": false, "error": "MissingSectionHeaderError", "line": 1}],
  ["[]] is a section named ]", 'poms', true, "[]]\nk=v\n",
    {"ok": true, "defaults": [], "sections": [["]", [["k", "v"]]]]}],
  ["an unclosed [ is an option line or an error", 'poms', true, "[s]\n[a=b\n[c\n",
    {"ok": false, "error": "ParsingError", "line": 3, "lines": [3]}],
  ["an indented header after a header is still a header", 'poms', true, "[s]\n  [t]\nk=v\n",
    {"ok": true, "defaults": [], "sections": [["s", []], ["t", [["k", "v"]]]]}],
  ["# and ; full-line comments, indented too", 'poms', true, "# c\n; c\n[s]\n  # c\n\t; c\nk=v\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "v"]]]]}],
  ["inline comments are NOT stripped", 'poms', true, "[s]\nx = 1 # note\ny = 2 ; note\nz=#3\n",
    {"ok": true, "defaults": [], "sections": [["s", [["x", "1 # note"], ["y", "2 ; note"], ["z", "#3"]]]]}],
  ["continuation lines join with newline; indentation removed", 'poms', true, "[s]\nk = first\n\tsecond\n \t third\nnext = n\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "first\nsecond\nthird"], ["next", "n"]]]]}],
  ["continuation must be deeper than the key line", 'poms', true, "[s]\n  a = 1\n  b = 2\n    c = 3\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1"], ["b", "2\nc = 3"]]]]}],
  ["interior blank lines kept, trailing blank lines dropped", 'poms', true, "[s]\nk = a\n\n  b\n\n\n\nnext=1\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "a\n\nb"], ["next", "1"]]]]}],
  ["whitespace-only lines are blank lines", 'poms', true, "[s]\nk = a\n \t \n  b\n\u001c\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "a\n\nb"]]]]}],
  ["a full-line comment inside a value is skipped and does not end it", 'poms', true, "[s]\nk = a\n# not part of it\n  b\n    ; nor this\n  c\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "a\nb\nc"]]]]}],
  ["empty first line: value starts with a newline", 'poms', true, "[s]\nk =\n  x\n  y\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "\nx\ny"]]]]}],
  ["empty values", 'poms', true, "[s]\na =\nb=\nc :\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", ""], ["b", ""], ["c", ""]]]]}],
  ["% is kept verbatim (interpolation=None)", 'poms', true, "[s]\na = %(x)s %% % %(y\nb = 100%\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "%(x)s %% % %(y"], ["b", "100%"]]]]}],
  ["fife mode reads raw values too (interpolation happens on get)", 'fife', true, "[g]\na = %(x)s %% %\n",
    {"ok": true, "defaults": [], "sections": [["g", [["a", "%(x)s %% %"]]]]}],
  ["[DEFAULT] goes to the defaults", 'poms', true, "[DEFAULT]\nd = 1\n[s]\nk = v\n",
    {"ok": true, "defaults": [["d", "1"]], "sections": [["s", [["k", "v"]]]]}],
  ["[default] in lower case is an ordinary section", 'poms', true, "[default]\nd = 1\n",
    {"ok": true, "defaults": [], "sections": [["default", [["d", "1"]]]]}],
  ["two [DEFAULT] blocks merge (no DuplicateSectionError)", 'poms', true, "[DEFAULT]\nx=1\n[s]\nk=v\n[DEFAULT]\ny=2\n",
    {"ok": true, "defaults": [["x", "1"], ["y", "2"]], "sections": [["s", [["k", "v"]]]]}],
  ["a key repeated across two [DEFAULT] blocks is a DuplicateOptionError", 'poms', true, "[DEFAULT]\nx=1\n[DEFAULT]\nx=2\n",
    {"ok": false, "error": "DuplicateOptionError", "line": 4}],
  ["a section may repeat a DEFAULT key", 'poms', true, "[DEFAULT]\nx=1\n[s]\nx=2\n",
    {"ok": true, "defaults": [["x", "1"]], "sections": [["s", [["x", "2"]]]]}],
  ["text before any header: MissingSectionHeaderError at its line", 'poms', true, "\n# comment\nk = v\n[s]\n",
    {"ok": false, "error": "MissingSectionHeaderError", "line": 3}],
  ["only comments and blank lines is an empty file, not an error", 'poms', true, "# a\n\n; b\n   \n",
    {"ok": true, "defaults": [], "sections": []}],
  ["empty text", 'poms', true, "",
    {"ok": true, "defaults": [], "sections": []}],
  ["a BOM is text: the first header is not recognised", 'poms', true, "\ufeff[campaign]\nname = x\n",
    {"ok": false, "error": "MissingSectionHeaderError", "line": 1}],
  ["a BOM in a key line is part of the key", 'poms', true, "[s]\n\ufeffk = v\n",
    {"ok": true, "defaults": [], "sections": [["s", [["\ufeffk", "v"]]]]}],
  ["a line without a delimiter is a ParsingError", 'poms', true, "[s]\nk = v\ngarbage\n",
    {"ok": false, "error": "ParsingError", "line": 3, "lines": [3]}],
  ["all bad lines are collected (merge markers)", 'poms', true, "[s]\n<<<<<<< HEAD\nname = a\n=======\nname2 = b\n>>>>>>> branch\n",
    {"ok": false, "error": "ParsingError", "line": 2, "lines": [2, 4, 6]}],
  ["a bare = is a ParsingError (empty key)", 'poms', true, "[s]\n=\n",
    {"ok": false, "error": "ParsingError", "line": 2, "lines": [2]}],
  ["= value with no key is a ParsingError", 'poms', true, "[s]\n= value\n",
    {"ok": false, "error": "ParsingError", "line": 2, "lines": [2]}],
  ["two key-less lines: DuplicateOptionError on the second (raised at once)", 'poms', true, "[s]\n= a\n= b\n",
    {"ok": false, "error": "DuplicateOptionError", "line": 3}],
  ["after a bad line, deeper lines still continue the previous key (then ParsingError)", 'poms', true, "[s]\nk = 1\ngarbage\n  more\n",
    {"ok": false, "error": "ParsingError", "line": 3, "lines": [3]}],
  ["strict: duplicate key is DuplicateOptionError", 'poms', true, "[s]\nk = 1\nk = 2\n",
    {"ok": false, "error": "DuplicateOptionError", "line": 3}],
  ["strict: duplicate key after lower-casing", 'poms', true, "[s]\ncs_split_type = None\nCS_SPLIT_TYPE = list\n",
    {"ok": false, "error": "DuplicateOptionError", "line": 3}],
  ["strict fife: keys differing in case are different", 'fife', true, "[s]\nN = 1\nn = 2\n",
    {"ok": true, "defaults": [], "sections": [["s", [["N", "1"], ["n", "2"]]]]}],
  ["strict: duplicate section is DuplicateSectionError", 'poms', true, "[s]\na=1\n[t]\n[s]\nb=2\n",
    {"ok": false, "error": "DuplicateSectionError", "line": 4}],
  ["non-strict: last value wins, first position kept", 'poms', false, "[s]\na = 1\nb = 2\na = 3\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "3"], ["b", "2"]]]]}],
  ["non-strict: a repeated section merges into the first", 'poms', false, "[s]\na=1\n[t]\nx=1\n[s]\na=2\nb=3\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "2"], ["b", "3"]]], ["t", [["x", "1"]]]]}],
  ["non-strict still raises ParsingError", 'poms', false, "[s]\nnot a pair\n",
    {"ok": false, "error": "ParsingError", "line": 2, "lines": [2]}],
  ["duplicate is raised before collected ParsingErrors", 'poms', true, "[s]\nbad line\nk=1\nk=2\n",
    {"ok": false, "error": "DuplicateOptionError", "line": 4}],
  ["POMS (read_string): a lone CR does not end a line", 'poms', true, "[s]\na = 1\rb = 2\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1\rb = 2"]]]]}],
  ["POMS: CRLF reads like LF", 'poms', true, "[s]\r\na = 1\r\n  more\r\n\r\nb = 2\r\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1\nmore"], ["b", "2"]]]]}],
  ["fife (file read): a lone CR ends a line", 'fife', true, "[s]\na = 1\rb = 2\r",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1"], ["b", "2"]]]]}],
  ["fife: CRLF", 'fife', true, "[s]\r\na = 1\r\nb = 2\r\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1"], ["b", "2"]]]]}],
  ["form feed, NEL and LINE SEPARATOR do not end lines", 'fife', true, "[s]\na = 1\fx\u0085y\u2028z\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "1\fx\u0085y\u2028z"]]]]}],
  ["Python strips NBSP, NEL and U+001C-U+001F, but not U+FEFF", 'poms', true, "[s]\na = \u00a0v\u0085\nb = \u001fw\u001e\nc = \ufeffu\ufeff\n",
    {"ok": true, "defaults": [], "sections": [["s", [["a", "v"], ["b", "w"], ["c", "\ufeffu\ufeff"]]]]}],
  ["tab indentation counts one character per tab", 'poms', true, "[s]\n\tk = 1\n \tcont\n\tnot_cont = 2\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "1\ncont"], ["not_cont", "2"]]]]}],
  ["a value can contain = and : and quotes", 'fife', true, "[submit]\nlines_4 = '+SingularityImage=\\\"/cvmfs/x:latest\\\"'\nc = \"has_avx==True\"\n",
    {"ok": true, "defaults": [], "sections": [["submit", [["lines_4", "'+SingularityImage=\\\"/cvmfs/x:latest\\\"'"], ["c", "\"has_avx==True\""]]]]}],
  ["key-less line with a quote: key up to the first =", 'fife', true, "[stage]\nlines_1 '+FERMIHTC_AutoRelease=True'\n",
    {"ok": true, "defaults": [], "sections": [["stage", [["lines_1 '+FERMIHTC_AutoRelease", "True'"]]]]}],
  ["commented-out header is a comment", 'poms', true, "[s]\nk=v\n#[dependencies x]\n#campaign_stage1 == cryoE\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "v"]]]]}],
  ["no trailing newline", 'poms', true, "[s]\nk = v",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "v"]]]]}],
  ["a continuation line that looks like a header stays in the value", 'poms', true, "[s]\nk = 1\n  [t]\nj = 2\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "1\n[t]"], ["j", "2"]]]]}],
  ["JSON over several TAB+space indented lines (Mu2e ProjPy)", 'poms', true, "[campaign_defaults]\ncampaign_keywords={\"desc\": \"override_me\",\n\t\t   \"dsconf\": \"override_me\"}\nparam_overrides = [[\"-Oglobal.a=\", \"1\"],\n\t\t   \n\t\t   [\"-Oglobal.b=\", \"2\"]]\n#[\"-Osubmit.f_2=\", \"x\"]\n",
    {"ok": true, "defaults": [], "sections": [["campaign_defaults", [["campaign_keywords", "{\"desc\": \"override_me\",\n\"dsconf\": \"override_me\"}"], ["param_overrides", "[[\"-Oglobal.a=\", \"1\"],\n\n[\"-Oglobal.b=\", \"2\"]]"]]]]}],
  ["Unicode keys lower-case like Python 3.11", 'poms', true, "[s]\n\u00c0\u00c9\u00ce = 1\n\u03a3\u0391\u03a3 = 2\n\u0130 = 3\n\u1c89x = 4\n",
    {"ok": true, "defaults": [], "sections": [["s", [["\u00e0\u00e9\u00ee", "1"], ["\u03c3\u03b1\u03c2", "2"], ["i\u0307", "3"], ["\u1c89x", "4"]]]]}],
  ["a comment before a continuation does not end the value; blank after does not either", 'poms', true, "[s]\nk = a\n\n# c\n\n  b\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "a\n\n\nb"]]]]}],
  ["the key of a valueless line after a header is not a continuation", 'poms', true, "[s]\n    k = 1\n[t]\n  j = 2\n    cont\n",
    {"ok": true, "defaults": [], "sections": [["s", [["k", "1"]]], ["t", [["j", "2\ncont"]]]]}],

]

describe('parseIni matches Python 3.11 configparser', () => {
  it.each(PYTHON_VERIFIED)('%s', (_what, mode, strict, text, python) => {
    expect(ourOutcome(text, mode, strict)).toEqual(python)
  })
})

function syntaxError(text: string, opts = POMS_OPTIONS): IniSyntaxError {
  try {
    parseIni(text, opts)
  } catch (error) {
    if (error instanceof IniSyntaxError) return error
    throw error
  }
  throw new Error('expected an IniSyntaxError')
}

describe('errors say where and what', () => {
  it('duplicate key: line, column, the key as stored, the section and the first line', () => {
    const e = syntaxError('[campaign_defaults]\n  cs_split_type=None\n  CS_SPLIT_TYPE = nfiles(5000)\n')
    expect(e.code).toBe('DUPLICATE_OPTION')
    expect([e.line, e.column]).toEqual([3, 3])
    expect(e.message).toBe("line 3: duplicate key 'cs_split_type' in section [campaign_defaults] (first at line 2)")
    expect(e.problems).toEqual([expect.objectContaining({ code: 'DUPLICATE_OPTION', line: 3, section: 'campaign_defaults', key: 'cs_split_type' })])
  })

  it('duplicate section', () => {
    const e = syntaxError('[job_output_4]\na=1\n[x]\n[job_output_4]\n', FIFE_OPTIONS)
    expect([e.code, e.line, e.column]).toEqual(['DUPLICATE_SECTION', 4, 1])
    expect(e.message).toBe('line 4: duplicate section [job_output_4] (first at line 1)')
  })

  it('ParsingError: the first bad line gives the position, every bad line is listed', () => {
    const e = syntaxError('[campaign]\nname = a\n<<<<<<< HEAD\nname2 = b\n=======\n[s]\n  >>>>>>> x\n')
    expect([e.code, e.line, e.column]).toEqual(['PARSING_ERROR', 3, 1])
    // python3: ParsingError.errors lines == [3, 5, 7]
    expect(e.problems.map((p) => [p.line, p.column])).toEqual([[3, 1], [5, 1], [7, 3]])
    expect(e.message).toContain('3 lines could not be parsed')
    expect(e.message).toContain("line 3: '<<<<<<< HEAD'")
    expect(e.message).toContain("line 5: '======='")
  })

  it('a key-less line says so and points at the delimiter', () => {
    const e = syntaxError('[s]\n  = value\n')

    expect([e.code, e.line, e.column]).toEqual(['PARSING_ERROR', 2, 3])
    expect(e.message).toBe("line 2: '= value' has no key before '='")
  })

  it('text before the first header; a leading byte-order mark is named as the cause', () => {
    expect(syntaxError('name = x\n[campaign]\n').message).toBe("line 1: 'name = x' comes before any [section] header")
    const bom = syntaxError('\ufeff[campaign]\nname = x\n')
    expect([bom.code, bom.line, bom.column]).toEqual(['MISSING_SECTION_HEADER', 1, 1])
    expect(bom.message).toMatch(/byte-order mark/)
  })

  it('long lines are shortened in messages', () => {
    const e = syntaxError(`[s]\n${'x'.repeat(200)}\n`)
    expect(e.message.length).toBeLessThan(160)
  })
})

describe('entries keep their positions', () => {
  const doc = parseIni('# top\n[s]\nKey = value\n\tmore\n\n  ; note\nempty =\n[t]\n  k:v\n', POMS_OPTIONS)
  const [key, empty] = doc.sections[0]!.entries

  it('key as stored, as written, and the value column', () => {
    expect(key).toEqual({ key: 'key', rawKey: 'Key', value: 'value\nmore', line: 3, valueColumn: 7, endLine: 4 })
    expect(empty).toEqual({ key: 'empty', rawKey: 'empty', value: '', line: 7, valueColumn: 8, endLine: 7 })
    expect(doc.sections[1]!.entries[0]).toMatchObject({ key: 'k', line: 9, valueColumn: 5 })
  })

  it('sections and full-line comments with their lines', () => {
    expect(doc.sections.map((s) => [s.name, s.line])).toEqual([['s', 2], ['t', 8]])
    expect(doc.comments).toEqual([{ line: 1, text: '# top' }, { line: 6, text: '; note' }])
    expect(doc.defaults).toBeNull()
  })

  it('endLine does not count trailing blank lines', () => {
    const d = parseIni('[s]\nk = a\n  b\n\n\nj = 1\n', POMS_OPTIONS)
    expect(d.sections[0]!.entries[0]).toMatchObject({ line: 2, endLine: 3 })
  })

  it('line numbers follow the line-ending mode (a lone CR is a line break only when reading a file)', () => {
    const text = '[s]\ra = 1\n[t]\nb = 2\n'
    // python3 read_string: sections s (empty: '\ra = 1' is text after the header's ']') and t
    expect(parseIni(text, POMS_OPTIONS).sections.map((s) => [s.name, s.line, s.entries.length])).toEqual([['s', 1, 0], ['t', 2, 1]])
    expect(parseIni(text, FIFE_OPTIONS).sections.map((s) => [s.name, s.line, s.entries.length])).toEqual([['s', 1, 1], ['t', 3, 1]])
    expect(parseIni('[a]\r\nk=1\r\n[b]\r\n', { ...FIFE_OPTIONS }).sections[1]!.line).toBe(3)
  })

  it('lineEndings defaults to read_string (lf)', () => {
    expect(getValue(parseIni('[s]\na = 1\rb = 2\n', { lowercaseKeys: true, strict: true }), 's', 'a')).toBe('1\rb = 2')
  })
})

describe('parseIniLenient never throws and reports everything', () => {
  it('keeps what it can, skips bad lines, keeps the last duplicate in the first place', () => {
    const text = 'stray\n[s]\na = 1\n<<<<<<< HEAD\nb = 2\na = 3\n[s]\nc = 4\n= x\n  not_a_continuation = 5\n'
    const { document, problems } = parseIniLenient(text, POMS_OPTIONS)
    expect(document.sections.map((s) => [s.name, s.entries.map((e) => [e.key, e.value])])).toEqual([
      ['s', [['a', '3'], ['b', '2'], ['c', '4'], ['not_a_continuation', '5']]],
    ])
    expect(problems.map((p) => [p.code, p.line])).toEqual([
      ['MISSING_SECTION_HEADER', 1],
      ['PARSING_ERROR', 4],
      ['DUPLICATE_OPTION', 6],
      ['DUPLICATE_SECTION', 7],
      ['PARSING_ERROR', 9],
    ])
    expect(document.sections[0]!.entries[0]).toMatchObject({ key: 'a', line: 6 })
  })

  it('a valid file has no problems and the same document as parseIni', () => {
    const text = '[DEFAULT]\nd = 1\n[s]\nk = v\n  w\n'
    expect(parseIniLenient(text, POMS_OPTIONS)).toEqual({ document: parseIni(text, POMS_OPTIONS), problems: [] })
  })

  it('reports duplicates even when strict is off (Python strict=False would keep quiet)', () => {
    const { document, problems } = parseIniLenient('[s]\nk = 1\nk = 2\n', { ...POMS_OPTIONS, strict: false })
    expect(getValue(document, 's', 'k')).toBe('2')
    expect(problems).toEqual([expect.objectContaining({ code: 'DUPLICATE_OPTION', line: 3, section: 's', key: 'k' })])
  })
})

describe('getValue and sectionItems (Python items(), verified with python3)', () => {
  const doc = parseIni('[DEFAULT]\na = 1\nb = 2\n[s]\nc = 3\nB = 4\n', POMS_OPTIONS)

  it("items(section): DEFAULT's keys first; an overridden default keeps its place with the section's value", () => {
    // python3: cp.items('s', raw=True) == [('a', '1'), ('b', '4'), ('c', '3')]
    expect(sectionItems(doc, 's')!.map((i) => [i.key, i.value, i.fromDefaults])).toEqual([
      ['a', '1', true],
      ['b', '4', false],
      ['c', '3', false],
    ])
  })

  it("items('DEFAULT') is the defaults; a missing section is null (Python: NoSectionError)", () => {
    // python3: cp.items('DEFAULT', raw=True) == [('a', '1'), ('b', '2')]
    expect(sectionItems(doc, 'DEFAULT')!.map((i) => [i.key, i.value])).toEqual([['a', '1'], ['b', '2']])
    expect(sectionItems(doc, 'nope')).toBeNull()
    // python3: items('DEFAULT') on a file without [DEFAULT] == []
    expect(sectionItems(parseIni('[s]\nc = 3\n', POMS_OPTIONS), 'DEFAULT')).toEqual([])
  })

  it('getValue falls back to [DEFAULT]', () => {
    expect(getValue(doc, 's', 'a')).toBe('1')
    expect(getValue(doc, 's', 'b')).toBe('4')
    expect(getValue(doc, 'DEFAULT', 'b')).toBe('2')
    expect(getValue(doc, 's', 'missing')).toBeUndefined()
    expect(getValue(doc, 'nope', 'a')).toBeUndefined()
  })

  it('items point at the entry that supplied the value', () => {
    const items = sectionItems(doc, 's')!
    expect(items[0]!.entry).toBe(doc.defaults!.entries[0])
    expect(items[1]!.entry).toBe(doc.sections[0]!.entries[1])
  })
})
