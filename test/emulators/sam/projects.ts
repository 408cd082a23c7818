import type { DimensionExpr } from '../../../shared/dimensions/ast'
import type { ConsumedStatus } from '../../../shared/dimensions/catalog'
import { formatDimensions } from '../../../shared/dimensions/format'
import type { ProjectView } from './catalog'
import { badRequest, projectNotFound, SamError } from './errors'
import { samTime } from './formats'

export type ProcessStatus = 'active' | 'completed' | 'bad'

export interface SamProcess {
  id: number
  appname: string
  appversion: string
  appfamily: string
  node: string
  username: string
  description: string
  /** 0 = no limit. */
  filelimit: number
  status: ProcessStatus
  startedAt: number
  endedAt: number | null
  delivered: string[]
}

export interface SamProject {
  id: number
  name: string
  station: string
  group: string
  username: string
  defname: string | null
  defId: number | null
  snapshotId: number
  files: string[]
  status: Map<string, ConsumedStatus>
  deliveredTo: Map<string, number>
  processes: Map<number, SamProcess>
  state: 'running' | 'completed'
  startedAt: number
  endedAt: number | null
  description: string
}

export interface StartProject {
  name: string
  station: string
  group: string
  username: string
  defname: string | null
  defId: number | null
  snapshotId: number
  files: readonly string[]
}

/** Statuses a process may report for a file it was given (updateFileStatus). */
const RELEASE_STATUSES: readonly ConsumedStatus[] = ['transferred', 'consumed', 'completed', 'skipped', 'failed', 'cancelled', 'unconsumed']
const FILE_STATES: readonly ConsumedStatus[] = ['unknown', 'delivered', 'transferred', 'consumed', 'completed', 'skipped', 'failed', 'cancelled', 'unconsumed']
const PROCESS_STATES: readonly ProcessStatus[] = ['active', 'completed', 'bad']
const CONSUMED: ReadonlySet<ConsumedStatus> = new Set(['consumed', 'completed'])

export type NextFile = { file: string } | { none: string }

/**
 * SAM projects and their consumer processes: a project runs over a frozen snapshot; each job
 * establishes a process, takes files one by one (getNextFile) and reports each file's status.
 * The per-file consumed status is what `project_name P and consumed_status …` queries see.
 */
export class SamProjects implements ProjectView {
  private readonly projects = new Map<string, SamProject>()
  private nextProjectId = 500
  private nextProcessId = 1000

  constructor(private readonly now: () => number) {}

  start(spec: StartProject): SamProject {
    if (this.projects.has(spec.name)) throw new SamError(409, 'ProjectExists', `Project ${spec.name} already exists`)
    const project: SamProject = {
      ...spec,
      id: this.nextProjectId++,
      files: [...spec.files],
      status: new Map(spec.files.map((f) => [f, 'unknown' as ConsumedStatus])),
      deliveredTo: new Map(),
      processes: new Map(),
      state: 'running',
      startedAt: this.now(),
      endedAt: null,
      description: '',
    }
    this.projects.set(project.name, project)
    return project
  }

  get(name: string): SamProject {
    const project = this.projects.get(name)
    if (!project) throw projectNotFound(name)
    return project
  }

  list(): SamProject[] {
    return [...this.projects.values()]
  }

  establishProcess(name: string, fields: Omit<SamProcess, 'id' | 'status' | 'startedAt' | 'endedAt' | 'delivered'>): SamProcess {
    const project = this.get(name)
    if (project.state !== 'running') throw badRequest(`Project ${name} has ended`)
    const process: SamProcess = { ...fields, id: this.nextProcessId++, status: 'active', startedAt: this.now(), endedAt: null, delivered: [] }
    project.processes.set(process.id, process)
    return process
  }

  process(project: SamProject, pid: number): SamProcess {
    const process = project.processes.get(pid)
    if (!process) throw new SamError(404, 'ProcessNotFound', `Process ${pid} not found in project ${project.name}`)
    return process
  }

  nextFile(name: string, pid: number): NextFile {
    const project = this.get(name)
    const process = this.process(project, pid)
    if (project.state !== 'running') return { none: 'project ended' }
    if (process.status !== 'active') return { none: 'process ended' }
    if (process.filelimit > 0 && process.delivered.length >= process.filelimit) return { none: 'file limit reached' }
    const file = project.files.find((f) => project.status.get(f) === 'unknown' && !project.deliveredTo.has(f))
    if (file === undefined) return { none: 'no more files' }
    project.status.set(file, 'delivered')
    project.deliveredTo.set(file, pid)
    process.delivered.push(file)
    return { file }
  }

  updateFileStatus(name: string, pid: number, file: string, status: string): void {
    const project = this.get(name)
    this.process(project, pid)
    if (!project.status.has(file)) throw new SamError(404, 'FileNotFound', `File ${file} is not in project ${name}`)
    if (project.deliveredTo.get(file) !== pid) throw badRequest(`File ${file} was not delivered to process ${pid}`)
    if (!(RELEASE_STATUSES as readonly string[]).includes(status)) throw badRequest(`Invalid file status "${status}"`)
    project.status.set(file, status as ConsumedStatus)
  }

  endProcess(name: string, pid: number, status: ProcessStatus = 'completed'): void {
    const project = this.get(name)
    const process = this.process(project, pid)
    if (!PROCESS_STATES.includes(status) || status === 'active') throw badRequest(`Invalid process status "${status}"`)
    process.status = status
    process.endedAt ??= this.now()
  }

