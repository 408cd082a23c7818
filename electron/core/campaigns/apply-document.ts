import type { ImportTally } from '../../../shared/campaign-file/import-report'
import type { Campaign } from '../../../shared/domain/campaign'
import type { CampaignDocument, DocDefaults, DocJobType, DocLoginSetup, Finding } from '../../../shared/domain/campaign-document'
import type { JobType } from '../../../shared/domain/job-type'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { Dependency, Stage } from '../../../shared/domain/stage'
import { badInput } from '../../../shared/errors'
import type { CoreDeps } from '../deps'
import type { Actor } from '../services/actor'
import { recordAudit } from '../services/audit'
import { assertMayChange, assertMayCreate, newEntityMeta } from '../services/crud-service'
import { splitCursorAfterEdit } from '../services/split-cursor'
import { sameJson } from './canonical-json'
import { newChangeSet, type ChangeSet } from './change-set'
import { defaultsFromDoc, jobTypeToDoc, loginSetupToDoc, settingsFromDoc, type NamesToIds } from './document-fields'
import { emptyTally, finding, tallyOnce } from './findings'

/** Which campaign a document is written to. */
export type ApplyTarget =
  /** A new campaign (a clone); its name must be free. */
  | { kind: 'new' }
  /** This campaign (a published draft), renamed if the document says so. */
  | { kind: 'existing'; campaignId: string }
  /** The campaign with the document's name if there is one, else a new one: POMS's re-upload. */
  | { kind: 'byName' }

export interface ApplyOutcome {
  campaignId: string
  created: ImportTally
  reused: ImportTally
  warnings: Finding[]
  changes: ChangeSet
}

const edge = (from: string, to: string) => `${from} → ${to}`

/** The fields of a definition that differ from an existing one (names and `active` aside). */
function differingFields<T extends object>(existing: T, wanted: T): string[] {
  return Object.keys(wanted).filter((k) => k !== 'name' && k !== 'active' && !sameJson(existing[k as keyof T], wanted[k as keyof T]))
}

/**
 * Writes a campaign document as rows, inside the caller's transaction (so an import, a publish or a
 * clone is all-or-nothing). Job types and login setups are looked up by name in the experiment and
 * reused — never updated; a differing definition only earns a warning — or created when absent.
 * Stages are matched by their stored id, else by name; stages the document no longer has are
 * detached (kept, with their submissions), and the dependencies are rebuilt to match the document.
 * Every write records an audit entry; `context` says why ("import of config.ini").
 */
