/**
 * The ways a fife_launch cfg silently does something other than what it says (campaign-ini-syntax.md
 * §2 and §3 "fife_launch cfg"), each pointed at a line with what fife_launch would actually do.
 */
import { DEFAULT_SECTION } from '../ini/configparser'
import type { IniEntry, IniProblem } from '../ini/ini-document'
import { firstNonSpace, isPySpace, pyStrip } from '../ini/python-text'
import type { FifeConfigAnalysis, FifeTrap } from './fife-config'
import { beforeSetError, findReferences, findSyntaxError } from './fife-interpolation'
import { createFifeResolver, FIFE_PRESET_GLOBALS } from './fife-resolve'
import { type FifeSectionKind, isShellCommand, isUnquotedOnCommandLine, sectionRole } from './fife-sections'

/** Sections fife_launch reads with `cfg.get(section, key, vars=[global])`. */
const READ_WITH_GLOBAL_VARS = new Set<FifeSectionKind>(['env_pass', 'submit', 'job_setup', 'sam_consumer', 'data_dispatcher', 'job_output', 'executable', 'prelaunch'])
/** Sections that always exist for fife_launch (it adds them when missing). */
const ALWAYS_PRESENT = new Set(['global', 'submit', 'executable'])

interface EntryContext {
  section: string
  kind: FifeSectionKind
  entry: IniEntry
  /** Where the value takes effect: itself, or for a stage key `t.k` the target. Null for a non-dotted stage key. */
  effective: { kind: FifeSectionKind; section: string; key: string } | null
}

export function findTraps(
  analysis: FifeConfigAnalysis,
  lines: string[],
  parseProblems: IniProblem[],
): { traps: FifeTrap[]; externalVariables: string[] } {
  const doc = analysis.document
  const present = new Set(doc.sections.map((s) => s.name))
  const roleOf = (name: string): FifeSectionKind => (name === DEFAULT_SECTION ? 'defaults' : sectionRole(name, present).kind)
  const traps: FifeTrap[] = []
  const add = (trap: FifeTrap): void => void traps.push(trap)

  for (const p of parseProblems) {
    add({ code: p.code, message: p.message, line: p.line, column: p.column, section: p.section ?? null, key: p.key ?? null, severity: 'error' })
  }

  const globalSection = doc.sections.find((s) => s.name === 'global')
  const globalValues = new Map<string, string>([
    ...(doc.defaults?.entries ?? []).map((e) => [e.key, e.value] as const),
    ...(globalSection?.entries ?? []).map((e) => [e.key, e.value] as const),
    ...FIFE_PRESET_GLOBALS,
  ])
  const stageGlobals = new Map<string, string[]>()
  for (const stage of analysis.stages) {
    for (const o of stage.overlays) if (o.target?.section === 'global') stageGlobals.set(o.target.key, [...(stageGlobals.get(o.target.key) ?? []), stage.section])
  }
  const hasStages = analysis.stages.length > 0

  const contexts: EntryContext[] = []
  for (const section of [...(doc.defaults ? [doc.defaults] : []), ...doc.sections]) {
    const kind = roleOf(section.name)
    for (const entry of section.entries) {
      let effective: EntryContext['effective'] = { kind, section: section.name, key: entry.key }
      if (kind === 'stage' && entry.key !== 'parent') {
        const dot = entry.key.indexOf('.')
        effective = dot < 0 ? null : { kind: roleOf(entry.key.slice(0, dot)), section: entry.key.slice(0, dot), key: entry.key.slice(dot + 1) }
      }
      contexts.push({ section: section.name, kind, entry, effective })
    }
  }

  headerTraps(analysis, lines, add)
  const external = new Set<string>()
  for (const ctx of contexts) {
    const at = { line: ctx.entry.line, section: ctx.section, key: ctx.entry.key }
    const unused = ctx.kind === 'unused'
    keylessTrap(ctx, lines, unused, add)
    if (!unused) inlineCommentTrap(ctx, add)
    if (!unused) placeholderTrap(ctx, add)
    if (ctx.entry.value.startsWith('=')) {
      add({
        ...at,
        code: 'DOUBLED_DELIMITER',
        column: ctx.entry.valueColumn,
        severity: 'warning',
        message: `line ${at.line}: the line has two delimiters ('=='), so the value of '${ctx.entry.key}' is ${clip(ctx.entry.value)}, starting with '='`,
      })
    }
    interpolationSyntaxTrap(ctx, unused, add)
    unresolvedTraps(ctx, doc, globalValues, stageGlobals, analysis.includes, external, add)
    shadowTrap(ctx, globalValues, add)
    stageKeyTraps(ctx, present, analysis.includes.length > 0, hasStages, add)
  }
  sectionTraps(analysis, add)
  stageParentTraps(analysis, present, add)
  argOrderTraps(analysis, add)
  depthTraps(analysis, contexts, [...external], add)

  traps.sort((a, b) => a.line - b.line || a.column - b.column)
  return { traps, externalVariables: [...external].sort() }
}

