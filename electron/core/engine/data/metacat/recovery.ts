import type { RecoveryType } from '../../../../../shared/domain/job-type'
import type { RecoveryDataset, SubmissionFacts } from '../data-handler'
import { datasetKind, fidList, minusFids, mqlString, nest } from './mql-text'
import { outputsQuery } from './project-ops'
import { loadProject, projectIdOf, type ProjectFile } from './project-files'
import type { HandlerServices } from './services'

/**
 * POMS's recovery types on a Data Dispatcher project (poms-reference.md §5.1 for the SAM meaning,
 * Appendix A and DMRService.create_recovery_dataset for the Shrek ones they map onto):
 *
 * | type                   | files recovered                                        | Shrek type      |
 * | consumed_status        | handles not done (initial, reserved, failed)           | state_not_done  |
 * | process_status         | handles failed                                         | state_failed    |
 * | delivered_not_consumed | handles handed out at least once and not done          | —               |
 * | added_files            | the submission's query now, minus the project's files  | (added_files)   |
 * | pending_files          | done inputs with no output of this version since start | reprocess_orphans |
 *
 * The recovery dataset is the exact `fids …` list, so the preview shows what the launch gets.
 */

const RULES: Record<RecoveryType, string> = {
  consumed_status: 'file handles not done (initial, reserved or failed)',
  process_status: 'file handles that failed',
  delivered_not_consumed: 'file handles handed out at least once that are not done',
  added_files: 'files the submission’s query matches now that are not in its project',
  pending_files: 'done inputs without an output child of this version made since the submission started',
}

export async function recoveryDataset(svc: HandlerServices, facts: SubmissionFacts, type: RecoveryType, position: number, parent: SubmissionFacts | null): Promise<RecoveryDataset> {
  const label = `recovery step ${position} (${type}) of ${facts.shortId}`
  const id = projectIdOf(facts.project)
  if (id === null) return { type, dataset: null, count: 0, files: [], detail: `${label}: no Data Dispatcher project to recover from` }
  const { files } = await loadProject(svc.dd, svc.metacat, id)
  let picked: { fid: string; did: string }[]
  let how = `project ${id}: ${RULES[type]}`
  switch (type) {
    case 'consumed_status':
      picked = files.filter((f) => f.state !== 'done')
      break
    case 'process_status':
      picked = files.filter((f) => f.state === 'failed')
      break
    case 'delivered_not_consumed':
      picked = files.filter((f) => f.attempts > 0 && f.state !== 'done')
      break
    case 'added_files': {
      // The original submission's dataset: a recovery's own dataset is the list it was given.
      const base = datasetKind((parent ?? facts).dataset)
      if (base.k !== 'query') return { type, dataset: null, count: 0, files: [], detail: `${label}: ${(parent ?? facts).dataset} is not a MetaCat query, so no file can have been added to it` }
      const mql = minusFids(base.mql, files.map((f) => f.fid))
      picked = (await svc.metacat.query(`(${mql}) ordered`)).map((f) => ({ fid: f.fid, did: `${f.namespace}:${f.name}` }))
      how += `: ${mql}`
      break
    }
    case 'pending_files': {
      const done = files.filter((f) => f.state === 'done')
      if (done.length === 0) {
        picked = []
        break
      }
      const inputs = fidList(done.map((f) => f.fid))
      const version = svc.versionKey && facts.softwareVersion ? [`${svc.versionKey} = ${mqlString(facts.softwareVersion)}`] : []
      // mql.rst's "files without children" idiom: the inputs minus the parents of their outputs.
      const mql = `(${inputs}) - (${nest('parents', outputsQuery(facts, done.map((f) => f.fid), version), facts.outputAncestorDepth)})`
      const orphans = new Set((await svc.metacat.query(mql)).map((f) => f.fid))
      picked = done.filter((f: ProjectFile) => orphans.has(f.fid))
      how += `: ${mql}`
      break
    }
  }
  return {
    type,
    dataset: picked.length === 0 ? null : fidList(picked.map((f) => f.fid)),
    count: picked.length,
    files: picked.map((f) => f.did),
    detail: `${label}: ${how}`,
  }
}
