import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportResult } from '../../shared/campaign-file/import-report'
import { iniToCampaignDocument } from '../../shared/campaign-file/ini-to-document'
import type { CampaignDocument } from '../../shared/domain/campaign-document'
import { REPO_ROOT, startCore, withoutIds, type CoreHarness } from '../helpers/core-harness'

/*
 * Every file of the shared corpus of real campaign files, imported through the campaigns:import
 * channel into one real store; INDEX.md (written from a faithful replay of POMS's importer) says
 * what POMS does with each. The parser's own list of referenced names is the oracle for which job
 * types and login setups a file needs from the store.
 */

const CORPUS = resolve(REPO_ROOT, '..', 'shared', 'compat-corpus')
const FILES = join(CORPUS, 'files')

interface CorpusFile {
  name: string
  text: string
  kind: 'poms-ini' | 'fife-cfg'
  /** POMS's verdict on a poms-ini file. */
  poms: 'ACCEPT' | 'REJECT' | 'CRASH' | null
  stages: number | null
  edges: number | null
}

function corpus(): CorpusFile[] {
  const rows = readFileSync(join(CORPUS, 'INDEX.md'), 'utf8').split('\n')
  return readdirSync(FILES)
    .sort()
    .map((name) => {
      const row = rows.find((r) => r.startsWith(`| \`${name}\` |`))
      if (!row) throw new Error(`INDEX.md has no row for ${name}`)
      const cells = row.split('|').map((c) => c.trim())
      const kind = cells[6] as CorpusFile['kind']
      const notes = cells[8] ?? ''
      const count = (re: RegExp) => (re.exec(notes) ? Number(re.exec(notes)![1]) : null)
      return {
        name,
        text: readFileSync(join(FILES, name), 'utf8'),
        kind,
        poms: (/POMS: (ACCEPT|REJECT|CRASH)/.exec(notes)?.[1] ?? null) as CorpusFile['poms'],
        stages: count(/(\d+) stage\(s\)/),
        edges: count(/(\d+) dep edge\(s\)/),
      }
    })
}

const FILES_IN_CORPUS = corpus()
const POMS_FILES = FILES_IN_CORPUS.filter((f) => f.kind === 'poms-ini')
const ACCEPTED_BY_POMS = POMS_FILES.filter((f) => f.poms === 'ACCEPT')

/** Referenced but not defined in the file: what the store must already have. */
function needsFromStore(f: CorpusFile) {
  const parsed = iniToCampaignDocument(f.text, { fileName: f.name })
  return {
    jobTypes: [...new Set(parsed.referencesJobTypes)].filter((n) => !parsed.definesJobTypes.includes(n)),
    loginSetups: [...new Set(parsed.referencesLoginSetups)].filter((n) => !parsed.definesLoginSetups.includes(n)),
    document: parsed.document,
  }
}

let h: CoreHarness
beforeAll(async () => {
  h = await startCore({ seed: true })
  const { repos, clock } = h.core.deps
  for (const experiment of ['bare', 'prepared', 'roundtrip']) {
    repos.experiments.insertExperiment({ name: experiment, displayName: experiment, dataHandler: 'local' }, clock.now())
    repos.experiments.setMembership(experiment, h.core.localUsername, 'superuser', clock.now())
  }
})
afterAll(() => h?.stop())

const names = async (experiment: string, what: 'jobTypes:list' | 'loginSetups:list') =>
  (await h.call(what, { experiment, filter: { includeInactive: true }, limit: 500 })).items.map((i) => i.name)
const importOne = async (experiment: string, f: { name: string; text: string }) =>
  (await h.call('campaigns:import', { experiment, files: [{ name: f.name, text: f.text }] })).results[0]!
const published = async (experiment: string, campaignId: string) => (await h.call('drafts:get', { experiment, campaignId })).document

/** The same dependency set, first entry of a repeated edge kept (as the import does). */
const edgesOf = (doc: CampaignDocument) => {
  const seen = new Map<string, string>()
  for (const d of doc.dependencies) if (!seen.has(`${d.from} → ${d.to}`)) seen.set(`${d.from} → ${d.to}`, d.filePatterns)
  return [...seen.entries()].sort()
}

/** Job types and login setups this file needs but must name from the store, for every file. */
async function preCreateMissing(experiment: string): Promise<void> {
  const jobTypes = new Set(POMS_FILES.flatMap((f) => needsFromStore(f).jobTypes))
  const loginSetups = new Set(POMS_FILES.flatMap((f) => needsFromStore(f).loginSetups))
  for (const name of jobTypes) await h.call('jobTypes:create', { experiment, value: { name, launchScript: 'true' } })
  for (const name of loginSetups) await h.call('loginSetups:create', { experiment, value: { name } })
}

