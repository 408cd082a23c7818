import type { Definition, StoredFile } from './catalog'

/** SAM writes times as ISO 8601 with a numeric zone and no fraction: `2024-04-01T12:00:00+00:00`. */
export function samTime(ms: number | null): string | null {
  if (ms === null) return null
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00')
}

/** `run` or `run.subrun` → SAM's `[run, subrun, run_type]` (or `[run, run_type]` without a subrun). */
function runEntry(run: string, runType: string): (number | string)[] {
  const [r, sub] = run.split('.')
  return sub === undefined ? [Number(r), runType] : [Number(r), Number(sub), runType]
}

/**
 * A file's metadata object as `/files/name/<f>/metadata?format=json` returns it, with the field
 * names of fife-utils' metadata_converter (protocols.md §3.3). Extra metadata the test declared
 * (`data_tier`, `<category>.<name>` parameters) is passed through.
 */
export function metadataJson(file: StoredFile, parents: readonly StoredFile[]): Record<string, unknown> {
  const { run_type: runType = 'physics', application, ...extra } = file.metadata as { run_type?: string; application?: Record<string, unknown> }
  const meta: Record<string, unknown> = {
    file_name: file.name,
    file_id: file.id,
    create_date: samTime(file.createdAt),
    user: 'sam',
    update_date: samTime(file.createdAt),
    update_user: 'sam',
    file_size: file.size,
    checksum: [],
    content_status: 'good',
    file_type: 'mc',
    file_format: 'root',
    data_tier: 'raw',
    event_count: file.events,
    runs: file.runs.map((run) => runEntry(run, runType)),
    parents: parents.map((p) => ({ file_name: p.name, file_id: p.id })),
    ...extra,
  }
  if (file.endTime !== null) meta.end_time = samTime(file.endTime)
  if (file.version !== null || application) meta.application = { family: 'art', name: 'emulated', ...(application ?? {}), ...(file.version !== null ? { version: file.version } : {}) }
  return meta
}

/** The `format=plain` metadata: `key: value` lines, nested values as JSON (layout INFERRED). */
export function metadataPlain(meta: Record<string, unknown>): string {
  return Object.entries(meta)
    .map(([key, value]) => `${key.padEnd(16)}: ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)}`)
    .join('\n')
}

/** describe as JSON: `defname` and `dimensions` are what POMS reads; the other keys are INFERRED. */
export function definitionJson(def: Definition): Record<string, unknown> {
  return {
    defname: def.name,
    defid: def.id,
    dimensions: def.dims,
    username: def.username,
    group: def.group,
    create_time: samTime(def.createdAt),
    description: def.description,
  }
}

/** describe as text, in samweb's right-aligned `Label: value` layout (INFERRED). */
export function definitionPlain(def: Definition): string {
  return [
    `Definition Name: ${def.name}`,
    `  Definition Id: ${def.id}`,
    `  Creation Date: ${samTime(def.createdAt)}`,
    `       Username: ${def.username}`,
    `          Group: ${def.group}`,
    `     Dimensions: ${def.dims}`,
    ...(def.description ? [`    Description: ${def.description}`] : []),
  ].join('\n')
}
