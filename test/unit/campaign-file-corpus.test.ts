import { afterAll, describe, expect, it } from 'vitest'
import { iniToCampaignDocument, type IniImportOutcome } from '../../shared/campaign-file/ini-to-document'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import { headersOf, pomsIniCorpus } from '../fixtures/campaign-file/corpus-index'

/**
 * What we do with each file POMS does NOT accept, decided file by file: a precise error (with the
 * line) where the file is truly broken, or an import with warnings where POMS crashes (500) on a
 * dialect whose intent is clear. A new REJECT/CRASH file in the corpus fails until it is listed.
 */
const NOT_ACCEPTED: Record<string, { outcome: 'error'; codes: Record<string, number[]> } | { outcome: 'warned'; codes: string[] }> = {
  // Git merge-conflict markers and a repeated `name` in [campaign]: every bad line is reported.
  'fermitools__poms__webservice__static__samples__sample_mc@98568f85.ini': {
    outcome: 'error',
    codes: { 'ini-parsing-error': [3, 4, 6, 8, 9, 11], 'ini-duplicate-option': [7, 10] },
  },
  // POMS ≤ v4.0 samples: dataset= (KeyError dataset_or_split_data in POMS).
  'fermitools__poms__webservice__static__samples__sample_mc@20c13f95': { outcome: 'warned', codes: ['legacy-dataset', 'stage-list-space-separated'] },
  // tag= instead of name=, launch_template, %{experiment} (KeyError name in POMS).
  'fermitools__poms__webservice__static__samples__sample_reco@9346ef9e': {
    outcome: 'warned',
    codes: ['legacy-tag', 'legacy-dataset', 'legacy-launch-template', 'legacy-placeholder', 'stage-list-space-separated'],
  },
  'fermitools__poms__webservice__static__samples__sample_split_merge@f87f240d': {
    outcome: 'warned',
    codes: ['legacy-tag', 'legacy-dataset', 'legacy-launch-template', 'legacy-placeholder', 'stage-list-space-separated'],
  },
}

const corpus = pomsIniCorpus()
const tally = { accepted: 0, warned: 0, errored: 0, byPoms: {} as Record<string, Record<string, number>> }

function record(poms: string, ours: 'accepted' | 'warned' | 'errored') {
  tally[ours]++
  tally.byPoms[poms] ??= {}
  tally.byPoms[poms]![ours] = (tally.byPoms[poms]![ours] ?? 0) + 1
}

function expectMatchesFile(outcome: IniImportOutcome, text: string) {
  const doc = outcome.document!
  const headers = headersOf(text)
  expect(doc.stages.map((s) => s.name)).toEqual(headers.stages)
  expect(doc.dependencies.map(({ from, to }) => ({ from, to }))).toEqual(headers.dependencies)
  expect(doc.jobTypes.map((j) => j.name)).toEqual(headers.jobTypes)
  expect(outcome.definesJobTypes).toEqual(headers.jobTypes)
  expect(outcome.definesLoginSetups).toEqual(headers.loginSetups)
  expect(doc.loginSetups.map((l) => l.name)).toEqual(headers.loginSetups)
  // The document is valid as it stands: parsing it again changes nothing.
  expect(CampaignDocument.parse(doc)).toEqual(doc)
  // Every stage's job type / login setup is accounted for: defined here or listed for the core.
  for (const stage of doc.stages) {
    if (stage.jobType) expect(outcome.referencesJobTypes).toContain(stage.jobType)
    if (stage.loginSetup) expect(outcome.referencesLoginSetups).toContain(stage.loginSetup)
  }
}

describe('every POMS campaign file of the compat corpus', () => {
  it('has POMS campaign files to check', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40)
    expect(corpus.filter((f) => f.verdict !== 'ACCEPT').map((f) => f.name).sort()).toEqual(Object.keys(NOT_ACCEPTED).sort())
  })

  describe.each(corpus.filter((f) => f.verdict === 'ACCEPT').map((f) => [f.name, f] as const))('POMS accepts %s', (_name, file) => {
    it('imports with no errors, and the stages, dependencies, job types and login setups match the file', () => {
      const outcome = iniToCampaignDocument(file.text, { fileName: file.name })
      expect(outcome.errors).toEqual([])
      expect(outcome.document).not.toBeNull()
      expectMatchesFile(outcome, file.text)
      const doc = outcome.document!
      expect(doc.stages).toHaveLength(file.stages)
      expect(doc.dependencies).toHaveLength(file.depEdges)
      expect(outcome.definesJobTypes).toHaveLength(file.definedJobTypes)
      expect(outcome.definesLoginSetups).toHaveLength(file.definedLoginSetups + file.definedLaunchTemplates)
      for (const w of outcome.warnings) expect(w.line, `${w.code}: ${w.message}`).toBeGreaterThan(0)
      record(file.poms, outcome.warnings.length > 0 ? 'warned' : 'accepted')
    })
  })

  describe.each(corpus.filter((f) => f.verdict !== 'ACCEPT').map((f) => [f.name, f] as const))('POMS %s', (_name, file) => {
    const expected = NOT_ACCEPTED[file.name]!
    it(expected.outcome === 'error' ? `is refused with each problem at its line (${file.poms})` : `imports with warnings where POMS fails (${file.poms})`, () => {
      const outcome = iniToCampaignDocument(file.text, { fileName: file.name })
      if (expected.outcome === 'error') {
        expect(outcome.document).toBeNull()
        const byCode: Record<string, number[]> = {}
        for (const e of outcome.errors) (byCode[e.code] ??= []).push(e.line!)
        expect(byCode).toEqual(expected.codes)
        for (const e of outcome.errors) expect(e.column).toBe(1)
        record(file.poms, 'errored')
        return
      }
      expect(outcome.errors).toEqual([])
      expectMatchesFile(outcome, file.text)
      expect(outcome.document!.stages).toHaveLength(file.stages)
      expect(outcome.document!.dependencies).toHaveLength(file.depEdges)
      expect(new Set(outcome.warnings.map((w) => w.code))).toEqual(new Set(expected.codes))
      for (const w of outcome.warnings) expect(w.line).toBeGreaterThan(0)
      record(file.poms, 'warned')
    })
  })

  afterAll(() => {
    const lines = Object.entries(tally.byPoms).map(([poms, ours]) => `  POMS ${poms}: ${Object.entries(ours).map(([k, n]) => `${n} ${k}`).join(', ')}`)
    console.log(
      `campaign-file corpus: ${corpus.length} POMS files — ${tally.accepted} accepted cleanly, ${tally.warned} imported with warnings, ${tally.errored} refused\n${lines.join('\n')}`,
    )
  })
})

