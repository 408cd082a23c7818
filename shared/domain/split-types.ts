/**
 * POMS split types (poms-reference.md §4; fermitools/poms `webservice/split_types/*.py` and
 * `StagesPOMS.get_dataset_for` @ 6450042a): the catalogue the editor's picker shows, and the
 * grammar of a `cs_split_type` string.
 */

export type SplitParamKind = 'count' | 'integer' | 'duration'

export interface SplitTypeParam {
  name: string
  /** `name=value` (new, byrun) rather than a bare positional value (nfiles(10)). */
  named: boolean
  required: boolean
  /** What the picker should accept: a positive integer, any integer, or a number with a w/d/h/m/s suffix. */
  kind: SplitParamKind
  doc: string
  example: string
}

export interface SplitTypeInfo {
  name: string
  summary: string
  /** A paragraph a user can read: what the dataset must be, what each launch gets, how the cursor moves. */
  doc: string
  params: SplitTypeParam[]
  example: string
  datasetMeaning: string
}

const count = (doc: string, example: string, name = 'n'): SplitTypeParam => ({ name, named: false, required: true, kind: 'count', doc, example })
const duration = (name: string, doc: string, example: string): SplitTypeParam => ({ name, named: true, required: false, kind: 'duration', doc, example })

const NEW_PARAMS: SplitTypeParam[] = [
  duration('window', 'Length of each time window (default 1 week).', '1d'),
  duration('round', 'Round window boundaries to a multiple of this (default 1 s).', '1h'),
  duration('fts', 'How long SAM takes to register new files; the newest window ends this long before now (default 1800 s).', '30m'),
  duration('localtime', 'Non-zero renders window times in local time instead of GMT.', '1'),
  duration('firsttime', 'Epoch seconds where the first window starts when there is no cursor yet (default: now − fts − window).', '1497934800'),
  duration('lasttime', 'Epoch seconds where windows stop (default: now).', '1500000000'),
]