export function applyCampaignDocument(deps: CoreDeps, actor: Actor, doc: CampaignDocument, target: ApplyTarget, context: string): ApplyOutcome {
  const { repos, clock } = deps
  const experiment = actor.experiment
  const now = clock.now()
  const out: ApplyOutcome = { campaignId: '', created: emptyTally(), reused: emptyTally(), warnings: [], changes: newChangeSet() }
  const audit = (action: string, type: string, id: string, summary: string) =>
    recordAudit(repos, clock, actor, action, { type, id }, `${summary} (${context})`)

  // Who may write comes first, before anything is created.
  const existing: Campaign | null =
    target.kind === 'existing'
      ? repos.campaigns.require(experiment, target.campaignId)
      : target.kind === 'byName'
        ? repos.campaigns.getByName(experiment, doc.name)
        : null
  if (existing) assertMayChange(actor, 'campaign', existing.name, existing)
  else assertMayCreate(actor, 'campaign')

  /** Stage names before this write, for messages about what it removes. */
  const formerNames = new Map<string, string>()
  const ids = resolveLibrary()
  const campaign = writeCampaign()
  out.campaignId = campaign.id
  const stageIds = writeStages(campaign)
  writeDependencies(campaign, stageIds)
  return out

  /** Job types and login setups: reuse by name, create the ones the document defines and the store lacks. */
  function resolveLibrary(): NamesToIds & { exists(field: 'jobType' | 'loginSetup', name: string): boolean } {
    const jobTypes = new Map<string, string>()
    const loginSetups = new Map<string, string>()
    doc.jobTypes.forEach((definition, i) => {
      const found = repos.jobTypes.getByName(experiment, definition.name)
      jobTypes.set(definition.name, found ? reuse('job type', found, definition, jobTypeToDoc(found), `jobTypes.${i}`) : createJobType(definition))
    })
    doc.loginSetups.forEach((definition, i) => {
      const found = repos.loginSetups.getByName(experiment, definition.name)
      loginSetups.set(
        definition.name,
        found ? reuse('login setup', found, definition, loginSetupToDoc(found), `loginSetups.${i}`) : createLoginSetup(definition),
      )
    })
    const lookup = (what: 'job type' | 'login setup', known: Map<string, string>, name: string | null, path: string): string | null => {
      if (name === null) return null
      const cached = known.get(name)
      if (cached) return cached
      const found = what === 'job type' ? repos.jobTypes.getByName(experiment, name) : repos.loginSetups.getByName(experiment, name)
      if (!found) {
        const message = `${what} ${name} is neither defined in the document nor in experiment ${experiment}`
        throw badInput(message, [{ path, message }])
      }
      tallyOnce(what === 'job type' ? out.reused.jobTypes : out.reused.loginSetups, name)
      known.set(name, found.id)
      return found.id
    }
    return {
      jobType: (name, path) => lookup('job type', jobTypes, name, path),
      loginSetup: (name, path) => lookup('login setup', loginSetups, name, path),
      exists: (field, name) =>
        field === 'jobType'
          ? jobTypes.has(name) || repos.jobTypes.getByName(experiment, name) !== null
          : loginSetups.has(name) || repos.loginSetups.getByName(experiment, name) !== null,
    }
  }

  function reuse<T extends object>(what: 'job type' | 'login setup', found: { id: string; name: string }, wanted: T, stored: T, path: string): string {
    tallyOnce(what === 'job type' ? out.reused.jobTypes : out.reused.loginSetups, found.name)
    const differs = differingFields(stored, wanted)
    if (differs.length > 0) {
      out.warnings.push(
        finding(
          what === 'job type' ? 'EXISTING_JOB_TYPE_KEPT' : 'EXISTING_LOGIN_SETUP_KEPT',
          `${what} ${found.name} already exists in ${experiment} and differs in ${differs.join(', ')}; the existing one is used unchanged (an import never updates ${what}s)`,
          { section: `${what === 'job type' ? 'job_type' : 'login_setup'} ${found.name}`, path },
        ),
      )
    }
    return found.id
  }

  function createJobType(definition: DocJobType): string {
    assertMayCreate(actor, 'job type')
    const stored = repos.jobTypes.insert({ ...definition, ...newEntityMeta(actor, now) } as JobType)
    audit('create', 'job type', stored.id, `created job type ${stored.name}`)
    tallyOnce(out.created.jobTypes, stored.name)
    out.changes['jobTypes:changed'].add(stored.id)
    return stored.id
  }

  function createLoginSetup(definition: DocLoginSetup): string {
    assertMayCreate(actor, 'login setup')
    const stored = repos.loginSetups.insert({ ...definition, ...newEntityMeta(actor, now) } as LoginSetup)
    audit('create', 'login setup', stored.id, `created login setup ${stored.name}`)
    tallyOnce(out.created.loginSetups, stored.name)
    out.changes['loginSetups:changed'].add(stored.id)
    return stored.id
  }

  /**
   * A default job type or login setup that exists nowhere can only be kept by name, which the store
   * (ids) cannot; when no stage falls back to it (POMS never looks it up then), it is left out with
   * a warning. A stage that does fall back to it makes the lookup fail as any missing reference.
   */
  function storableDefaults(): DocDefaults {
    const defaults = { ...doc.defaults }
    for (const [field, what, code] of [
      ['jobType', 'job type', 'DEFAULT_JOB_TYPE_DROPPED'],
      ['loginSetup', 'login setup', 'DEFAULT_LOGIN_SETUP_DROPPED'],
    ] as const) {
      const name = defaults[field]
      if (!name || ids.exists(field, name) || doc.stages.some((s) => s[field] === null)) continue
      delete defaults[field]
      out.warnings.push(
        finding(code, `the default ${what} ${name} exists neither in the document nor in experiment ${experiment} and no stage uses it; the campaign is stored without a default ${what}`, {
          path: `defaults.${field}`,
        }),
      )
    }
    return defaults
  }

  function writeCampaign(): Campaign {
    const fields = {
      name: doc.name,
      defaults: defaultsFromDoc(storableDefaults(), ids),
      keywords: doc.keywords,
      tags: doc.tags,
      active: doc.active,
      campaignType: doc.campaignType,
      layout: doc.layout,
    }
    if (!existing) {
      const stored = repos.campaigns.insert({ ...fields, ...newEntityMeta(actor, now) })
      audit('create', 'campaign', stored.id, `created campaign ${stored.name}`)
      tallyOnce(out.created.campaigns, stored.name)
      out.changes['campaigns:changed'].add(stored.id)
      return stored
    }
    tallyOnce(out.reused.campaigns, fields.name)
    const current = { name: existing.name, defaults: existing.defaults, keywords: existing.keywords, tags: existing.tags, active: existing.active, campaignType: existing.campaignType, layout: existing.layout }
    if (sameJson(current, fields)) return existing
    const stored = repos.campaigns.update(experiment, existing.id, existing.rev, fields, actor.username, now)
    audit('update', 'campaign', stored.id, `updated campaign ${stored.name}`)
    out.changes['campaigns:changed'].add(stored.id)
    return stored
  }

  /** The stages in document order; answers stage ids by name for the dependencies. */
  function writeStages(campaign: Campaign): Map<string, string> {
    const current = existing ? repos.stages.listByCampaign(campaign.id) : []
    for (const s of current) formerNames.set(s.id, s.name)
    const byId = new Map(current.map((s) => [s.id, s]))
    const claimed = new Set<string>()
    const matches: (Stage | null)[] = doc.stages.map((s) => {
      const own = s.id ? byId.get(s.id) : undefined
      if (own && !claimed.has(own.id)) {
        claimed.add(own.id)
        return own
      }
      return null
    })
    // Then by name, among the stages no document entry claimed by id.
    doc.stages.forEach((s, i) => {
      if (matches[i]) return
      const named = current.find((c) => c.name === s.name && !claimed.has(c.id))
      if (named) {
        claimed.add(named.id)
        matches[i] = named
      }
    })

    for (const stage of current.filter((s) => !claimed.has(s.id))) {
      // Detached, not deleted: the stage keeps its submissions and history (POMS's re-upload).
      repos.stages.update(experiment, stage.id, stage.rev, { campaignId: null }, actor.username, now)
      audit('update', 'stage', stage.id, `detached stage ${stage.name} from campaign ${campaign.name}; it keeps its submissions`)
      out.changes['stages:changed'].add(stage.id)
    }
    freeNamesForRenames(matches)

    const stageIds = new Map<string, string>()
    doc.stages.forEach((s, i) => {
      const settings = settingsFromDoc(s, ids, `stages.${i}`)
      const match = matches[i]
      let id: string
      if (match) {
        tallyOnce(out.reused.stages, s.name)
        const wanted = { name: s.name, ...settings }
        const have = { name: match.name, ...Object.fromEntries(Object.keys(settings).map((k) => [k, match[k as keyof Stage]])) }
        if (!sameJson(have, wanted)) {
          const splitCursor = splitCursorAfterEdit(match, settings)
          repos.stages.update(experiment, match.id, match.rev, { ...wanted, splitCursor }, actor.username, now)
          audit('update', 'stage', match.id, `updated stage ${s.name}`)
          out.changes['stages:changed'].add(match.id)
        }
        id = match.id
      } else {
        const stored = repos.stages.insert({ ...newEntityMeta(actor, now), campaignId: campaign.id, name: s.name, ...settings, splitCursor: null, hold: null })
        audit('create', 'stage', stored.id, `created stage ${s.name}`)
        tallyOnce(out.created.stages, s.name)
        out.changes['stages:changed'].add(stored.id)
        id = stored.id
      }
      repos.stages.setPosition(id, i)
      stageIds.set(s.name, id)
    })
    return stageIds
  }

  /**
   * Stage names are unique within a campaign at every moment, so when a rename or a new stage wants
   * a name another stage of the campaign still has ("a"→"b" while "b"→"c"), the renamed stages
   * first move out of the way.
   */
  function freeNamesForRenames(matches: (Stage | null)[]): void {
    const occupied = new Set(matches.filter((m): m is Stage => m !== null).map((m) => m.name))
    const renamed = doc.stages.flatMap((s, i) => (matches[i] && matches[i].name !== s.name ? [i] : []))
    const wanted = doc.stages.filter((s, i) => !matches[i] || renamed.includes(i)).map((s) => s.name)
    if (!wanted.some((name) => occupied.has(name))) return
    for (const i of renamed) {
      const stage = matches[i]!
      matches[i] = repos.stages.update(experiment, stage.id, stage.rev, { name: `${stage.name} (renaming ${stage.id})` }, actor.username, now)
    }
  }

  function writeDependencies(campaign: Campaign, stageIds: Map<string, string>): void {
    const current = new Map(repos.dependencies.listByCampaign(campaign.id).map((d) => [`${d.fromStageId} ${d.toStageId}`, d]))
    const kept = new Set<string>()
    doc.dependencies.forEach((d, i) => {
      const fromStageId = stageIds.get(d.from)
      const toStageId = stageIds.get(d.to)
      if (!fromStageId || !toStageId) {
        const missing = fromStageId ? d.to : d.from
        const message = `dependency ${edge(d.from, d.to)} names stage ${missing}, which the campaign does not have`
        throw badInput(message, [{ path: `dependencies.${i}.${fromStageId ? 'to' : 'from'}`, message }])
      }
      const key = `${fromStageId} ${toStageId}`
      if (kept.has(key)) {
        out.warnings.push(finding('DUPLICATE_DEPENDENCY', `dependency ${edge(d.from, d.to)} is listed twice; the first one is kept`, { path: `dependencies.${i}` }))
        return
      }
      kept.add(key)
      const have = current.get(key)
      if (have) {
        tallyOnce(out.reused.dependencies, edge(d.from, d.to))
        if (have.filePatterns !== d.filePatterns) {
          repos.dependencies.update(experiment, have.id, have.rev, { filePatterns: d.filePatterns }, actor.username, now)
          audit('update', 'dependency', have.id, `updated dependency ${edge(d.from, d.to)}`)
          out.changes['dependencies:changed'].add(have.id)
        }
        return
      }
      const stored = repos.dependencies.insert({
        ...newEntityMeta(actor, now),
        campaignId: campaign.id,
        fromStageId,
        toStageId,
        filePatterns: d.filePatterns,
      } satisfies Dependency)
      audit('create', 'dependency', stored.id, `created dependency ${edge(d.from, d.to)}`)
      tallyOnce(out.created.dependencies, edge(d.from, d.to))
      out.changes['dependencies:changed'].add(stored.id)
    })
    for (const [key, d] of current) {
      if (kept.has(key)) continue
      repos.dependencies.softDelete(experiment, d.id, d.rev, actor.username, now)
      audit('delete', 'dependency', d.id, `deleted dependency ${edge(formerNames.get(d.fromStageId) ?? d.fromStageId, formerNames.get(d.toStageId) ?? d.toStageId)}`)
      out.changes['dependencies:changed'].add(d.id)
    }
  }
}
