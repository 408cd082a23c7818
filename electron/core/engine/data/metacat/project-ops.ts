import { DatasetError, type FileAccounting, type LocatedVerdict, type SubmissionFacts } from '../data-handler'
import { anyPattern, datasetKind, fidList, mqlTimestamp, nest, where } from './mql-text'
import { loadProject, projectIdOf, type ProjectFile } from './project-files'
import type { DDProject } from './schemas'
import { PROJECT_ATTR, type HandlerServices } from './services'

/**
 * A submission's Data Dispatcher project: starting it at launch, counting its handles, deciding
 * completion (poms-reference.md Appendix A; SubmissionsPOMS.py and DMRService.py on POMS's develop
 * branch).
 */

/** SubmissionsPOMS.py: the variables a launch exports for fife_launch and the jobs. */
function launchEnv(facts: SubmissionFacts, project: DDProject | null): Record<string, string> {
  const env: Record<string, string> = {
    // POMS exports its own row id; our row is the submission.
    POMS_DATA_DISPATCHER_TASK_ID: facts.submissionId,
    POMS_DATA_DISPATCHER_DATASET_QUERY: facts.dataset,
    POMS_DATA_DISPATCHER_LOAD_LIMIT: String(project?.attributes.load_limit ?? 0),
  }
  if (project) env.POMS_DATA_DISPATCHER_PROJECT_ID = String(project.project_id)
  else env.POMS_DATA_DISPATCHER_PARAMETER = facts.dataset
  if (project?.attributes.virtual === true) env.POMS_DATA_DISPATCHER_PROJECT_VIRTUAL = 'True'
  return env
}

export async function beginProject(svc: HandlerServices, facts: SubmissionFacts): Promise<{ project: string | null; env: Record<string, string> }> {
  const reuse = async (id: number) => {
    const p = await svc.dd.project(id, { withFiles: false })
    if (!p) throw new DatasetError(`Data Dispatcher has no project ${id}`)
    return { project: String(id), env: launchEnv(facts, p) }
  }
  const existing = projectIdOf(facts.project)
  if (existing !== null) return reuse(existing)
  const kind = datasetKind(facts.dataset)
  // A value with no files behind it (multiparam): POMS's "dataset only" launch, no project.
  if (kind.k === 'parameter') return { project: null, env: launchEnv(facts, null) }
  if (kind.k === 'project') return reuse(kind.id)
  // A launch interrupted after creating its project adopts it rather than making a second one.
  const [adopted] = await svc.dd.projects({ owner: 'all', attributes: { [PROJECT_ATTR.submission]: facts.submissionId } })
  if (adopted) return { project: String(adopted.project_id), env: launchEnv(facts, adopted) }
  const files = await svc.metacat.query(kind.mql)
  // fife_launch refuses an empty project ("Ignoring launch request on empty metacat query"); say so before launching.
  if (files.length === 0) throw new DatasetError(`${facts.dataset} matches no files in MetaCat; a Data Dispatcher project needs at least one`)
  const name = `${facts.stageName} | standard | ${facts.isRecovery ? 'Recovery' : 'Dataset'} | sid: ${facts.shortId}`
  const created = await svc.dd.createProject({
    files: files.map((f) => ({ namespace: f.namespace, name: f.name, attributes: { fid: f.fid } })),
    query: kind.mql,
    users: [facts.creator],
    workerTimeout: svc.project.workerTimeout,
    idleTimeout: svc.project.idleTimeout,
    attributes: {
      [PROJECT_ATTR.name]: name,
      [PROJECT_ATTR.submission]: facts.submissionId,
      [PROJECT_ATTR.experiment]: facts.experiment,
      [PROJECT_ATTR.stage]: facts.stageName,
      ...(svc.project.virtual ? { virtual: true } : {}),
      ...(svc.project.loadLimit !== null ? { load_limit: svc.project.loadLimit } : {}),
    },
  })
  return { project: String(created.project_id), env: launchEnv(facts, created) }
}

