import { DatasetError } from '../data-handler'
import type { DataDispatcherClient } from './data-dispatcher-client'
import type { MetacatClient } from './metacat-client'
import type { DDHandle, DDProject, HandleState } from './schemas'

/**
 * A project's files as the handler reasons about them: the handle state plus the MetaCat fid that
 * MQL needs. Projects the handler creates carry each file's fid in the handle attributes; for
 * others (a `project_id: N` the user named) the fids are looked up in MetaCat.
 */

export interface ProjectFile {
  namespace: string
  name: string
  did: string
  fid: string
  state: HandleState
  attempts: number
  /** Whether Data Dispatcher knows an available replica (null when replicas were not asked for). */
  available: boolean | null
}

const LOOKUP_CHUNK = 500

/** fids for handles; handles whose file MetaCat does not know are dropped. */
export async function withFids(metacat: MetacatClient, handles: DDHandle[]): Promise<ProjectFile[]> {
  const missing = handles.filter((h) => typeof h.attributes.fid !== 'string')
  const found = new Map<string, string>()
  for (let i = 0; i < missing.length; i += LOOKUP_CHUNK) {
    const chunk = missing.slice(i, i + LOOKUP_CHUNK)
    for (const f of await metacat.files(chunk.map((h) => ({ namespace: h.namespace, name: h.name })))) found.set(`${f.namespace}:${f.name}`, f.fid)
  }
  const out: ProjectFile[] = []
  for (const h of handles) {
    const did = `${h.namespace}:${h.name}`
    const fid = typeof h.attributes.fid === 'string' ? h.attributes.fid : found.get(did)
    if (fid === undefined) continue
    const available = h.replicas === undefined ? null : Object.values(h.replicas).some((r) => r.available && r.rse_available !== false)
    out.push({ namespace: h.namespace, name: h.name, did, fid, state: h.state, attempts: h.attempts, available })
  }
  return out
}

export async function loadProject(dd: DataDispatcherClient, metacat: MetacatClient, projectId: number, withReplicas = false): Promise<{ project: DDProject; files: ProjectFile[] }> {
  const project = await dd.project(projectId, { withFiles: true, withReplicas })
  if (!project) throw new DatasetError(`Data Dispatcher has no project ${projectId}`)
  return { project, files: await withFids(metacat, project.file_handles ?? []) }
}

/** The project id a submission's `project` field holds, or null for none. */
export function projectIdOf(project: string | null): number | null {
  if (project === null || project.trim() === '') return null
  const id = Number(project)
  if (!Number.isInteger(id) || id <= 0) throw new DatasetError(`"${project}" is not a Data Dispatcher project id`)
  return id
}