describe('what the corpus imports to', () => {
  const byName = new Map(corpus.map((f) => [f.name, f]))
  const load = (name: string) => iniToCampaignDocument(byName.get(name)!.text)

  it('keeps %, %%, %(x)s, ${X} and backticks verbatim (test_mock_campaign_1)', () => {
    const doc = load('fermitools__poms__test__test_mock_campaign_1.ini').document!
    expect(doc.loginSetups[0]).toMatchObject({ host: '`hostname`', account: '$USER', setup: 'cd $POMS_DIR', backend: 'jobsub_lite', port: 22, hostTimezone: 'America/Chicago' })
    expect(doc.jobTypes[0]!.launchScript).toBe(
      'cd $POMS_DIR; nohup python ./test/mock_job.py --campaign_id $POMS_CAMPAIGN_ID -N 3 -D %%(dataset)s --wait > /tmp/launch$$ 2>&1 & echo $!',
    )
    expect(doc.jobTypes[0]!.outputFilePatterns).toEqual(['%%'])
    expect(doc.dependencies).toEqual([{ from: 'stage0', to: 'stage1', filePatterns: '%%%%' }])
    // "[]" in quotes is a JSON string; we import the list it spells.
    expect(doc.stages[0]!.paramOverrides).toEqual([])
  })

  it('resolves each stage against [campaign_defaults] (DUNE PDSPProd4 config_5806)', () => {
    const outcome = load('DUNE__dune-prod-utils__production-scripts__MC__ProtoDUNE__PDSPProd4__config_5806.ini')
    const doc = outcome.document!
    expect(doc.defaults).toMatchObject({ voRole: 'Production', splitType: 'list', completionPct: 100, jobType: 'mcc11_protoDUNE_sp_gen', mergeOverrides: false })
    const [first, , third] = doc.stages
    expect(first).toMatchObject({ softwareVersion: 'v09_17_01', splitType: null, completionPct: 100, completionType: 'located', stageType: 'regular', defaultClearCronjob: false })
    expect(third).toMatchObject({ softwareVersion: 'v09_35_00_01', splitType: 'list', completionPct: 99, stageType: 'test' })
    expect(third!.paramOverrides[1]).toEqual(['--stage', ' NERSC'])
    expect(outcome.warnings.find((w) => w.code === 'completion-pct-clamped')).toMatchObject({ line: 16, section: 'campaign_defaults', key: 'completion_pct' })
    expect(outcome.referencesJobTypes).toEqual(['protoDUNE_SP_keepup_PDSPProd4', 'PDSPProd4_protoDUNE_sp_gen'])
  })

  it('finds the broken %(experimenter) in POMS’s own analysis sample', () => {
    const outcome = load('fermitools__poms__webservice__static__samples__analysis_generator.ini')
    expect(outcome.warnings).toMatchObject([{ code: 'percent-syntax', line: 21, column: 107, path: 'stages.0.paramOverrides' }])
  })

  it('imports the 2018 dialect as today’s keys (sample_reco@9346ef9e)', () => {
    const doc = load('fermitools__poms__webservice__static__samples__sample_reco@9346ef9e').document!
    expect(doc.name).toBe('sample_mc')
    expect(doc.stages.map((s) => [s.dataset, s.loginSetup, s.splitType])).toEqual([
      ['draining_production_reco_v1_0', 'generic_fife_launch', 'nfiles(10000)'],
      ['from_parent', 'generic_fife_launch', null],
    ])
    expect(doc.loginSetups).toHaveLength(1)
    expect(doc.loginSetups).toMatchObject([
      {
        name: 'generic_fife_launch',
        backend: 'jobsub_lite',
        host: '%(experiment)sgpvm01.fnal.gov',
        port: 22,
        account: '%(experiment)spro',
        setup: 'export X509_USER_PROXY=/opt/%(experiment)spro/%(experiment)spro.Production.proxy; setup fife_utils, poms_client, poms_jobsub_wrapper',
        hostTimezone: 'America/Chicago',
        active: true,
      },
    ])
  })
})