/** The outputs of some inputs: their children (nested output_ancestor_depth times) made since the submission started. */
export function outputsQuery(facts: SubmissionFacts, inputFids: string[], extra: string[] = []): string {
  const conditions = [`created_timestamp > '${mqlTimestamp(facts.createdAt / 1000)}'`, ...extra]
  const pattern = anyPattern(facts.outputPatterns)
  if (pattern) conditions.push(pattern)
  return where(nest('children', fidList(inputFids), facts.outputAncestorDepth), conditions)
}

/** Files with no available replica: Rucio's view when configured, else Data Dispatcher's. */
async function unavailable(svc: HandlerServices, files: ProjectFile[]): Promise<number> {
  if (!svc.rucio) return files.filter((f) => f.available === false).length
  let missing = 0
  for (let i = 0; i < files.length; i += 100) {
    const chunk = files.slice(i, i + 100)
    const dids = chunk.map((f) => ({ scope: f.namespace, name: f.name }))
    let records
    try {
      records = await svc.rucio.listReplicas(dids)
    } catch (err) {
      if (!(err instanceof DatasetError)) throw err
      // One DID Rucio does not know fails the whole call: ask file by file.
      records = []
      for (const did of dids) {
        try {
          records.push(...(await svc.rucio.listReplicas([did])))
        } catch (e) {
          if (!(e instanceof DatasetError)) throw e
        }
      }
    }
    const withReplica = new Set(records.filter((r) => Object.keys(r.rses).length > 0).map((r) => `${r.scope}:${r.name}`))
    missing += chunk.filter((f) => !withReplica.has(f.did)).length
  }
  return missing
}

/**
 * Handle states as POMS shows them (DMRService.get_file_stats_for_submissions): submitted = handles,
 * delivered = handles ever reserved, consumed = done, failed = failed; "unknown" = files MetaCat
 * does not know or with no available replica. Data Dispatcher has no "skipped".
 */
export async function accounting(svc: HandlerServices, facts: SubmissionFacts): Promise<FileAccounting> {
  const id = projectIdOf(facts.project)
  if (id === null) return { submitted: null, delivered: null, consumed: null, failed: null, skipped: null, unknown: null, outputs: null }
  const { project, files } = await loadProject(svc.dd, svc.metacat, id, svc.rucio === null)
  const handles = project.file_handles ?? []
  const outputs = files.length === 0 ? 0 : await svc.metacat.count(outputsQuery(facts, files.map((f) => f.fid)))
  return {
    submitted: handles.length,
    delivered: handles.filter((h) => h.attempts > 0).length,
    consumed: handles.filter((h) => h.state === 'done').length,
    failed: handles.filter((h) => h.state === 'failed').length,
    skipped: null,
    unknown: handles.length - files.length + (await unavailable(svc, files)),
    outputs,
  }
}

/**
 * Completion for Data Dispatcher submissions: the share of handles done or failed
 * (DMRService.calculate_dd_project_completion), held against completion_pct with POMS's rule
 * (count ≥ threshold, and threshold ≠ 0 unless a recovery). Without a project there is nothing to
 * wait for: POMS ends such submissions at Completed.
 */
export async function located(svc: HandlerServices, facts: SubmissionFacts, completionPct: number): Promise<LocatedVerdict> {
  const id = projectIdOf(facts.project)
  if (id === null) return { located: true, count: 0, threshold: 0, detail: 'no Data Dispatcher project: the submission finishing is enough' }
  const handles = await svc.dd.handles(id)
  const done = handles.filter((h) => h.state === 'done').length
  const failed = handles.filter((h) => h.state === 'failed').length
  const count = done + failed
  const threshold = Math.ceil((handles.length * completionPct) / 100)
  return {
    located: count >= threshold && (threshold !== 0 || facts.isRecovery),
    count,
    threshold,
    detail: `project ${id}: ${count} of ${handles.length} file handles done or failed (${done} done, ${failed} failed); ${completionPct}% needs ${threshold}`,
  }
}
