import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { campaignDocumentToIni, iniSafeText, normaliseForIni } from '../../shared/campaign-file/document-to-ini'
import { iniToCampaignDocument } from '../../shared/campaign-file/ini-to-document'
import { stripText } from '../../shared/campaign-file/ini-values'
import { CampaignDocument, type CampaignDocumentInput } from '../../shared/domain/campaign-document'
import { BACKENDS } from '../../shared/domain/login-setup'
import { RECOVERY_TYPES } from '../../shared/domain/job-type'
import { COMPLETION_TYPES, STAGE_TYPES } from '../../shared/domain/stage'
import { pomsIniCorpus } from '../fixtures/campaign-file/corpus-index'

const reimport = (doc: CampaignDocument) => {
  const text = campaignDocumentToIni(doc, { experiment: 'dune', role: 'production' })
  const outcome = iniToCampaignDocument(text)
  expect(outcome.errors, text).toEqual([])
  return outcome.document!
}

describe('import → export → import gives the same document', () => {
  const importable = pomsIniCorpus().filter((f) => f.verdict === 'ACCEPT' || f.verdict === 'CRASH')

  it.each(importable.map((f) => [f.name, f] as const))('%s', (_name, file) => {
    const doc = iniToCampaignDocument(file.text).document!
    expect(doc).not.toBeNull()
    expect(reimport(doc)).toStrictEqual(doc)
    // An imported document is already in the form a file can hold.
    expect(normaliseForIni(doc)).toStrictEqual(doc)
  })
})

describe('the exported file', () => {
  const doc = CampaignDocument.parse({
    name: 'mc2024',
    active: false,
    keywords: { run: '42' },
    tags: ['mc'],
    defaults: { voRole: 'Production', jobType: 'jt', completionPct: 95, splitType: 'drainingn(10)' },
    stages: [
      {
        name: 'gen',
        jobType: 'jt',
        loginSetup: 'ls',
        voRole: 'Production',
        dataset: 'raw_%(run)s',
        splitType: 'drainingn(10)',
        testSplitType: null,
        softwareVersion: 'v1',
        paramOverrides: [['--stage ', 'gen']],
        testParamOverrides: [],
        completionType: 'located',
        completionPct: 95,
        mergeOverrides: false,
        outputAncestorDepth: 1,
        stageType: 'regular',
        defaultClearCronjob: true,
      },
      {
        name: 'reco',
        jobType: 'jt',
        loginSetup: 'ls',
        voRole: 'Production',
        dataset: 'from_parent',
        splitType: null,
        testSplitType: 'nfiles(1)',
        softwareVersion: 'v1',
        paramOverrides: [],
        testParamOverrides: [['-Oé=', 'x']],
        completionType: 'complete',
        completionPct: 100,
        mergeOverrides: true,
        outputAncestorDepth: 2,
        stageType: 'test',
        defaultClearCronjob: false,
      },
    ],
    dependencies: [{ from: 'gen', to: 'reco', filePatterns: '%.root' }],
    jobTypes: [{ name: 'jt', launchScript: 'fife_launch -c x.cfg', definitionParameters: [['-N', '5']], outputFilePatterns: ['%.root', '%.log'], recoveryPlan: [{ type: 'pending_files', paramOverrides: [['-Oa=', 'b']] }] }],
    loginSetups: [{ name: 'ls', backend: 'jobsub_lite', host: '%(experiment)sgpvm01.fnal.gov', account: '%(experiment)spro', setup: 'setup fife_utils\nsetup poms_client', hostTimezone: 'America/Chicago' }],
    layout: { gen: { x: 10, y: -0 }, reco: { x: 200.5, y: 40 } },
  } satisfies CampaignDocumentInput)

  it('has POMS exporter’s shape, keywords where POMS reads them and where its exporter writes them', () => {
    expect(campaignDocumentToIni(doc, { experiment: 'dune', role: 'production' })).toBe(
      [
        '[campaign]',
        'experiment = dune',
        'poms_role = production',
        'name = mc2024',
        'state = Inactive',
        'campaign_keywords = {"run": "42"}',
        'campaign_stage_list = gen,reco',
        'tags = ["mc"]',
        '',
        '[campaign_defaults]',
        'vo_role = Production',
        'cs_split_type = drainingn(10)',
        'completion_pct = 95',
        'job_type = jt',
        'campaign_keywords = {"run": "42"}',
        '',
        '[node_positions]',
        'nxy0 = ["gen", 10, 0]',
        'nxy1 = ["reco", 200.5, 40]',
        '',
        '[campaign_stage gen]',
        'software_version = v1',
        'dataset_or_split_data = raw_%(run)s',
        'completion_type = located',
        'param_overrides = [["--stage ", "gen"]]',
        'login_setup = ls',
        'merge_overrides = False',
        'stage_type = regular',
        'default_clear_cronjob = True',
        '',
        '[campaign_stage reco]',
        'software_version = v1',
        'output_ancestor_depth = 2',
        'dataset_or_split_data = from_parent',
        'cs_split_type = None',
        'test_split_type = nfiles(1)',
        'completion_type = complete',
        'completion_pct = 100',
        'test_param_overrides = [["-O\\u00e9=", "x"]]',
        'login_setup = ls',
        'merge_overrides = True',
        'stage_type = test',
        'default_clear_cronjob = False',
        '',
        '[login_setup ls]',
        'host = %(experiment)sgpvm01.fnal.gov',
        'account = %(experiment)spro',
        'setup = setup fife_utils;setup poms_client',
        '',
        '[job_type jt]',
        'launch_script = fife_launch -c x.cfg',
        'parameters = [["-N", "5"]]',
        'output_file_patterns = %.root,%.log',
        'recoveries = [["pending_files", [["-Oa=", "b"]]]]',
        '',
        '[dependencies reco]',
        'campaign_stage_1 = gen',
        'file_pattern_1 = %.root',
        '',
        '',
      ].join('\n'),
    )
  })

  it('reads back as the document, modulo the documented normalisations', () => {
    const back = reimport(doc)
    expect(back).toStrictEqual(normaliseForIni(doc))
    expect(back.loginSetups[0]!.setup).toBe('setup fife_utils;setup poms_client')
    expect(back.layout.gen).toEqual({ x: 10, y: 0 })
  })

  it('keeps non-POMS facts in keys POMS ignores', () => {
    const local = CampaignDocument.parse({
      ...doc,
      campaignType: 'test',
      loginSetups: [{ name: 'ls', backend: 'local', hostTimezone: 'UTC', active: false }],
      jobTypes: [{ ...doc.jobTypes[0]!, active: false }],
    })
    const text = campaignDocumentToIni(local)
    expect(text).toMatch(/\ncampaign_type = test\n/)
    expect(text).toContain('[login_setup ls]\nhost = \naccount = \nsetup = \nbackend = local\nhost_timezone = UTC\nactive = False\n')
    expect(text).toContain('recoveries = [["pending_files", [["-Oa=", "b"]]]]\nactive = False\n')
    expect(reimport(local)).toStrictEqual(normaliseForIni(local))
  })
})

