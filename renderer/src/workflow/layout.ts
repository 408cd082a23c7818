import dagre from '@dagrejs/dagre'
import type { CampaignDocument } from '../../../shared/domain/campaign-document'
import type { Position } from './document-edits'

export interface Size {
  width: number
  height: number
}

/** What a stage node measures before the canvas has drawn it. */
export const DEFAULT_NODE_SIZE: Size = { width: 170, height: 70 }

/**
 * Left-to-right layered layout (dagre): producers left of their consumers, stages of one rank
 * stacked. Returns top-left corners, as the canvas places nodes; `sizes` are measured node sizes
 * when known, so long names do not overlap.
 */
export function autoLayout(doc: CampaignDocument, sizes: Readonly<Record<string, Size>> = {}): Record<string, Position> {
  const graph = new dagre.graphlib.Graph({ multigraph: true })
  graph.setGraph({ rankdir: 'LR', nodesep: 36, ranksep: 90, marginx: 0, marginy: 0 })
  graph.setDefaultEdgeLabel(() => ({}))
  for (const stage of doc.stages) {
    const size = sizes[stage.name] ?? DEFAULT_NODE_SIZE
    graph.setNode(stage.name, { width: size.width, height: size.height })
  }
  doc.dependencies.forEach((dep, index) => {
    // Self-edges and edges to missing stages cannot be ranked; the problems panel reports them.
    if (dep.from === dep.to || !graph.hasNode(dep.from) || !graph.hasNode(dep.to)) return
    // A label as wide as the patterns keeps room for them between the ranks.
    graph.setEdge(dep.from, dep.to, { width: Math.min(dep.filePatterns.length * 7, 220), height: 20, labelpos: 'c' }, `d${index}`)
  })
  dagre.layout(graph)
  const positions: Record<string, Position> = {}
  for (const stage of doc.stages) {
    const node = graph.node(stage.name) as { x: number; y: number; width: number; height: number } | undefined
    if (!node) continue
    positions[stage.name] = { x: Math.round(node.x - node.width / 2), y: Math.round(node.y - node.height / 2) }
  }
  return positions
}