type Add = (trap: FifeTrap) => void

function headerTraps(analysis: FifeConfigAnalysis, lines: string[], add: Add): void {
  const doc = analysis.document
  for (const section of [...(doc.defaults ? [doc.defaults] : []), ...doc.sections]) {
    const header = pyStrip(lines[section.line - 1] ?? '')
    const close = header.lastIndexOf(']')
    const trailing = header.slice(close + 1)
    const base = { line: section.line, section: section.name, key: null, severity: 'warning' as const }
    if (pyStrip(trailing) !== '') {
      add({
        ...base,
        code: 'HEADER_TRAILING_TEXT',
        column: (lines[section.line - 1] ?? '').indexOf(trailing) + 1,
        message: `line ${section.line}: the text after ']' (${clip(pyStrip(trailing))}) is ignored; the section [${section.name}] and its keys are still read`,
      })
    }
    if (section.name.includes(']')) {
      add({
        ...base,
        code: 'HEADER_TRAILING_TEXT',
        column: 1,
        message: `line ${section.line}: configparser reads a header up to its LAST ']', so this section is named '${section.name}'`,
      })
    }
  }
}

function keylessTrap(ctx: EntryContext, lines: string[], unused: boolean, add: Add): void {
  const rawKey = ctx.entry.rawKey
  const gap = [...rawKey].findIndex((c) => isPySpace(c) || c === "'" || c === '"')
  if (gap < 0) return
  const line = pyStrip(lines[ctx.entry.line - 1] ?? '')
  const fixed = `${rawKey.slice(0, gap).trimEnd()} = ${line.slice(gap).trimStart()}`
  add({
    code: 'KEYLESS_LINE',
    line: ctx.entry.line,
    column: firstNonSpace(lines[ctx.entry.line - 1] ?? '') + 1,
    section: ctx.section,
    key: ctx.entry.key,
    severity: unused ? 'warning' : 'error',
    message:
      `line ${ctx.entry.line}: configparser splits at the first '=' or ':', so this is key ${clip(ctx.entry.key)} with value ${clip(ctx.entry.value)}` +
      (/^[A-Za-z0-9_.-]+$/.test(rawKey.slice(0, gap)) ? `; did you mean ${clip(fixed)}?` : ''),
  })
}

function inlineCommentTrap(ctx: EntryContext, add: Add): void {
  const value = ctx.entry.value
  const firstLine = value.split('\n')[0]!
  let at = -1
  for (let i = 1; i < value.length; i++) {
    if ((value[i] === '#' || value[i] === ';') && isPySpace(value[i - 1]!)) {
      at = i
      break
    }
  }
  if (at < 0 || !ctx.effective) return
  const { kind, key } = ctx.effective
  // In a shell command, ' #' and ' ;' mean what the author meant.
  if (isShellCommand(kind, key)) return
  const mark = value[at]!
  const before = pyStrip(value.slice(0, at))
  const base = {
    code: 'INLINE_COMMENT' as const,
    line: ctx.entry.line,
    column: at < firstLine.length ? ctx.entry.valueColumn + at : ctx.entry.valueColumn,
    section: ctx.section,
    key: ctx.entry.key,
  }
  const kept = `configparser keeps inline comments, so the value is ${clip(value)}`
  if (isUnquotedOnCommandLine(kind, key)) {
    add({
      ...base,
      severity: 'error',
      message:
        mark === '#'
          ? `line ${base.line}: ${kept}; on fife_launch's jobsub_submit command line the shell treats the rest of that line, including its ' \\' continuation, as a comment, so the options after it are lost`
          : `line ${base.line}: ${kept}; on fife_launch's jobsub_submit command line the shell ends the command at ';'`,
    })
  } else if (before === 'True') {
    add({ ...base, severity: 'error', message: `line ${base.line}: ${kept}; fife_launch passes a flag only for the exact value 'True', so this flag is silently not passed` })
  } else {
    add({ ...base, severity: 'warning', message: `line ${base.line}: ${kept} and fife_launch uses all of it` })
  }
}