describe('iniSafeText', () => {
  it('is what an INI value can hold', () => {
    expect(iniSafeText('  a  ')).toBe('a')
    expect(iniSafeText('a\r\n  b\n\n')).toBe('a\nb')
    expect(iniSafeText('a\n\nb')).toBe('a\n\nb')
    expect(iniSafeText('echo x\n# a comment\nrun')).toBe('echo x # a comment\nrun')
    expect(iniSafeText('x\n\n;y')).toBe('x ;y')
  })
})

// ---- the property: any valid document survives export and import -------------------------------

/** Text with the characters that matter to INI, JSON and POMS: whitespace, #, ;, %, quotes, newlines. */
const RICH = [...'ab Z09_-.:=#;%()[]{}"\'\\$`\n\t\ré\u00a0\u0085']
const richText = (maxLength = 12) =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...RICH), maxLength }),
    fc.constantFrom('%{experiment}', '%%(dataset)s', 'v1 # note', 'x\n# y', 'None', 'none', ''),
  )
const NAME_CHARS = [...'abcXYZ019_-.@%$()']
/**
 * Names: anything our schema takes except what no INI file can carry — "]" (ini-writer refuses it
 * in a section header) and whitespace at the ends in Python's sense (U+0085 …), which configparser
 * strips, so two such names could come back as one.
 */
const name = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...NAME_CHARS, ' '), minLength: 1, maxLength: 8 }),
    fc.string({ unit: fc.constantFrom(...RICH, '\ufeff', 'x'), minLength: 1, maxLength: 6 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
  )
  .filter((n) => !n.includes(']') && /^[^\u0000-\u001f\u007f]*$/.test(n) && n.trim() !== '' && stripText(n) === n)
const safeText = fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 1, maxLength: 10 })
const anyString = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }), richText())
const pairs = fc.array(fc.tuple(anyString, anyString), { maxLength: 3 })
const pct = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 100, noNaN: true }))
const splitSpec = fc.oneof(fc.constant(null), fc.constantFrom('nfiles(10)', 'list', 'draining', ' drainingn(5) ', 'None', 'new(window=1d)'), richText(8))

