import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SubstitutionError } from '../../shared/domain/launch-params'
import { substituteShell } from '../../shared/domain/shell-substitution'

const dir = mkdtempSync(join(tmpdir(), 'poms-shell-'))
const marker = join(dir, 'owned.txt')

/** Runs the substituted script in a real bash and returns what it printed. */
const bash = (script: string): string => execFileSync('/bin/bash', ['-c', script], { encoding: 'utf8', cwd: dir })

/** Each template prints the value once; `trailing` is what the construct adds (a here-document's newline). */
const CONTEXTS: { name: string; template: string; prefix?: string; trailing?: string }[] = [
  { name: 'unquoted word', template: "printf '%%s' %(v)s" },
  { name: 'glued to a flag', template: "printf '%%s' --dataset=%(v)s", prefix: '--dataset=' },
  { name: "inside '…'", template: "printf '%%s' '%(v)s'" },
  { name: 'inside "…"', template: `printf '%%s' "%(v)s"` },
  { name: 'inside $( ) in "…"', template: `printf '%%s' "$(printf '%%s' %(v)s)"` },
  { name: '"…" inside $( ) inside "…"', template: `printf '%%s' "x$( (cd /; printf '%%s' "%(v)s") )"`, prefix: 'x' },
  { name: 'unquoted here-document', template: 'cat <<EOF\n%(v)s\nEOF', trailing: '\n' },
  { name: 'quoted here-document', template: "cat <<'EOF'\n%(v)s\nEOF", trailing: '\n' },
]

const HOSTILE = [
  `$(touch ${marker})`,
  `'; touch ${marker}; '`,
  `"; touch ${marker}; "`,
  '`touch ' + marker + '`',
  `\\"; touch ${marker}; #`,
  `$HOME \${PATH} $$ *`,
  "it's a \"test\" \\ with \\\\ backslashes",
  'line one\nline two',
  '',
]

describe('substituteShell: values never become code', () => {
  for (const ctx of CONTEXTS) {
    it.each(HOSTILE)(`${ctx.name}: %j stays data`, (value) => {
      const out = bash(substituteShell(ctx.template, { v: value }))
      expect(out).toBe(`${ctx.prefix ?? ''}${value}${ctx.trailing ?? ''}`)
      expect(existsSync(marker)).toBe(false)
    })
  }

  it('holds for arbitrary values in every context (property, real bash)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 40 }).filter((v) => !v.includes('\0') && !v.split('\n').includes('EOF')),
        fc.constantFrom(...CONTEXTS),
        (value, ctx) => {
          const out = bash(substituteShell(ctx.template, { v: value }))
          return out === `${ctx.prefix ?? ''}${value}${ctx.trailing ?? ''}` && !existsSync(marker)
        },
      ),
      { numRuns: 300, seed: 20261129 },
    )
  })

  it('leaves the author’s own shell code alone', () => {
    const script = substituteShell('X=1; export Y="$X-%(v)s"; for i in a b; do echo "$i$Y"; done', { v: 'd s' })
    expect(bash(script)).toBe('a1-d s\nb1-d s\n')
  })

  it('writes %% as a literal %', () => {
    expect(bash(substituteShell("date -d @0 -u +%%Y; printf '%%s' %(v)s", { v: 'ok' }))).toBe('1970\nok')
  })

  it('refuses a value that would end a here-document early', () => {
    expect(() => substituteShell('cat <<EOF\n%(v)s\nEOF', { v: `x\nEOF\ntouch ${marker}` })).toThrow(/would end the here-document/)
  })

  it('refuses a NUL byte, which no shell can carry', () => {
    expect(() => substituteShell('echo %(v)s', { v: 'a\0b' })).toThrow(/NUL/)
  })

  it('allows only plain values inside ${…}, whose words follow their own quoting rules', () => {
    expect(() => substituteShell('echo "${UNSET_VAR:-%(v)s}"', { v: "it's }" })).toThrow(/cannot be quoted safely inside \$\{…\}/)
    expect(bash(substituteShell('echo "${UNSET_VAR:-%(v)s}"', { v: 'v1_2' }))).toBe('v1_2\n')
  })

  it('refuses unsafe values inside backquotes but allows plain ones', () => {
    expect(() => substituteShell('echo `echo %(v)s`', { v: '$(id)' })).toThrow(SubstitutionError)
    expect(bash(substituteShell('echo `echo %(v)s`', { v: 'run_0001.root' }))).toBe('run_0001.root\n')
  })

  it('reports unknown names and stray % with their columns', () => {
    expect(() => substituteShell('echo %(nope)s', {})).toThrow(/unknown variable %\(nope\)s at column 6/)
    expect(() => substituteShell('date +%s', {})).toThrow(/lone % at column 7/)
  })
})