function placeholderTrap(ctx: EntryContext, add: Add): void {
  const m = /override_me|@[A-Za-z][A-Za-z0-9_]*@/i.exec(ctx.entry.value)
  if (!m) return
  add({
    code: 'TEMPLATE_PLACEHOLDER',
    line: ctx.entry.line,
    column: ctx.entry.valueColumn + (m.index < ctx.entry.value.split('\n')[0]!.length ? m.index : 0),
    section: ctx.section,
    key: ctx.entry.key,
    severity: 'warning',
    message: `line ${ctx.entry.line}: ${clip(m[0])} is a template placeholder; it must be replaced (or overridden with -O${ctx.effective?.section ?? ctx.section}.${ctx.effective?.key ?? ctx.entry.key}=…) before launching`,
  })
}

function interpolationSyntaxTrap(ctx: EntryContext, unused: boolean, add: Add): void {
  const value = ctx.entry.value
  const stage = ctx.kind === 'stage'
  // Stage values go through cfg.set(), which validates with before_set; others fail when read.
  const problem = stage ? beforeSetProblem(value) : findSyntaxError(value)
  if (!problem) return
  add({
    code: 'BAD_INTERPOLATION',
    line: ctx.entry.line,
    column: ctx.entry.valueColumn + (problem.index < value.split('\n')[0]!.length ? problem.index : 0),
    section: ctx.section,
    key: ctx.entry.key,
    severity: unused ? 'warning' : 'error',
    message:
      `line ${ctx.entry.line}: ${problem.message}; ` +
      (unused
        ? 'fife_launch never reads this section, but the value is malformed'
        : stage
          ? `fife_launch fails with ValueError when --stage ${ctx.section.slice('stage_'.length)} is used (write a literal % as %%)`
          : ctx.kind === 'global' || ctx.kind === 'defaults'
            ? 'fife_launch expands all of [global] first, so it fails before launching anything (write a literal % as %%)'
            : 'fife_launch fails with InterpolationSyntaxError when it reads this value (write a literal % as %%)'),
  })
}

function beforeSetProblem(value: string): { index: number; message: string } | null {
  const message = beforeSetError(value)
  if (!message) return null
  return { index: findSyntaxError(value)?.index ?? 0, message }
}

function unresolvedTraps(
  ctx: EntryContext,
  doc: FifeConfigAnalysis['document'],
  globalValues: Map<string, string>,
  stageGlobals: Map<string, string[]>,
  includes: string[],
  external: Set<string>,
  add: Add,
): void {
  const ownSection = ctx.effective?.section ?? ctx.section
  const own = doc.sections.find((s) => s.name === ownSection)
  const firstLine = ctx.entry.value.split('\n')[0]!
  for (const ref of findReferences(ctx.entry.value)) {
    // `dataset = %(dataset)s` refers to itself unless [global] (or -O) supplies the name.
    const selfReference = ref.name === (ctx.effective?.key ?? ctx.entry.key)
    if (globalValues.has(ref.name) || (!selfReference && own?.entries.some((e) => e.key === ref.name))) continue
    external.add(ref.name)
    const setBy = stageGlobals.get(ref.name)
    add({
      code: 'UNRESOLVED_VARIABLE',
      line: ctx.entry.line,
      column: ctx.entry.valueColumn + (ref.index < firstLine.length ? ref.index : 0),
      section: ctx.section,
      key: ctx.entry.key,
      severity: 'warning',
      message:
        `line ${ctx.entry.line}: %(${ref.name})s is not defined in [global]; fife_launch fails unless it is given as -Oglobal.${ref.name}=… (POMS param_overrides)` +
        (setBy ? ` or set by ${setBy.map((s) => `[${s}]`).join(', ')}` : '') +
        (includes.length > 0 ? ` or defined by an included file (${includes.join(' ')})` : ''),
    })
  }
}