  endProject(name: string): void {
    const project = this.get(name)
    project.state = 'completed'
    project.endedAt ??= this.now()
  }

  /** Sets a file's status directly (tests that skip the consumer protocol). */
  setStatus(name: string, file: string, status: ConsumedStatus): void {
    const project = this.get(name)
    if (!project.status.has(file)) throw new SamError(404, 'FileNotFound', `File ${file} is not in project ${name}`)
    project.status.set(file, status)
  }

  /**
   * `/projects/name/<p>/summary?format=json`: the keys POMS and the public monitoring scripts read
   * (protocols.md §3.3). `process_limit` caps the `processes` list (POMS asks for 0).
   */
  summary(name: string, processLimit: number | null): Record<string, unknown> {
    const p = this.get(name)
    const fileCounts = Object.fromEntries(FILE_STATES.map((s) => [s, 0])) as Record<ConsumedStatus, number>
    for (const status of p.status.values()) fileCounts[status]++
    const processCounts = Object.fromEntries(PROCESS_STATES.map((s) => [s, 0])) as Record<ProcessStatus, number>
    for (const proc of p.processes.values()) processCounts[proc.status]++
    const processes = [...p.processes.values()].slice(0, processLimit ?? undefined).map((proc) => this.processJson(p, proc))
    return {
      project_id: p.id,
      project_name: p.name,
      project_status: p.state,
      project_start_time: samTime(p.startedAt),
      project_end_time: samTime(p.endedAt),
      station_name: p.station,
      group: p.group,
      user: p.username,
      dataset_def_id: p.defId,
      dataset_def_name: p.defname,
      snapshot_id: p.snapshotId,
      files_in_snapshot: p.files.length,
      file_counts: fileCounts,
      process_counts: processCounts,
      processes,
    }
  }

  private processJson(p: SamProject, proc: SamProcess): Record<string, unknown> {
    const counts = { consumed: 0, cancelled: 0, failed: 0, skipped: 0, delivered: 0, unknown: 0 }
    for (const file of proc.delivered) {
      const status = p.status.get(file) ?? 'unknown'
      if (CONSUMED.has(status)) counts.consumed++
      else if (status === 'transferred') counts.delivered++
      else if (status in counts) counts[status as keyof typeof counts]++
      else counts.unknown++
    }
    return {
      process_id: proc.id,
      status: proc.status,
      node: proc.node,
      user: proc.username,
      description: proc.description,
      start_time: samTime(proc.startedAt),
      end_time: samTime(proc.endedAt),
      file_limit: proc.filelimit,
      application: { family: proc.appfamily, name: proc.appname, version: proc.appversion },
      counts,
    }
  }

  /** The plain summary (layout INFERRED; POMS reads only the JSON). */
  summaryPlain(name: string): string {
    const s = this.summary(name, 0) as { file_counts: Record<string, number>; process_counts: Record<string, number> }
    const p = this.get(name)
    const counts = (o: Record<string, number>) =>
      Object.entries(o)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k}=${n}`)
        .join(' ') || 'none'
    return [
      `Project: ${p.name} (${p.id}), station ${p.station}, status ${p.state}`,
      `Definition: ${p.defname ?? '(snapshot only)'}, snapshot ${p.snapshotId} with ${p.files.length} files`,
      `Files: ${counts(s.file_counts)}`,
      `Processes: ${counts(s.process_counts)}`,
    ].join('\n')
  }

  /**
   * The files a recovery should re-run: not consumed; with useProcess also those consumed by a
   * process that did not end `completed` (its outputs are suspect).
   */
  recoveryFiles(name: string, useProcess: boolean): { unconsumed: string[]; badProcess: string[] } {
    const p = this.get(name)
    const unconsumed = p.files.filter((f) => !CONSUMED.has(p.status.get(f) ?? 'unknown'))
    const badProcess = useProcess
      ? p.files.filter((f) => {
          const pid = p.deliveredTo.get(f)
          return CONSUMED.has(p.status.get(f) ?? 'unknown') && pid !== undefined && p.processes.get(pid)?.status !== 'completed'
        })
      : []
    return { unconsumed, badProcess }
  }

  /**
   * `recovery_dimensions`: a dimension string for those files, '' when there is nothing to recover.
   * SAM's exact text is not public (INFERRED); this one evaluates to the right files.
   */
  recoveryDimensions(name: string, useProcess: boolean): string {
    const { unconsumed, badProcess } = this.recoveryFiles(name, useProcess)
    const parts: DimensionExpr[] = []
    if (unconsumed.length > 0) {
      parts.push({
        kind: 'minus',
        left: { kind: 'snapshot_for_project_name', project: name },
        right: { kind: 'and', left: { kind: 'project_name', project: name }, right: { kind: 'consumed_status', statuses: ['consumed', 'completed'] } },
      })
    }
    if (badProcess.length > 0) parts.push({ kind: 'file_name', op: '=', values: badProcess })
    if (parts.length === 0) return ''
    return formatDimensions(parts.reduce((left, right) => ({ kind: 'or', left, right })))
  }

  // ---- ProjectView, for the catalog ----

  snapshotFiles(project: string): readonly string[] | null {
    return this.projects.get(project)?.files ?? null
  }

  status(project: string, file: string): ConsumedStatus | null {
    return this.projects.get(project)?.status.get(file) ?? null
  }

  files(project: string): readonly string[] {
    return this.projects.get(project)?.files ?? []
  }

  usesDefinition(defname: string): boolean {
    return [...this.projects.values()].some((p) => p.defname === defname)
  }
}