export const SPLIT_TYPES: readonly SplitTypeInfo[] = [
  {
    name: 'none',
    summary: 'No splitting: every launch gets the dataset as written.',
    doc:
      'Written as None (or left empty). Every launch uses the stage dataset unchanged, so the dataset can be a SAM definition, ' +
      'from_parent for a dependent stage, or any text used through %(dataset)s. There is no cursor and the stage never runs out.',
    params: [],
    example: 'None',
    datasetMeaning: 'Anything; passed unchanged.',
  },
  {
    name: 'draining',
    summary: 'The same “draining” SAM definition every time.',
    doc:
      'Every launch gets the same dataset name. Use it with a draining (recursive) SAM definition whose own dimensions exclude files ' +
      'already processed, so each launch sees only the remaining work. The cursor is not used and the split never ends by itself.',
    params: [],
    example: 'draining',
    datasetMeaning: 'A SAM definition that excludes already-processed files by itself.',
  },
  {
    name: 'list',
    summary: 'One launch per comma-separated dataset name.',
    doc:
      'The dataset is a comma-separated list (the editor shows one name per line); each launch gets the next item. The cursor is the ' +
      '0-based index of the next item and the split ends when it reaches the number of items. Anything in parentheses after list ' +
      '(DUNE files write list(1,2,…,50)) is ignored by POMS: the values come from the dataset field only.',
    params: [],
    example: 'list',
    datasetMeaning: 'Comma-separated dataset names (or values used through %(dataset)s).',
  },
  {
    name: 'multiparam',
    summary: 'Every combination of several value lists, one per launch.',
    doc:
      'The dataset is a JSON list of lists, e.g. [["a","b"],["c","d"]]. Each launch gets the next combination of one value from each ' +
      'list joined with _ (a_c, b_c, a_d, b_d: the first list varies fastest). Meant for %(parameter)s rather than real SAM datasets. ' +
      'The cursor is the combination index; the split ends after the product of the list lengths.',
    params: [],
    example: 'multiparam',
    datasetMeaning: 'A JSON list of lists of strings.',
  },
  {
    name: 'mod',
    summary: 'n slices by stride: file k, k+n, k+2n, …',
    doc:
      'Each launch defines <dataset>_slice<k>_of_<n> = defname:<dataset> with stride n offset k in SAM. The cursor is k, from 0 to ' +
      'n−1; the split ends after n launches. Suits a fixed dataset whose size you do not need to know.',
    params: [count('Number of slices.', '10', 'n')],
    example: 'mod(10)',
    datasetMeaning: 'A SAM definition.',
  },
  {
    name: 'nfiles',
    summary: 'Consecutive slices of n files.',
    doc:
      'Each launch defines <dataset>_slice<k>_files<n> = defname:<dataset> with limit n offset k·n. The cursor is the slice number k; ' +
      'the split ends when a slice has no files. Not suitable for datasets that change while the campaign runs (use drainingn).',
    params: [count('Files per launch.', '100')],
    example: 'nfiles(100)',
    datasetMeaning: 'A SAM definition with fixed contents.',
  },
  {
    name: 'limitn',
    summary: 'The first n files, every time.',
    doc:
      'Each launch defines <dataset>_<uuid>_limit<n> = defname:<dataset> with limit n, i.e. the same first n files each time: useful ' +
      'for analysis users who want a bounded sample. The cursor is not used; the split ends only if the slice is empty.',
    params: [count('Number of files.', '50')],
    example: 'limitn(50)',
    datasetMeaning: 'A SAM definition.',
  },
  {
    name: 'drainingn',
    summary: 'At most n not-yet-delivered files per launch, tracked with SAM snapshots.',
    doc:
      'Each launch defines <dataset>_slice_<snap>_stage_<n> = defname:<dataset> minus snapshot_id <snap> with limit n and snapshots it; ' +
      'the cursor is a SAM snapshot id of everything delivered so far (each launch merges the new slice into a cumulative snapshot). ' +
      'Works for growing datasets; the split ends when a slice is empty.',
    params: [count('Maximum files per launch.', '250')],
    example: 'drainingn(250)',
    datasetMeaning: 'A SAM definition, possibly still growing.',
  },
  {
    name: 'stagedfiles',
    summary: 'The next n files a prestaging SAM project has finished staging.',
    doc:
      'The dataset is a SAM project name (e.g. a prestage project). Each launch defines <project>_slice_<snap>_stage_<n> = project_name ' +
      '<project> and consumed_status consumed minus snapshot_id <snap> with limit n. The cursor is a cumulative SAM snapshot id, as for ' +
      'drainingn; the split ends when nothing new has been staged.',
    params: [count('Maximum files per launch.', '100')],
    example: 'stagedfiles(100)',
    datasetMeaning: 'A SAM project name, not a definition.',
  },
  {
    name: 'byrun',
    summary: 'One run number per launch, from low through high.',
    doc:
      'Each launch defines <dataset>_<uuid>_run_<r> = defname:<dataset> and run_number r. The cursor is the run number r, starting at ' +
      'low (default 1) and ending after high (default 999999), which is processed, as POMS documents. POMS\'s own code stops when ' +
      'r ≥ high, so high itself was never processed there; a campaign moved from POMS gets one more launch. Empty runs still cost a launch.',
    params: [
      { name: 'low', named: true, required: false, kind: 'integer', doc: 'First run number (default 1).', example: '2' },
      { name: 'high', named: true, required: false, kind: 'integer', doc: 'Last run number, processed (default 999999).', example: '5' },
    ],
    example: 'byrun(low=2,high=5)',
    datasetMeaning: 'A SAM definition with run metadata.',
  },
  {
    name: 'byexistingruns',
    summary: 'One existing run per launch, found from the unprocessed files.',
    doc:
      'Each launch looks at one not-yet-delivered file, reads its first run.subrun from SAM metadata and defines ' +
      '<dataset>_slice_<snap>_run_<run.subrun> = defname:<dataset> minus snapshot_id <snap> and run_number <run.subrun>. The cursor is ' +
      'a cumulative SAM snapshot id; the split ends when no unprocessed file remains or a file has no run metadata.',
    params: [],
    example: 'byexistingruns()',
    datasetMeaning: 'A SAM definition with run metadata.',
  },
  {
    name: 'new',
    summary: 'Files that arrived in consecutive time windows.',
    doc:
      'Each launch defines <dataset>_<uuid>_time_<start>__<end> = defname:<dataset> and end_time in the window. The cursor is the epoch ' +
      'second where the next window starts (firsttime, or now − fts − window, when there is none); each launch moves it one window on. ' +
      'The split ends when the next window would start after lasttime − fts − window. Every parameter takes a w/d/h/m/s suffix ' +
      '(week/day/hour/minute/second). Catch-up example: new(firsttime=1497934800,window=1w). Write new() rather than a bare new: POMS ' +
      'reads the fourth character and fails without the parenthesis.',
    params: NEW_PARAMS,
    example: 'new(window=1d)',
    datasetMeaning: 'A SAM definition whose files carry end_time.',
  },
  {
    name: 'new_local',
    summary: 'As new, with window times in local time.',
    doc:
      'new with localtime=1, as POMS documents it; window times are written with their UTC offset. In POMS (6450042a) it did not ' +
      'work as documented: a bare new_local failed to load (the module name is only cut at _ when a parenthesis follows), and ' +
      'new_local(…) ran as new with every parameter ignored and GMT times. Here it does what the documentation promises.',
    params: NEW_PARAMS.filter((p) => p.name !== 'localtime'),
    example: 'new_local(window=1d)',
    datasetMeaning: 'A SAM definition whose files carry end_time.',
  },
]

