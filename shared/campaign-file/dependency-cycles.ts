/**
 * Cycles in a stage graph (Tarjan's strongly connected components). Self-loops are left to the
 * caller: POMS allows a stage to feed itself when it has a split type.
 */
export function dependencyCycles(nodes: readonly string[], edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]))
  for (const { from, to } of edges) {
    if (from !== to && next.has(from) && next.has(to)) next.get(from)!.push(to)
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const position = new Map(nodes.map((n, i) => [n, i]))
  let counter = 0

  // Iterative so a long chain of stages cannot overflow the call stack.
  for (const root of nodes) {
    if (index.has(root)) continue
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }]
    index.set(root, counter)
    low.set(root, counter++)
    stack.push(root)
    onStack.add(root)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const targets = next.get(frame.node)!
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++]!
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ node: target, edge: 0 })
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        if (component.length > 1) cycles.push(orderAlongEdges(component, next, position))
      }
    }
  }
  // Report cycles in the order their first stage appears in the campaign.
  return cycles.sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!)
}

/** The shortest loop through the component's earliest stage, so the message reads a → b → a along real edges. */
function orderAlongEdges(component: string[], next: Map<string, string[]>, position: Map<string, number>): string[] {
  const members = new Set(component)
  const start = component.reduce((a, b) => (position.get(b)! < position.get(a)! ? b : a))
  const cameFrom = new Map<string, string>()
  const queue = [start]
  while (queue.length > 0) {
    const node = queue.shift()!
    for (const target of next.get(node)!) {
      if (!members.has(target)) continue
      if (target === start) {
        const path = [node]
        while (path[0] !== start) path.unshift(cameFrom.get(path[0]!)!)
        return path
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node)
        queue.push(target)
      }
    }
  }
  return component
}
