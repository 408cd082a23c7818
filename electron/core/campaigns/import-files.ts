import { randomUUID } from 'node:crypto'
import type { ImportResult } from '../../../shared/campaign-file/import-report'
import { iniToCampaignDocument } from '../../../shared/campaign-file/ini-to-document'
import type { CampaignDocument, Finding } from '../../../shared/domain/campaign-document'
import { AppError } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { applyCampaignDocument } from './apply-document'
import { emitChangeSet, mergeChangeSets, newChangeSet } from './change-set'
import { emptyTally, finding } from './findings'
import type { Revisions } from './revisions'

export interface CampaignFileText {
  name: string
  text: string
}

type Parsed = ReturnType<typeof iniToCampaignDocument>

/** Thrown at the end of a dry run so its transaction rolls back. */
class DryRunRollback extends Error {}

/** Where a file refers to a job type or login setup: the parser's finding about it, and the document field. */
function referenceSite(parsed: Parsed, doc: CampaignDocument, key: 'job_type' | 'login_setup', name: string): Partial<Finding> {
  const field = key === 'job_type' ? 'jobType' : 'loginSetup'
  const stage = doc.stages.findIndex((s) => s[field] === name)
  const path = doc.defaults[field] === name ? `defaults.${field}` : stage >= 0 ? `stages.${stage}.${field}` : null
  // The parser reports each undefined reference ("undefined-login-setup") at the line that names it.
  const code = `undefined-${key.replace('_', '-')}`
  const candidates = parsed.warnings.filter((f) => f.line !== null && f.message.includes(`"${name}"`))
  const told = candidates.find((f) => f.code === code) ?? candidates.find((f) => f.key === key)
  return { path, line: told?.line ?? null, column: told?.column ?? null, section: told?.section ?? null, key }
}

/**
 * The store's findings point into the file: at the line where the parser saw the same field, else at
 * their section's header. Where the store dropped a default the parser said would stay (it cannot
 * keep a name without an id), its word wins.
 */
function mergeWarnings(text: string, fromFile: readonly Finding[], fromStore: readonly Finding[]): Finding[] {
  const lines = text.split('\n')
  const headerLine = (section: string) => {
    const index = lines.findIndex((l) => l.trimEnd().startsWith(`[${section}]`))
    return index < 0 ? null : index + 1
  }
  const located = fromStore.map((w) => {
    const site = w.path === null ? undefined : fromFile.find((f) => f.path === w.path && f.line !== null)
    if (site) return { ...w, line: site.line, column: site.column, section: site.section, key: site.key }
    return w.line === null && w.section !== null ? { ...w, line: headerLine(w.section) } : w
  })
  const dropped = new Set(fromStore.filter((w) => w.code.endsWith('_DROPPED')).map((w) => w.path))
  const byLine = (a: Finding, b: Finding) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0)
  return [...fromFile.filter((f) => !(f.code.startsWith('undefined-default-') && dropped.has(f.path))), ...located].sort(byLine)
}

/**
 * POMS resolves the job types and login setups a file uses but does not define in the experiment
 * ("… not found! Campaign is incomplete!"); so do we, before writing anything.
 */
function missingReferences(deps: CoreDeps, experiment: string, parsed: Parsed, doc: CampaignDocument): Finding[] {
  const kinds = [
    { what: 'job type', key: 'job_type', code: 'MISSING_JOB_TYPE', refs: parsed.referencesJobTypes, defined: parsed.definesJobTypes, known: deps.repos.jobTypes.names(experiment) },
    { what: 'login setup', key: 'login_setup', code: 'MISSING_LOGIN_SETUP', refs: parsed.referencesLoginSetups, defined: parsed.definesLoginSetups, known: deps.repos.loginSetups.names(experiment) },
  ] as const
  return kinds.flatMap((k) =>
    [...new Set(k.refs)]
      .filter((name) => !k.defined.includes(name) && !k.known.includes(name))
      .map((name) => finding(k.code, `${k.what} ${name} is neither defined in the file nor in experiment ${experiment}`, referenceSite(parsed, doc, k.key, name))),
  )
}

/**
 * `campaigns:import`: each file all-or-nothing in its own transaction (POMS's re-upload of a known
 * campaign updates it in place), with a report of what was created, reused, ignored and why. A dry
 * run does the same work inside one transaction that is rolled back, so its report is exact —
 * later files even see what earlier ones would have created — and nothing is written.
 */
export function importCampaignFiles(deps: CoreDeps, revisions: Revisions, actor: Actor, files: readonly CampaignFileText[], dryRun: boolean): ImportResult[] {
  const { db, events, logger } = deps
  const changes = newChangeSet()

  function importOne(file: CampaignFileText): ImportResult {
    let parsed: Parsed
    try {
      parsed = iniToCampaignDocument(file.text, { fileName: file.name })
    } catch (err) {
      return refused(file, [internalError(file, err)])
    }
    const doc = parsed.document
    const result: ImportResult = {
      file: file.name,
      accepted: false,
      dryRun,
      campaign: doc?.name ?? null,
      campaignId: null,
      stages: doc?.stages.map((s) => s.name) ?? [],
      dependencies: doc?.dependencies.map((d) => `${d.from} → ${d.to}`) ?? [],
      created: emptyTally(),
      reused: emptyTally(),
      ignored: [...parsed.ignored],
      warnings: [...parsed.warnings],
      errors: [...parsed.errors],
    }
    if (!doc) {
      if (result.errors.length === 0) result.errors.push(finding('NOT_A_CAMPAIGN', 'the file does not describe a campaign'))
      return result
    }
    if (result.errors.length > 0) return result
    result.errors.push(...missingReferences(deps, actor.experiment, parsed, doc))
    if (result.errors.length > 0) return result

    try {
      const applied = db.transaction(() => {
        const outcome = applyCampaignDocument(deps, actor, doc, { kind: 'byName' }, `import of ${file.name}`)
        if (revisions.recordRevision(actor, outcome.campaignId, `imported from ${file.name}`)?.created) outcome.changes['revisions:changed'].add(outcome.campaignId)
        return outcome
      })()
      if (!dryRun) mergeChangeSets(changes, applied.changes)
      return {
        ...result,
        accepted: true,
        campaignId: dryRun ? null : applied.campaignId,
        created: applied.created,
        reused: applied.reused,
        warnings: mergeWarnings(file.text, result.warnings, applied.warnings),
      }
    } catch (err) {
      const error =
        err instanceof AppError ? finding(err.code, err.message, { path: err.fields?.[0]?.path ?? null }) : internalError(file, err)
      return { ...result, errors: [error] }
    }
  }

  function refused(file: CampaignFileText, errors: Finding[]): ImportResult {
    return { file: file.name, accepted: false, dryRun, campaign: null, campaignId: null, stages: [], dependencies: [], created: emptyTally(), reused: emptyTally(), ignored: [], warnings: [], errors }
  }

  function internalError(file: CampaignFileText, err: unknown): Finding {
    const incident = randomUUID()
    logger.error('campaign file import failed', { file: file.name, incident, error: (err as Error)?.stack ?? String(err) })
    return finding('INTERNAL', `internal error while importing this file (incident ${incident}; details are in the log)`)
  }

  if (!dryRun) {
    const results = files.map(importOne)
    emitChangeSet(events, actor.experiment, changes)
    return results
  }
  let results: ImportResult[] = []
  try {
    db.transaction(() => {
      results = files.map(importOne)
      throw new DryRunRollback()
    })()
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err
  }
  return results
}
