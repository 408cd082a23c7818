import { MarkerType, type Edge, type Node } from '@vue-flow/core'
import type { CampaignDocument, Problem } from '../../../shared/domain/campaign-document'
import { STAGE_SPACING, type Position } from './document-edits'
import { autoLayout } from './layout'
import { problemsByElement, type Severity } from './problem-paths'
import type { Selection } from './selection'

export interface StageNodeData {
  name: string
  /** The job type shown on the node: its own, or the campaign's marked as inherited. */
  jobType: string | null
  jobTypeInherited: boolean
  splitType: string | null
  severity: Severity | null
  messages: string[]
  selected: boolean
}

export interface DependencyEdgeData {
  index: number
  from: string
  to: string
  filePatterns: string
  severity: Severity | null
  messages: string[]
  selected: boolean
}

/**
 * Node ids must be safe inside the canvas's attribute selectors, and stage names may hold any
 * printable character; so the id spells the name's code points.
 */
export const stageNodeId = (name: string): string => `s-${[...name].map((ch) => ch.codePointAt(0)!.toString(36)).join('-')}`

export const dependencyEdgeId = (index: number): string => `d-${index}`

/**
 * Where stages without a stored position are drawn: all of them laid out left to right when none
 * has one (a file imported without positions), else a row below the stages that have one.
 */
export function fallbackPositions(doc: CampaignDocument): Record<string, Position> {
  const missing = doc.stages.filter((stage) => !doc.layout[stage.name])
  if (missing.length === 0) return {}
  if (missing.length === doc.stages.length) return autoLayout(doc)
  const stored = Object.values(doc.layout)
  const top = Math.max(...stored.map((p) => p.y)) + STAGE_SPACING.y
  const left = Math.min(...stored.map((p) => p.x))
  return Object.fromEntries(missing.map((stage, i) => [stage.name, { x: left + i * STAGE_SPACING.x, y: top }]))
}

/** Where a stage is drawn: its stored position, else its fallback, else the origin. */
export function stagePosition(doc: CampaignDocument, index: number, fallback: Readonly<Record<string, Position>> = {}): Position {
  const stage = doc.stages[index]
  if (!stage) return { x: 0, y: 0 }
  return doc.layout[stage.name] ?? fallback[stage.name] ?? { x: 0, y: 0 }
}

export function toFlowNodes(
  doc: CampaignDocument,
  problems: readonly Problem[],
  selection: Selection,
  fallback: Readonly<Record<string, Position>> = fallbackPositions(doc),
): Node<StageNodeData>[] {
  const byElement = problemsByElement(problems)
  const selected = new Set(selection.stages)
  return doc.stages.map((stage, index) => {
    const found = byElement.stages.get(index)
    const inherited = stage.jobType === null
    return {
      id: stageNodeId(stage.name),
      type: 'stage',
      position: { ...stagePosition(doc, index, fallback) },
      data: {
        name: stage.name,
        jobType: stage.jobType ?? doc.defaults.jobType ?? null,
        jobTypeInherited: inherited,
        splitType: stage.splitType,
        severity: found?.severity ?? null,
        messages: found?.messages ?? [],
        selected: selected.has(stage.name),
      },
    }
  })
}

export function toFlowEdges(doc: CampaignDocument, problems: readonly Problem[], selection: Selection): Edge<DependencyEdgeData>[] {
  const byElement = problemsByElement(problems)
  const selected = new Set(selection.dependencies)
  const names = new Set(doc.stages.map((stage) => stage.name))
  return doc.dependencies.flatMap((dep, index) => {
    // An edge to a stage that does not exist cannot be drawn; the problems panel names it.
    if (!names.has(dep.from) || !names.has(dep.to)) return []
    const found = byElement.dependencies.get(index)
    return [
      {
        id: dependencyEdgeId(index),
        type: 'dependency',
        source: stageNodeId(dep.from),
        target: stageNodeId(dep.to),
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16, color: markerColour(found?.severity ?? null, selected.has(index)) },
        data: {
          index,
          from: dep.from,
          to: dep.to,
          filePatterns: dep.filePatterns,
          severity: found?.severity ?? null,
          messages: found?.messages ?? [],
          selected: selected.has(index),
        },
      },
    ]
  })
}

/** Arrow heads are SVG markers, coloured here rather than by CSS. */
function markerColour(severity: Severity | null, selected: boolean): string {
  if (severity === 'error') return '#b42318'
  if (selected) return '#1f5fbf'
  return '#8a94a3'
}

/** The stage name behind a node id, for events the canvas reports by id. */
export function stageNameByNodeId(doc: CampaignDocument): Map<string, string> {
  return new Map(doc.stages.map((stage) => [stageNodeId(stage.name), stage.name]))
}