const BY_NAME = new Map(SPLIT_TYPES.map((t) => [t.name, t]))

export function splitTypeInfo(name: string): SplitTypeInfo | undefined {
  return BY_NAME.get(name)
}

export type SplitSpecResult =
  | {
      ok: true
      /** Catalogue name, or null for no splitting. */
      type: string | null
      /** Parameter values by catalogue parameter name, as written (suffixes kept). */
      params: Record<string, string>
      /** The spec as formatSplitSpec writes it (null for no splitting). */
      canonical: string | null
      /** Things that parse but that POMS handles differently from what the text suggests. */
      notes: string[]
    }
  | { ok: false; message: string; /** 1-based column in the original text. */ column: number }

const PATTERNS: Record<SplitParamKind, RegExp> = {
  count: /^\d+$/,
  integer: /^-?\d+$/,
  duration: /^\d+(\.\d+)?[wdhms]?$/,
}

const KIND_TEXT: Record<SplitParamKind, string> = {
  count: 'a positive whole number',
  integer: 'a whole number',
  duration: 'a number with an optional w/d/h/m/s suffix',
}

/**
 * Parse a split spec with POMS's grammar: blanks and newlines are ignored, the type is the prefix
 * up to the first `(` or `_` (`nfiles_10` ≡ `nfiles(10)`), list's `(…)` is ignored, `new`/`byrun`
 * take `name=value` parameters. Stricter than POMS where POMS silently ignores or crashes later.
 */
