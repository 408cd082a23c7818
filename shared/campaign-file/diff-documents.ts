/**
 * What changed between two versions of a campaign document: a structured list for review and
 * publishing, and side-by-side text lines for the diff view.
 */
import { diffLines } from 'diff'
import type { CampaignDocument, DocStage } from '../domain/campaign-document'
import { JOB_TYPE_FIELDS, LOGIN_SETUP_FIELDS, renderCampaignDocument, SETTING_FIELDS } from './render-document'

export interface DocumentChange {
  entity: 'campaign' | 'defaults' | 'stage' | 'dependency' | 'jobType' | 'loginSetup' | 'layout'
  /** The campaign, stage, job type or login setup name (the new one when renamed); `from → to` for a dependency. */
  name: string
  kind: 'added' | 'removed' | 'changed'
  /** The changed field (`splitType`, `keywords.run`); null when a whole entity was added or removed. */
  field: string | null
  /** null where there is no value (added, removed, or a field absent on that side). */
  before: unknown
  after: unknown
  /** Where the change is: in `after` for added/changed, in `before` for removed. */
  path: string
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const orNull = (v: unknown) => (v === undefined ? null : v)

/**
 * Changes in a fixed order: campaign, defaults, stages (in the new order, then removed ones),
 * dependencies, job types, login setups, layout. Stages are matched by id when both sides have
 * one, else by name, so a rename is a changed `name`, and dependencies and positions follow it.
 */
export function diffCampaignDocuments(before: CampaignDocument, after: CampaignDocument): DocumentChange[] {
  const changes: DocumentChange[] = []
  const push = (change: DocumentChange) => changes.push(change)

  const campaignField = (field: string, b: unknown, a: unknown) => {
    if (!same(b, a)) push({ entity: 'campaign', name: after.name, kind: 'changed', field, before: orNull(b), after: orNull(a), path: field })
  }
  campaignField('name', before.name, after.name)
  campaignField('campaignType', before.campaignType, after.campaignType)
  campaignField('active', before.active, after.active)
  campaignField('tags', before.tags, after.tags)
  for (const key of [...new Set([...Object.keys(before.keywords), ...Object.keys(after.keywords)])].sort()) {
    campaignField(`keywords.${key}`, before.keywords[key], after.keywords[key])
  }

  for (const field of SETTING_FIELDS) {
    const b = before.defaults[field]
    const a = after.defaults[field]
    if (same(b, a)) continue
    const kind = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed'
    push({ entity: 'defaults', name: after.name, kind, field, before: orNull(b), after: orNull(a), path: `defaults.${field}` })
  }

  const match = matchStages(before.stages, after.stages)
  const renamed = (name: string) => match.rename.get(name) ?? name
  after.stages.forEach((stage, ai) => {
    const bi = match.beforeIndexOf.get(ai)
    if (bi === undefined) {
      push({ entity: 'stage', name: stage.name, kind: 'added', field: null, before: null, after: stage, path: `stages.${ai}` })
      return
    }
    const old = before.stages[bi]!
    for (const field of ['name', ...SETTING_FIELDS] as const) {
      if (!same(old[field], stage[field])) {
        push({ entity: 'stage', name: stage.name, kind: 'changed', field, before: orNull(old[field]), after: orNull(stage[field]), path: `stages.${ai}.${field}` })
      }
    }
  })
  before.stages.forEach((stage, bi) => {
    if (!match.matchedBefore.has(bi)) push({ entity: 'stage', name: stage.name, kind: 'removed', field: null, before: stage, after: null, path: `stages.${bi}` })
  })

  const depKey = (from: string, to: string) => `${from}\u0000${to}`
  const oldDeps = new Map<string, number>()
  before.dependencies.forEach((d, i) => {
    const key = depKey(renamed(d.from), renamed(d.to))
    if (!oldDeps.has(key)) oldDeps.set(key, i)
  })
  const seenDeps = new Set<number>()
  after.dependencies.forEach((dep, ai) => {
    const name = `${dep.from} → ${dep.to}`
    const bi = oldDeps.get(depKey(dep.from, dep.to))
    if (bi === undefined || seenDeps.has(bi)) {
      push({ entity: 'dependency', name, kind: 'added', field: null, before: null, after: dep, path: `dependencies.${ai}` })
      return
    }
    seenDeps.add(bi)
    const old = before.dependencies[bi]!
    if (old.filePatterns !== dep.filePatterns) {
      push({ entity: 'dependency', name, kind: 'changed', field: 'filePatterns', before: old.filePatterns, after: dep.filePatterns, path: `dependencies.${ai}.filePatterns` })
    }
  })
  before.dependencies.forEach((dep, bi) => {
    if (!seenDeps.has(bi)) push({ entity: 'dependency', name: `${dep.from} → ${dep.to}`, kind: 'removed', field: null, before: dep, after: null, path: `dependencies.${bi}` })
  })

  diffNamed('jobType', 'jobTypes', before.jobTypes, after.jobTypes, JOB_TYPE_FIELDS, push)
  diffNamed('loginSetup', 'loginSetups', before.loginSetups, after.loginSetups, LOGIN_SETUP_FIELDS, push)

  const oldLayout = new Map(Object.entries(before.layout).map(([k, v]) => [renamed(k), v]))
  const keys = [...new Set([...oldLayout.keys(), ...Object.keys(after.layout)])].sort()
  for (const key of keys) {
    const b = oldLayout.get(key)
    const a = after.layout[key]
    if (same(b, a)) continue
    const kind = b === undefined ? 'added' : a === undefined ? 'removed' : 'changed'
    push({ entity: 'layout', name: key, kind, field: null, before: orNull(b), after: orNull(a), path: `layout.${key}` })
  }
  return changes
}

/** Stage pairing: ids first (when both sides have them), then names among the rest. */
function matchStages(before: readonly DocStage[], after: readonly DocStage[]) {
  const beforeIndexOf = new Map<number, number>()
  const matchedBefore = new Set<number>()
  const pair = (ai: number, bi: number) => {
    beforeIndexOf.set(ai, bi)
    matchedBefore.add(bi)
  }
  after.forEach((stage, ai) => {
    if (!stage.id) return
    const bi = before.findIndex((b, i) => b.id === stage.id && !matchedBefore.has(i))
    if (bi >= 0) pair(ai, bi)
  })
  after.forEach((stage, ai) => {
    if (beforeIndexOf.has(ai)) return
    // A stage with an id is only matched by name to one without, never to a different id.
    const bi = before.findIndex((b, i) => !matchedBefore.has(i) && b.name === stage.name && !(b.id && stage.id && b.id !== stage.id))
    if (bi >= 0) pair(ai, bi)
  })
  const rename = new Map<string, string>()
  for (const [ai, bi] of beforeIndexOf) {
    if (before[bi]!.name !== after[ai]!.name) rename.set(before[bi]!.name, after[ai]!.name)
  }
  return { beforeIndexOf, matchedBefore, rename }
}

function diffNamed<T extends { name: string }>(
  entity: 'jobType' | 'loginSetup',
  path: string,
  before: readonly T[],
  after: readonly T[],
  fields: readonly (keyof T & string)[],
  push: (c: DocumentChange) => void,
): void {
  const old = new Map(before.map((item, i) => [item.name, i]))
  const matched = new Set<number>()
  after.forEach((item, ai) => {
    const bi = old.get(item.name)
    if (bi === undefined || matched.has(bi)) {
      push({ entity, name: item.name, kind: 'added', field: null, before: null, after: item, path: `${path}.${ai}` })
      return
    }
    matched.add(bi)
    for (const field of fields) {
      const b = before[bi]![field]
      const a = item[field]
      if (!same(b, a)) push({ entity, name: item.name, kind: 'changed', field, before: orNull(b), after: orNull(a), path: `${path}.${ai}.${field}` })
    }
  })
  before.forEach((item, bi) => {
    if (!matched.has(bi)) push({ entity, name: item.name, kind: 'removed', field: null, before: item, after: null, path: `${path}.${bi}` })
  })
}

export interface SideBySideLine {
  left: string | null
  right: string | null
  kind: 'same' | 'added' | 'removed' | 'changed'
}

/**
 * Rows for a two-column diff of the documents' text renderings: a removed run followed by an added
 * run is paired line by line as 'changed'; what is left over stays removed or added.
 */
export function sideBySideLines(before: CampaignDocument, after: CampaignDocument): SideBySideLine[] {
  const left = renderCampaignDocument(before).join('\n') + '\n'
  const right = renderCampaignDocument(after).join('\n') + '\n'
  const rows: SideBySideLine[] = []
  const lines = (value: string) => value.replace(/\n$/, '').split('\n')
  const parts = diffLines(left, right)
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!
    if (!part.added && !part.removed) {
      for (const line of lines(part.value)) rows.push({ left: line, right: line, kind: 'same' })
      continue
    }
    if (part.removed && parts[i + 1]?.added) {
      const removed = lines(part.value)
      const added = lines(parts[i + 1]!.value)
      for (let j = 0; j < Math.max(removed.length, added.length); j++) {
        const l = removed[j] ?? null
        const r = added[j] ?? null
        rows.push({ left: l, right: r, kind: l !== null && r !== null ? 'changed' : l !== null ? 'removed' : 'added' })
      }
      i++
      continue
    }
    for (const line of lines(part.value)) {
      rows.push(part.added ? { left: null, right: line, kind: 'added' } : { left: line, right: null, kind: 'removed' })
    }
  }
  return rows
}