describe('the compat corpus through campaigns:import', () => {
  it('has the files INDEX.md describes', () => {
    expect(FILES_IN_CORPUS.length).toBeGreaterThanOrEqual(70)
    expect(ACCEPTED_BY_POMS.length).toBeGreaterThanOrEqual(30)
  })

  it('into a bare experiment, one file at a time: POMS-accepted files import unless they need a job type or login setup the store lacks', async () => {
    const accepted: string[] = []
    const incomplete: string[] = []
    for (const f of FILES_IN_CORPUS) {
      const known = { jobTypes: await names('bare', 'jobTypes:list'), loginSetups: await names('bare', 'loginSetups:list') }
      const result = await importOne('bare', f)
      const why = `${f.name}: ${JSON.stringify(result.errors)}`
      expect(result.errors.map((e) => e.code), why).not.toContain('INTERNAL')

      if (f.kind === 'fife-cfg') {
        // A fife_launch config is not a campaign: refused with a reason, never half-imported.
        expect(result.accepted, why).toBe(false)
        expect(result.errors.length, why).toBeGreaterThan(0)
        continue
      }
      const needs = needsFromStore(f)
      const missing = [
        ...needs.jobTypes.filter((n) => !known.jobTypes.includes(n)).map((n) => `job type ${n}`),
        ...needs.loginSetups.filter((n) => !known.loginSetups.includes(n)).map((n) => `login setup ${n}`),
      ]
      if (f.poms === 'ACCEPT') {
        if (missing.length > 0) {
          // "Campaign is incomplete": one error per missing name, each saying which, nothing written.
          expect(result.accepted, why).toBe(false)
          expect(result.errors.map((e) => e.message).sort(), why).toEqual(missing.map((m) => `${m} is neither defined in the file nor in experiment bare`).sort())
          expect(result.errors.every((e) => e.line !== null), why).toBe(true)
          incomplete.push(f.name)
        } else {
          expect(result.accepted, why).toBe(true)
          expect(result.stages.length, f.name).toBe(f.stages)
          if (f.edges !== null) expect(result.dependencies.length, f.name).toBe(f.edges)
          accepted.push(result.campaign!)
        }
      } else {
        // POMS rejects or crashes on these: a precise error, or an import with warnings where the intent is clear.
        if (result.accepted) expect(result.warnings.length, why).toBeGreaterThan(0)
        else expect(result.errors.every((e) => e.line !== null), why).toBe(true)
        if (result.accepted) accepted.push(result.campaign!)
      }
    }
    // POMS-accepted files that name a login setup they do not define and no earlier file defined
    // (lkashur_login; mdeltutt_login comes from the file before protonana.ini) were refused above.
    expect(incomplete.length).toBeGreaterThan(0)
    expect(accepted.length).toBeGreaterThanOrEqual(ACCEPTED_BY_POMS.length - incomplete.length)
    const campaigns = (await h.call('campaigns:list', { experiment: 'bare', filter: { includeInactive: true }, limit: 500 })).items.map((c) => c.name)
    expect(campaigns.sort()).toEqual([...new Set(accepted)].sort())
  })

  const lastByCampaign = new Map<string, { file: CorpusFile; result: ImportResult }>()

  it('with the missing ones pre-created, every file POMS accepts imports in one call, matching its file', async () => {
    await preCreateMissing('prepared')
    const { results } = await h.call('campaigns:import', { experiment: 'prepared', files: FILES_IN_CORPUS.map((f) => ({ name: f.name, text: f.text })) })
    expect(results.map((r) => r.file)).toEqual(FILES_IN_CORPUS.map((f) => f.name))
    FILES_IN_CORPUS.forEach((f, i) => {
      const result = results[i]!
      if (f.poms === 'ACCEPT') expect(result.accepted, `${f.name}: ${JSON.stringify(result.errors)}`).toBe(true)
      if (f.kind === 'fife-cfg') expect(result.accepted).toBe(false)
      if (result.accepted) lastByCampaign.set(result.campaign!, { file: f, result })
    })

    // What is stored is what the file says (the last file of a name wins: POMS's re-upload).
    for (const { file, result } of lastByCampaign.values()) {
      const stored = await published('prepared', result.campaignId!)
      const fromFile = needsFromStore(file).document!
      expect(withoutIds(stored).stages, file.name).toEqual(fromFile.stages)
      expect(edgesOf(stored), file.name).toEqual(edgesOf(fromFile))
      // A default nobody uses that neither the file nor (then) the store had cannot be stored: left out, with a warning.
      const expectedDefaults = { ...fromFile.defaults }
      const parsed = iniToCampaignDocument(file.text)
      for (const [field, code, defined] of [
        ['jobType', 'DEFAULT_JOB_TYPE_DROPPED', parsed.definesJobTypes],
        ['loginSetup', 'DEFAULT_LOGIN_SETUP_DROPPED', parsed.definesLoginSetups],
      ] as const) {
        if (!result.warnings.some((w) => w.code === code)) continue
        expect(defined, file.name).not.toContain(fromFile.defaults[field])
        expect(fromFile.stages.every((s) => s[field] !== null), file.name).toBe(true)
        delete expectedDefaults[field]
      }
      expect(stored.defaults, file.name).toEqual(expectedDefaults)
      expect(stored.keywords, file.name).toEqual(fromFile.keywords)
      // Its job types and login setups are the ones the stages and defaults name.
      const used = (field: 'jobType' | 'loginSetup') =>
        [...new Set([expectedDefaults[field], ...fromFile.stages.map((s) => s[field])].filter((n): n is string => typeof n === 'string'))].sort()
      expect(stored.jobTypes.map((j) => j.name).sort(), file.name).toEqual(used('jobType'))
      expect(stored.loginSetups.map((l) => l.name).sort(), file.name).toEqual(used('loginSetup'))
    }
    expect(lastByCampaign.size).toBeGreaterThanOrEqual(30)
  })

  it('import → export → import of each accepted campaign reproduces the same document', async () => {
    expect(lastByCampaign.size).toBeGreaterThan(0)
    await preCreateMissing('roundtrip')
    for (const { file, result } of lastByCampaign.values()) {
      const before = await published('prepared', result.campaignId!)
      const exported = await h.call('campaigns:export', { experiment: 'prepared', id: result.campaignId! })
      const again = await importOne('roundtrip', { name: exported.fileName, text: exported.text })
      expect(again.accepted, `${file.name} → ${exported.fileName}: ${JSON.stringify(again.errors)}`).toBe(true)
      expect(again.campaign).toBe(before.name)
      const after = await published('roundtrip', again.campaignId!)
      expect(withoutIds(after), file.name).toEqual(withoutIds(before))
    }
  })
})