export function parseSplitSpec(spec: string | null): SplitSpecResult {
  if (spec === null) return { ok: true, type: null, params: {}, canonical: null, notes: [] }
  // Keep each kept character's original index so errors point into the text the user wrote.
  const kept: number[] = []
  let text = ''
  for (let i = 0; i < spec.length; i++) {
    if (!/\s/.test(spec[i]!)) {
      kept.push(i)
      text += spec[i]
    }
  }
  const col = (index: number) => (index < kept.length ? kept[index]! + 1 : spec.length + 1)
  if (text === '' || text.toLowerCase() === 'none') return { ok: true, type: null, params: {}, canonical: null, notes: [] }

  const fail = (message: string, index: number): SplitSpecResult => ({ ok: false, message, column: col(index) })
  const notes: string[] = []

  let typeName: string
  let args: string | null
  let argsStart: number
  if (text.startsWith('new_local') && (text.length === 9 || text[9] === '(')) {
    typeName = 'new_local'
    notes.push('new_local does not work as documented in POMS (it runs as new with its parameters ignored); new(localtime=1,…) does what it promises')
    if (text.length === 9) {
      args = null
      argsStart = 9
    } else {
      args = text.slice(10)
      argsStart = 10
    }
  } else {
    const paren = text.indexOf('(')
    const under = text.indexOf('_')
    const cut = [paren, under].filter((i) => i >= 0).reduce((a, b) => Math.min(a, b), text.length)
    typeName = text.slice(0, cut)
    if (cut === text.length) {
      args = null
      argsStart = cut
    } else if (text[cut] === '(') {
      args = text.slice(cut + 1)
      argsStart = cut + 1
    } else {
      // nfiles_10: POMS's documented alternative form, with no parentheses.
      args = `${text.slice(cut + 1)})`
      argsStart = cut + 1
      notes.push(`POMS loads the split module only when a "(" follows the name, so "${text}" fails there at launch; write ${typeName}(${text.slice(cut + 1)})`)
    }
  }
  const info = BY_NAME.get(typeName)
  if (!info || typeName === 'none') {
    const known = SPLIT_TYPES.filter((t) => t.name !== 'none').map((t) => t.name).join(', ')
    return fail(`unknown split type "${typeName}"; known types: ${known}`, 0)
  }

  let body = ''
  if (args !== null) {
    if (!args.endsWith(')')) return fail(`missing ")" at the end of ${typeName}(…)`, text.length)
    body = args.slice(0, -1)
    if (body.includes('(') || body.includes(')')) return fail('unexpected parenthesis inside the parameters', argsStart + body.search(/[()]/))
  }

  // list/multiparam/draining read their values from the dataset; POMS ignores any argument.
  if (info.params.length === 0) {
    if (body !== '') notes.push(`POMS ignores "(${body})" after ${typeName}; ${info.name === 'list' ? 'the values come from the dataset field' : 'it takes no parameters'}`)
    return { ok: true, type: typeName, params: {}, canonical: formatSplitSpec(typeName, {}), notes }
  }

  if (args === null && info.params.some((p) => p.named)) {
    if (typeName === 'new') notes.push('POMS fails on a bare "new" (it reads the character after the name); write new()')
  }

  const params: Record<string, string> = {}
  const parts = body === '' ? [] : body.split(',')
  let offset = argsStart
  const positional = info.params.filter((p) => !p.named)
  let nextPositional = 0
  for (const part of parts) {
    const at = offset
    offset += part.length + 1
    if (part === '') return fail('empty parameter', at)
    const eq = part.indexOf('=')
    let param: SplitTypeParam | undefined
    let value: string
    let valueAt: number
    if (eq >= 0) {
      const name = part.slice(0, eq)
      param = info.params.find((p) => p.name === name)
      if (!param) {
        const names = info.params.map((p) => p.name).join(', ')
        return fail(`${typeName} has no parameter "${name}"; it takes ${names}`, at)
      }
      if (!param.named) return fail(`${typeName} takes its ${param.name} without a name: ${typeName}(${part.slice(eq + 1)})`, at)
      value = part.slice(eq + 1)
      valueAt = at + eq + 1
    } else {
      param = positional[nextPositional++]
      if (!param) {
        if (positional.length === 0) return fail(`${typeName} takes named parameters (${info.params.map((p) => `${p.name}=`).join(', ')})`, at)
        return fail(`${typeName} takes ${positional.length} parameter${positional.length === 1 ? '' : 's'}`, at)
      }
      value = part
      valueAt = at
    }
    if (param.name in params) return fail(`${param.name} is given twice`, at)
    if (!PATTERNS[param.kind].test(value)) return fail(`${param.name} must be ${KIND_TEXT[param.kind]}, not "${value}"`, valueAt)
    if (param.kind === 'count' && Number(value) < 1) return fail(`${param.name} must be at least 1`, valueAt)
    params[param.name] = value
  }
  const missing = info.params.find((p) => p.required && !(p.name in params))
  if (missing) return fail(`${typeName} needs ${missing.name}, e.g. ${info.example}`, args === null ? text.length : argsStart + body.length)
  if (typeName === 'byrun') {
    const low = Number(params.low ?? '1')
    const high = Number(params.high ?? '999999')
    if (low > high) return fail(`byrun processes runs from low through high, so low=${low}, high=${high} processes no run`, argsStart)
  }
  return { ok: true, type: typeName, params, canonical: formatSplitSpec(typeName, params), notes }
}

/** Write a split spec: `None`, `draining`, `nfiles(100)`, `new(window=1d,round=1h)`, `byrun(low=2,high=5)`. */
export function formatSplitSpec(type: string | null, params: Readonly<Record<string, string>>): string {
  if (type === null || type === 'none') return 'None'
  const info = BY_NAME.get(type)
  if (!info) throw new Error(`unknown split type "${type}"`)
  for (const name of Object.keys(params)) {
    if (!info.params.some((p) => p.name === name)) throw new Error(`${type} has no parameter "${name}"`)
  }
  if (info.params.length === 0) return type === 'byexistingruns' ? 'byexistingruns()' : type
  const parts = info.params
    .filter((p) => params[p.name] !== undefined && params[p.name] !== '')
    .map((p) => (p.named ? `${p.name}=${params[p.name]}` : params[p.name]!))
  return `${type}(${parts.join(',')})`
}