function shadowTrap(ctx: EntryContext, globalValues: Map<string, string>, add: Add): void {
  const eff = ctx.effective
  if (!eff || !READ_WITH_GLOBAL_VARS.has(eff.kind) || !globalValues.has(eff.key)) return
  // `dest = %(dest)s` asks for the global anyway: the usual, harmless pattern.
  if (ctx.entry.value === `%(${eff.key})s`) return
  const globalValue = globalValues.get(eff.key)!
  const same = globalValue === ctx.entry.value
  add({
    code: 'GLOBAL_SHADOWS_KEY',
    line: ctx.entry.line,
    column: 1,
    section: ctx.section,
    key: ctx.entry.key,
    severity: same ? 'warning' : 'error',
    message:
      `line ${ctx.entry.line}: [global] also has '${eff.key}', and fife_launch reads [${eff.section}] with [global] as vars, which take precedence: ` +
      (same ? 'both values are the same, so nothing changes yet' : `it uses ${clip(globalValue)}, not ${clip(ctx.entry.value)}`),
  })
}

function stageKeyTraps(ctx: EntryContext, present: Set<string>, hasIncludes: boolean, hasStages: boolean, add: Add): void {
  const key = ctx.entry.key
  const nonDottedDefault = ctx.kind === 'defaults' && hasStages && !key.includes('.') && key !== 'parent'
  if ((ctx.kind === 'stage' && key !== 'parent' && !key.includes('.')) || nonDottedDefault) {
    const suggestion = /^arg_\d+$/.test(key) ? ` (did you mean executable.${key}?)` : ''
    add({
      code: 'STAGE_KEY_NOT_DOTTED',
      line: ctx.entry.line,
      column: 1,
      section: ctx.section,
      key,
      severity: 'error',
      message: nonDottedDefault
        ? `line ${ctx.entry.line}: [DEFAULT] keys are copied into every [stage_*] section, and '${key}' has no 'section.' prefix, so every --stage fails with ValueError`
        : `line ${ctx.entry.line}: stage keys must be written section.key; fife_launch fails with ValueError when --stage ${ctx.section.slice('stage_'.length)} is used${suggestion}`,
    })
    return
  }
  if (ctx.kind !== 'stage' || !ctx.effective) return
  const target = ctx.effective.section
  if (target === '' || target === DEFAULT_SECTION || present.has(target) || ALWAYS_PRESENT.has(target)) return
  add({
    code: 'STAGE_TARGET_MISSING',
    line: ctx.entry.line,
    column: 1,
    section: ctx.section,
    key,
    severity: hasIncludes ? 'warning' : 'error',
    message:
      `line ${ctx.entry.line}: there is no [${target}] section, and fife_launch does not create one for a stage key: --stage ${ctx.section.slice('stage_'.length)} fails with NoSectionError` +
      (hasIncludes ? ' unless an included file defines it' : ''),
  })
}

function sectionTraps(analysis: FifeConfigAnalysis, add: Add): void {
  for (const s of analysis.sections) {
    const base = { line: s.line, column: 1, section: s.name, key: null, severity: 'warning' as const }
    if (s.role.kind === 'unused') add({ ...base, code: 'UNUSED_SECTION', message: `line ${s.line}: [${s.name}] is never read: ${s.role.why}` })
    if (s.role.kind === 'global_eval') add({ ...base, code: 'UNUSED_SECTION', message: `line ${s.line}: fife_launch evaluates [global_eval] values as Python; they cannot be previewed here` })
    if (s.role.kind === 'submit_dag') add({ ...base, code: 'UNUSED_SECTION', message: `line ${s.line}: fife_launch only prints 'submit_dag not yet implemented...' for [submit_dag]` })
  }
}

