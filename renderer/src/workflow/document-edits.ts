import type { CampaignDocument, DocDefaults, DocDependency, DocStage } from '../../../shared/domain/campaign-document'
import { Name } from '../../../shared/domain/common'
import { STAGE_DEFAULTS } from '../../../shared/domain/stage'
import { plainCopy as copy } from '../lib/clone'

/**
 * Every change the workflow editor makes to a campaign document, as pure functions: each takes a
 * document and returns a new one, never touching the old (so undo, diffing and "what did we send"
 * stay trivial, and all of it is testable without drawing a graph). Stages are named; dependencies
 * and layout follow a stage through renames and disappear with it.
 */

export interface Position {
  x: number
  y: number
}

/** The file pattern a new dependency starts with: every file the producing stage made. */
export const DEFAULT_FILE_PATTERN = '%'

/** Horizontal and vertical distance between stages placed without auto-layout. */
export const STAGE_SPACING = { x: 280, y: 120 }

/** Why `name` cannot name a new stage (or `renaming`'s new name), or null when it can. */
export function stageNameProblem(doc: CampaignDocument, name: string, renaming?: string): string | null {
  const parsed = Name.safeParse(name)
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'not a valid name'
  const trimmed = parsed.data
  if (trimmed !== renaming && doc.stages.some((stage) => stage.name === trimmed)) return `a stage named ${trimmed} already exists`
  return null
}

/** `base`, or `base2`, `base3`… : the first that no stage has. */
export function uniqueStageName(doc: CampaignDocument, base = 'stage'): string {
  const taken = new Set(doc.stages.map((stage) => stage.name))
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) if (!taken.has(`${base}${n}`)) return `${base}${n}`
}

/** Settings POMS's editor infers from the stages when a campaign has no default for them (§9.3). */
const INFERRED_SETTINGS = [
  'jobType',
  'loginSetup',
  'softwareVersion',
  'voRole',
  'completionType',
  'completionPct',
  'stageType',
  'outputAncestorDepth',
  'defaultClearCronjob',
  'mergeOverrides',
] as const satisfies readonly (keyof DocStage)[]

/** For each setting the campaign leaves unset, the value most of its stages use (ties: the first seen). */
export function inferredDefaults(doc: CampaignDocument): Partial<Pick<DocStage, (typeof INFERRED_SETTINGS)[number]>> {
  const inferred: Record<string, unknown> = {}
  for (const key of INFERRED_SETTINGS) {
    if (doc.defaults[key] !== undefined) continue
    const counts = new Map<string, { value: unknown; count: number }>()
    for (const stage of doc.stages) {
      const value = stage[key]
      if (value === null || value === undefined) continue
      const id = JSON.stringify(value)
      const entry = counts.get(id) ?? { value, count: 0 }
      entry.count++
      counts.set(id, entry)
    }
    let best: { value: unknown; count: number } | undefined
    for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry
    if (best) inferred[key] = best.value
  }
  return inferred
}

/**
 * A new stage: the schema's defaults, overlaid with what its siblings mostly use where the campaign
 * sets no default, then with the campaign's defaults. The job type and login setup stay unset when
 * the campaign has defaults for them, so the stage follows the campaign's (POMS's "(default)").
 */
export function newStage(doc: CampaignDocument, name: string): DocStage {
  const { jobTypeId: _jobTypeId, loginSetupId: _loginSetupId, ...settings } = STAGE_DEFAULTS
  const { jobType: _jobType, loginSetup: _loginSetup, ...inherited } = doc.defaults
  const inferred = inferredDefaults(doc)
  return {
    name,
    ...settings,
    paramOverrides: [],
    testParamOverrides: [],
    ...copy(inferred),
    ...copy(inherited),
    jobType: inferred.jobType ?? null,
    loginSetup: inferred.loginSetup ?? null,
  }
}

/** Where a stage without a stored position goes: right of the rightmost stage, or right of `after`. */
export function placeNewStage(doc: CampaignDocument, after?: string): Position {
  const positions = Object.values(doc.layout)
  const anchor = after !== undefined ? doc.layout[after] : undefined
  if (anchor) {
    let candidate = { x: anchor.x + STAGE_SPACING.x, y: anchor.y }
    while (positions.some((p) => Math.abs(p.x - candidate.x) < STAGE_SPACING.x / 2 && Math.abs(p.y - candidate.y) < STAGE_SPACING.y / 2)) {
      candidate = { x: candidate.x, y: candidate.y + STAGE_SPACING.y }
    }
    return candidate
  }
  if (positions.length === 0) return { x: 0, y: 0 }
  return { x: Math.max(...positions.map((p) => p.x)) + STAGE_SPACING.x, y: Math.min(...positions.map((p) => p.y)) }
}

/** Adds a stage named `name` at `position`; with `dependsOn`, also the dependency from that stage. */
export function addStage(doc: CampaignDocument, name: string, options: { position?: Position; dependsOn?: string } = {}): CampaignDocument {
  const problem = stageNameProblem(doc, name)
  if (problem) throw new Error(problem)
  const trimmed = name.trim()
  const position = options.position ?? placeNewStage(doc, options.dependsOn)
  let next: CampaignDocument = {
    ...doc,
    stages: [...doc.stages, newStage(doc, trimmed)],
    layout: { ...doc.layout, [trimmed]: roundPosition(position) },
  }
  if (options.dependsOn !== undefined && hasStage(doc, options.dependsOn)) next = addDependency(next, options.dependsOn, trimmed)
  return next
}