const settings = (refs: { jobTypes: string[]; loginSetups: string[] }) => ({
  jobType: fc.oneof(fc.constant(null), fc.constantFrom(...refs.jobTypes, 'elsewhere'), richText(6).filter((t) => t.trim() !== '')),
  loginSetup: fc.oneof(fc.constant(null), fc.constantFrom(...refs.loginSetups, 'generic')),
  voRole: fc.oneof(fc.constantFrom('Production', 'Analysis', ''), richText(6)),
  dataset: fc.oneof(fc.constantFrom('from_parent', 'None', '', 'a,b,c'), richText(20)),
  splitType: splitSpec,
  testSplitType: splitSpec,
  softwareVersion: fc.oneof(fc.constantFrom('v1', ''), richText(8)),
  paramOverrides: pairs,
  testParamOverrides: pairs,
  completionType: fc.constantFrom(...COMPLETION_TYPES),
  completionPct: pct,
  mergeOverrides: fc.boolean(),
  outputAncestorDepth: fc.integer({ min: 1, max: 20 }),
  stageType: fc.constantFrom(...STAGE_TYPES),
  defaultClearCronjob: fc.boolean(),
})

const documents = fc
  .record({
    jobTypeNames: fc.uniqueArray(name, { maxLength: 3 }),
    loginSetupNames: fc.uniqueArray(name, { maxLength: 3 }),
    stageNames: fc.uniqueArray(name, { minLength: 1, maxLength: 5 }),
  })
  .chain(({ jobTypeNames, loginSetupNames, stageNames }) => {
    const refs = { jobTypes: [...jobTypeNames, 'x'], loginSetups: [...loginSetupNames, 'y'] }
    const stageName = fc.constantFrom(...stageNames, 'elsewhere')
    return fc.record({
      name,
      campaignType: fc.constantFrom('regular', 'test'),
      active: fc.boolean(),
      keywords: fc.dictionary(fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/), anyString, { maxKeys: 3 }),
      tags: fc.array(safeText, { maxLength: 2 }),
      defaults: fc.record(settings(refs), { requiredKeys: [] }),
      stages: fc.tuple(...stageNames.map((n) => fc.record({ id: fc.option(fc.uuid(), { nil: undefined }), name: fc.constant(n), ...settings(refs) }))),
      dependencies: fc.array(fc.record({ from: stageName, to: stageName, filePatterns: fc.oneof(fc.constantFrom('%.root', '', 'None', '%%'), richText(8)) }), { maxLength: 5 }),
      jobTypes: fc.tuple(
        ...jobTypeNames.map((n) =>
          fc.record({
            name: fc.constant(n),
            launchScript: fc.oneof(safeText, richText(20).filter((t) => /[a-z]/.test(t))),
            definitionParameters: pairs,
            outputFilePatterns: fc.array(fc.oneof(fc.constantFrom('%.root', '%%.art', '%skip%.root'), richText(6).filter((t) => t.trim() !== '')), { maxLength: 3 }),
            recoveryPlan: fc.array(fc.record({ type: fc.constantFrom(...RECOVERY_TYPES), paramOverrides: pairs }), { maxLength: 2 }),
            active: fc.boolean(),
          }),
        ),
      ),
      loginSetups: fc.tuple(
        ...loginSetupNames.map((n) =>
          fc.record({
            name: fc.constant(n),
            backend: fc.constantFrom(...BACKENDS),
            host: safeText,
            port: fc.integer({ min: 1, max: 65535 }),
            account: safeText,
            setup: richText(30),
            hostTimezone: fc.constantFrom('America/Chicago', 'UTC', 'Europe/Zurich'),
            active: fc.boolean(),
            auth: fc.oneof(
              fc.record({ authMethod: fc.constantFrom('agent', 'stored-key'), keyFile: fc.constantFrom('', '~/.ssh/old') }),
              fc.record({ authMethod: fc.constant('key-file'), keyFile: fc.constantFrom('~/.ssh/id_ed25519', 'C:\\keys\\pro key') }),
            ),
          }).map(({ auth, ...rest }) => ({ ...rest, ...auth })),
        ),
      ),
      layout: fc.dictionary(fc.oneof(stageName, fc.string({ maxLength: 6 })), fc.record({ x: fc.double({ noNaN: true, noDefaultInfinity: true }), y: fc.integer() }), { maxKeys: 3 }),
    })
  })
  .map((input) => CampaignDocument.parse(input))

describe('any valid document', () => {
  it('reads back as normaliseForIni says, and that form is a fixed point', () => {
    fc.assert(
      fc.property(documents, (doc) => {
        const back = reimport(doc)
        expect(back).toStrictEqual(normaliseForIni(doc))
        expect(reimport(back)).toStrictEqual(back)
        expect(normaliseForIni(back)).toStrictEqual(back)
      }),
      { numRuns: 300 },
    )
  }, 120_000)
})
