import { cursorTo, exhausted, planned, SplitSetupError, type SplitPlanner } from '../types'

/**
 * `list` and `multiparam` (poms-reference.md §4 table): the launch gets a value taken from the
 * dataset field, not a slice of files. The cursor is the 0-based index of the next value.
 */
export const listPlanner: SplitPlanner = {
  type: 'list',
  notes: ['Blanks around list items and empty items (a trailing comma) are dropped; POMS would launch an empty dataset name for them.'],
  async plan(ctx) {
    const items = ctx.dataset
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
    const index = ctx.state.cursor ?? 0
    if (index >= items.length) return exhausted(`all ${items.length} list items have been launched`)
    return planned(valueSlice(items[index]!, index + 1, `list item ${index + 1} of ${items.length}`))
  },
}

export const multiparamPlanner: SplitPlanner = {
  type: 'multiparam',
  notes: [],
  async plan(ctx) {
    const lists = parseLists(ctx.dataset)
    const total = lists.reduce((product, list) => product * list.length, 1)
    const index = ctx.state.cursor ?? 0
    if (index >= total) return exhausted(`all ${total} combinations have been launched`)
    // The first list varies fastest: index = i0 + len0·(i1 + len1·(i2 + …)).
    let rest = index
    const parts = lists.map((list) => {
      const value = list[rest % list.length]!
      rest = Math.floor(rest / list.length)
      return value
    })
    return planned(valueSlice(parts.join('_'), index + 1, `combination ${index + 1} of ${total}`))
  },
}

function valueSlice(value: string, cursorAfter: number, what: string) {
  return { dataset: value, dims: null, fileCount: null, definitions: [], snapshot: null, next: cursorTo(cursorAfter), description: `${what}: ${value}` }
}

function parseLists(dataset: string): string[][] {
  let value: unknown
  try {
    value = JSON.parse(dataset)
  } catch {
    throw new SplitSetupError('multiparam needs the dataset to be a JSON list of lists, e.g. [["a","b"],["c","d"]]')
  }
  const isList = (list: unknown) => Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string' || typeof v === 'number')
  if (!Array.isArray(value) || value.length === 0 || !value.every(isList)) {
    throw new SplitSetupError('multiparam needs the dataset to be a JSON list of non-empty lists of strings, e.g. [["a","b"],["c","d"]]')
  }
  return (value as (string | number)[][]).map((list) => list.map(String))
}