/** Renames a stage; its dependencies and its position follow it, and its stored id is kept. */
export function renameStage(doc: CampaignDocument, from: string, to: string): CampaignDocument {
  const trimmed = to.trim()
  if (trimmed === from) return doc
  if (!hasStage(doc, from)) throw new Error(`no stage named ${from}`)
  const problem = stageNameProblem(doc, trimmed, from)
  if (problem) throw new Error(problem)
  const rename = (name: string) => (name === from ? trimmed : name)
  const layout: CampaignDocument['layout'] = {}
  for (const [name, position] of Object.entries(doc.layout)) layout[rename(name)] = position
  return {
    ...doc,
    stages: doc.stages.map((stage) => (stage.name === from ? { ...stage, name: trimmed } : stage)),
    dependencies: doc.dependencies.map((dep) => ({ ...dep, from: rename(dep.from), to: rename(dep.to) })),
    layout,
  }
}

/** Removes stages with every dependency into or out of them and their stored positions. */
export function removeStages(doc: CampaignDocument, names: readonly string[]): CampaignDocument {
  if (names.length === 0) return doc
  const gone = new Set(names)
  const layout = Object.fromEntries(Object.entries(doc.layout).filter(([name]) => !gone.has(name)))
  return {
    ...doc,
    stages: doc.stages.filter((stage) => !gone.has(stage.name)),
    dependencies: doc.dependencies.filter((dep) => !gone.has(dep.from) && !gone.has(dep.to)),
    layout,
  }
}

/** Changes a stage's settings (not its name: see renameStage). */
export function updateStage(doc: CampaignDocument, name: string, patch: Partial<Omit<DocStage, 'name' | 'id'>>): CampaignDocument {
  if (!hasStage(doc, name)) throw new Error(`no stage named ${name}`)
  return { ...doc, stages: doc.stages.map((stage) => (stage.name === name ? { ...stage, ...copy(patch) } : stage)) }
}

/** Why `from → to` cannot be drawn, or null when it can. Cycles are allowed here and reported as problems. */
export function connectionProblem(doc: CampaignDocument, from: string, to: string): string | null {
  if (!hasStage(doc, from)) return `no stage named ${from}`
  if (!hasStage(doc, to)) return `no stage named ${to}`
  if (from === to) return 'a stage cannot depend on itself'
  if (doc.dependencies.some((dep) => dep.from === from && dep.to === to)) return `${to} already depends on ${from}`
  return null
}

/** Makes `to` depend on the outputs of `from` that match `filePatterns`. */
export function addDependency(doc: CampaignDocument, from: string, to: string, filePatterns = DEFAULT_FILE_PATTERN): CampaignDocument {
  const problem = connectionProblem(doc, from, to)
  if (problem) throw new Error(problem)
  return { ...doc, dependencies: [...doc.dependencies, { from, to, filePatterns }] }
}

export function removeDependencies(doc: CampaignDocument, indexes: readonly number[]): CampaignDocument {
  if (indexes.length === 0) return doc
  const gone = new Set(indexes)
  return { ...doc, dependencies: doc.dependencies.filter((_, index) => !gone.has(index)) }
}

export function setDependencyPatterns(doc: CampaignDocument, index: number, filePatterns: string): CampaignDocument {
  if (!doc.dependencies[index]) throw new Error(`no dependency ${index}`)
  return {
    ...doc,
    dependencies: doc.dependencies.map((dep, i): DocDependency => (i === index ? { ...dep, filePatterns } : dep)),
  }
}

/** Stores where stages were dropped (whole pixels: nobody sees fractions, every diff would). */
export function setPositions(doc: CampaignDocument, positions: Readonly<Record<string, Position>>): CampaignDocument {
  const layout = { ...doc.layout }
  let changed = false
  for (const [name, position] of Object.entries(positions)) {
    if (!hasStage(doc, name)) continue
    const rounded = roundPosition(position)
    const old = layout[name]
    if (old && old.x === rounded.x && old.y === rounded.y) continue
    layout[name] = rounded
    changed = true
  }
  return changed ? { ...doc, layout } : doc
}

/** Replaces the campaign defaults; unset (undefined) keys are dropped rather than stored. */
export function setDefaults(doc: CampaignDocument, defaults: DocDefaults): CampaignDocument {
  const cleaned = Object.fromEntries(Object.entries(defaults).filter(([, value]) => value !== undefined)) as DocDefaults
  return { ...doc, defaults: copy(cleaned) }
}

export function setKeywords(doc: CampaignDocument, keywords: Readonly<Record<string, string>>): CampaignDocument {
  return { ...doc, keywords: { ...keywords } }
}

export const hasStage = (doc: CampaignDocument, name: string): boolean => doc.stages.some((stage) => stage.name === name)

export const stageIndex = (doc: CampaignDocument, name: string): number => doc.stages.findIndex((stage) => stage.name === name)

/** The dependencies touching any of `names`, by index: what deleting those stages also deletes. */
export function dependenciesOf(doc: CampaignDocument, names: readonly string[]): number[] {
  const set = new Set(names)
  return doc.dependencies.flatMap((dep, index) => (set.has(dep.from) || set.has(dep.to) ? [index] : []))
}

const roundPosition = ({ x, y }: Position): Position => ({ x: Math.round(x), y: Math.round(y) })