function stageParentTraps(analysis: FifeConfigAnalysis, present: Set<string>, add: Add): void {
  const byName = new Map(analysis.stages.map((s) => [s.name, s]))
  for (const stage of analysis.stages) {
    const parentLine = analysis.document.sections.find((s) => s.name === stage.section)?.entries.find((e) => e.key === 'parent')?.line ?? stage.line
    const base = { line: parentLine, column: 1, section: stage.section, key: 'parent' }
    for (const parent of stage.parents) {
      if (present.has(`stage_${parent}`)) continue
      const trimmed = present.has(`stage_${parent.trim()}`)
      add({
        ...base,
        code: 'STAGE_PARENT_MISSING',
        severity: 'warning',
        message: trimmed
          ? `line ${parentLine}: fife_launch splits parent on ',' without trimming, so it looks for [stage_${parent}] (with the space) and silently skips it`
          : `line ${parentLine}: there is no [stage_${parent}] section; fife_launch silently skips this parent`,
      })
    }
    const loop = findParentLoop(stage.name, byName, [])
    if (loop) {
      add({
        ...base,
        code: 'STAGE_PARENT_LOOP',
        severity: 'warning',
        message: `line ${parentLine}: stage parents loop (${loop.join(' → ')}); fife_launch recurses until Python's recursion limit, swallows the error and applies these stages hundreds of times`,
      })
    }
  }
}

function findParentLoop(name: string, byName: Map<string, FifeConfigAnalysis['stages'][number]>, path: string[]): string[] | null {
  if (path.includes(name)) return [...path, name]
  const stage = byName.get(name)
  if (!stage) return null
  for (const parent of stage.parents) {
    const loop = findParentLoop(parent, byName, [...path, name])
    if (loop) return loop
  }
  return null
}

function argOrderTraps(analysis: FifeConfigAnalysis, add: Add): void {
  for (const exe of analysis.executables) {
    const numbers = exe.args.map((a) => /^arg_(\d+)$/.exec(a.key)).map((m) => (m ? Number(m[1]) : Number.NaN))
    const outOfOrder = numbers.findIndex((n, i) => i > 0 && n < numbers[i - 1]!)
    if (outOfOrder < 0) continue
    const arg = exe.args[outOfOrder]!
    add({
      code: 'ARGS_OUT_OF_ORDER',
      line: arg.line,
      column: 1,
      section: exe.section,
      key: arg.key,
      severity: 'warning',
      message: `line ${arg.line}: fife_launch passes arguments in file order, not by number: ${exe.args.map((a) => a.key).join(', ')}`,
    })
  }
}

/** Reference loops: expand every value fife_launch reads, with placeholders for the external names. */
function depthTraps(analysis: FifeConfigAnalysis, contexts: EntryContext[], external: string[], add: Add): void {
  const resolver = createFifeResolver(analysis, Object.fromEntries(external.map((name) => [name, name])))
  const report = (section: string, key: string): void => {
    const entry = contexts.find((c) => c.section === section && c.entry.key === key)?.entry
    add({
      code: 'INTERPOLATION_DEPTH',
      line: entry?.line ?? 1,
      column: entry?.valueColumn ?? 1,
      section,
      key,
      severity: 'error',
      message: `line ${entry?.line ?? 1}: the %(…)s references in [${section}] ${key} nest more than 10 deep (a loop?); fife_launch fails with InterpolationDepthError`,
    })
  }
  if (resolver.setupError) {
    const e = resolver.setupError
    if (e.pythonError === 'InterpolationDepthError' && e.section && e.key) report(e.section, e.key)
    return
  }
  for (const ctx of contexts) {
    if (!READ_WITH_GLOBAL_VARS.has(ctx.kind)) continue
    const result = resolver.get(ctx.section, ctx.entry.key)
    if (!result.ok && result.error.pythonError === 'InterpolationDepthError') report(ctx.section, ctx.entry.key)
  }
}

function clip(text: string): string {
  const flat = text.replace(/\n/g, '\\n')
  return `'${flat.length > 70 ? `${flat.slice(0, 67)}...` : flat}'`
}
