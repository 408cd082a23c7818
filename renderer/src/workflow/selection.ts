/** What is selected on the workflow canvas: stages by name, dependencies by index. */
export interface Selection {
  stages: string[]
  dependencies: number[]
}

export const NOTHING: Selection = { stages: [], dependencies: [] }

export const isEmpty = (selection: Selection): boolean => selection.stages.length === 0 && selection.dependencies.length === 0

/** A click selects one thing; with the additive key it toggles it within the selection. */
export function clickStage(selection: Selection, name: string, additive: boolean): Selection {
  if (!additive) return { stages: [name], dependencies: [] }
  return selection.stages.includes(name)
    ? { ...selection, stages: selection.stages.filter((s) => s !== name) }
    : { ...selection, stages: [...selection.stages, name] }
}

export function clickDependency(selection: Selection, index: number, additive: boolean): Selection {
  if (!additive) return { stages: [], dependencies: [index] }
  return selection.dependencies.includes(index)
    ? { ...selection, dependencies: selection.dependencies.filter((d) => d !== index) }
    : { ...selection, dependencies: [...selection.dependencies, index] }
}

/** The one stage the side panel edits, if exactly one is selected and nothing else. */
export const singleStage = (selection: Selection): string | null =>
  selection.stages.length === 1 && selection.dependencies.length === 0 ? selection.stages[0]! : null

export const singleDependency = (selection: Selection): number | null =>
  selection.dependencies.length === 1 && selection.stages.length === 0 ? selection.dependencies[0]! : null

/** After a rename the selection follows the stage. */
export function renameInSelection(selection: Selection, from: string, to: string): Selection {
  return { ...selection, stages: selection.stages.map((name) => (name === from ? to : name)) }
}
