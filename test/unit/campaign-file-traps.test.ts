import { describe, expect, it } from 'vitest'
import { iniToCampaignDocument, type IniImportOutcome } from '../../shared/campaign-file/ini-to-document'

/**
 * A small valid campaign; tests add stage lines (which start at line 14) and extra sections.
 *  1 [campaign]            6 software_version = v1          11 login_setup = ls
 *  2 name = demo           7 dataset_or_split_data = ds     12 (blank)
 *  3 (blank)               8 completion_type = located      13 [campaign_stage one]
 *  4 [campaign_defaults]   9 completion_pct = 95            14… the test's stage lines
 *  5 vo_role = Production 10 job_type = jt
 */
const HEAD = [
  '[campaign]',
  'name = demo',
  '',
  '[campaign_defaults]',
  'vo_role = Production',
  'software_version = v1',
  'dataset_or_split_data = ds',
  'completion_type = located',
  'completion_pct = 95',
  'job_type = jt',
  'login_setup = ls',
  '',
  '[campaign_stage one]',
]
const DEFINITIONS = ['', '[job_type jt]', 'launch_script = fife_launch', '', '[login_setup ls]', 'host = gpvm01', 'account = pro']

const file = (stageLines: string[] = [], extra: string[] = []) => [...HEAD, ...stageLines, ...DEFINITIONS, ...extra, ''].join('\n')
const imported = (text: string, lenient = false) => iniToCampaignDocument(text, { fileName: 'test.ini', lenient })
const only = (outcome: IniImportOutcome, code: string) => {
  const found = [...outcome.warnings, ...outcome.errors].filter((f) => f.code === code)
  expect(found, `${code} in ${JSON.stringify([...outcome.warnings, ...outcome.errors].map((f) => f.code))}`).toHaveLength(1)
  return found[0]!
}

describe('a clean file', () => {
  it('imports with no findings, stage settings resolved from [campaign_defaults]', () => {
    const outcome = imported(file())
    expect(outcome.errors).toEqual([])
    expect(outcome.warnings).toEqual([])
    expect(outcome.ignored).toEqual([])
    expect(outcome.document!.stages).toEqual([
      {
        name: 'one',
        jobType: 'jt',
        loginSetup: 'ls',
        voRole: 'Production',
        dataset: 'ds',
        splitType: null,
        testSplitType: null,
        softwareVersion: 'v1',
        paramOverrides: [],
        testParamOverrides: [],
        completionType: 'located',
        completionPct: 95,
        mergeOverrides: false,
        outputAncestorDepth: 1,
        stageType: 'regular',
        defaultClearCronjob: true,
      },
    ])
    expect(outcome.definesJobTypes).toEqual(['jt'])
    expect(outcome.referencesLoginSetups).toEqual(['ls'])
  })

  it('lets an EMPTY stage value fall back to the default, as POMS does', () => {
    const doc = imported(file(['dataset_or_split_data =', 'vo_role = Analysis'])).document!
    expect(doc.stages[0]).toMatchObject({ dataset: 'ds', voRole: 'Analysis' })
  })

  it('honours [DEFAULT] in every section', () => {
    const text = file([], ['', '[DEFAULT]', 'cs_split_type = drainingn(5)'])
    expect(imported(text).document!.stages[0]!.splitType).toBe('drainingn(5)')
  })

  it('reads multi-line JSON values and node positions', () => {
    const doc = imported(
      file(['param_overrides = [["-Oa=", "1"],', '\t\t   ["-Ob=", "2"]]'], ['', '[node_positions]', 'nxy0 = ["one", 10, -20.5]', 'nxy1 = ["campaign demo", 0, 0]']),
    ).document!
    expect(doc.stages[0]!.paramOverrides).toEqual([
      ['-Oa=', '1'],
      ['-Ob=', '2'],
    ])
    expect(doc.layout).toEqual({ one: { x: 10, y: -20.5 }, 'campaign demo': { x: 0, y: 0 } })
  })
})

describe('errors: the document is refused, each problem at its line', () => {
  it('a duplicate key (POMS: 400 Bad file format)', () => {
    const outcome = imported(file(['cs_split_type = None', 'cs_split_type = nfiles(5)']))
    expect(outcome.document).toBeNull()
    expect(outcome.errors).toMatchObject([{ code: 'ini-duplicate-option', line: 15, column: 1, section: 'campaign_stage one', key: 'cs_split_type' }])
  })

  it('every malformed line at once, not just the first', () => {
    const outcome = imported(file(['<<<<<<< HEAD', 'vo_role = A', '=======', '>>>>>>> branch']))
    expect(outcome.errors.map((e) => [e.code, e.line])).toEqual([
      ['ini-parsing-error', 14],
      ['ini-parsing-error', 16],
      ['ini-parsing-error', 17],
    ])
  })

  it('no [campaign] section, pointing at a wrong-case one', () => {
    const outcome = imported(file().replace('[campaign]\n', '[Campaign]\n'))
    expect(only(outcome, 'no-campaign-section')).toMatchObject({ line: 1 })
    expect(only(outcome, 'no-campaign-section').message).toMatch(/case-sensitive/)
  })

  it('a fragment with only [campaign_defaults]', () => {
    const outcome = imported(HEAD.slice(3, 11).join('\n'))
    expect(only(outcome, 'no-campaign-section').message).toMatch(/fragment/)
  })

  it('no name in [campaign]', () => {
    const outcome = imported(file().replace('name = demo\n', 'experiment = dune\n'))
    expect(only(outcome, 'no-campaign-name')).toMatchObject({ line: 1, section: 'campaign' })
  })

  it('no stage', () => {
    const outcome = imported(HEAD.slice(0, 12).join('\n'))
    expect(only(outcome, 'no-stages')).toMatchObject({ line: 1 })
  })

  it('a required field absent from both the stage and the defaults (POMS: 500)', () => {
    const outcome = imported(file().replace('completion_pct = 95\n', ''))
    const error = only(outcome, 'missing-required')
    expect(error).toMatchObject({ line: 12, section: 'campaign_stage one', key: 'completion_pct', path: 'stages.0.completionPct' })
    expect(error.message).toMatch(/stage one has no completion_pct/)
  })

  it('malformed JSON, at the exact column inside the file', () => {
    const outcome = imported(file(['param_overrides = [["-Oa=", "1"] ["-Ob=", "2"]]']))
    // The value starts at column 19; the second list starts 15 characters in.
    expect(only(outcome, 'bad-json')).toMatchObject({ line: 14, column: 34, key: 'param_overrides', path: 'stages.0.paramOverrides' })
  })

  it('malformed JSON on a continuation line', () => {
    const outcome = imported(file(['param_overrides = [["-Oa=", "1"],', '    ["-Ob=", 2 3]]']))
    expect(only(outcome, 'bad-json')).toMatchObject({ line: 15, column: 16 })
  })

  it('Python quotes instead of JSON, with a hint', () => {
    const error = only(imported(file(["param_overrides = [['-Oa=', '1']]"])), 'bad-json')
    expect(error).toMatchObject({ line: 14, column: 21 })
    expect(error.message).toMatch(/double quotes/)
  })

  it('an inline comment that breaks JSON', () => {
    const error = only(imported(file(['param_overrides = [["-Oa=", "1"]]  # set a'])), 'bad-json')
    expect(error).toMatchObject({ line: 14, column: 36 })
    expect(error.message).toMatch(/inline comments are not stripped/)
  })

  it('pairs that are not pairs', () => {
    expect(only(imported(file(['param_overrides = [["-Oa=", "1", "x"]]'])), 'bad-param-pairs')).toMatchObject({ line: 14 })
    expect(only(imported(file(['param_overrides = {"a": 1}'])), 'bad-param-pairs').message).toMatch(/JSON list/)
  })

  it('an unknown recovery type, at its column', () => {
    const text = file().replace('launch_script = fife_launch\n', 'launch_script = fife_launch\nrecoveries = [["pending_files", []], ["retry_all", []]]\n')
    expect(only(imported(text), 'unknown-recovery-type')).toMatchObject({ line: 17, column: 39, section: 'job_type jt', key: 'recoveries' })
  })

  it('values that cannot be converted', () => {
    expect(only(imported(file(['completion_pct = most'])), 'bad-number')).toMatchObject({ line: 14, column: 18 })
    expect(only(imported(file(['completion_type = done'])), 'bad-completion-type')).toMatchObject({ line: 14 })
    expect(only(imported(file(['stage_type = weird'])), 'bad-stage-type')).toMatchObject({ line: 14 })
    expect(only(imported(file(['output_ancestor_depth = two'])), 'bad-integer')).toMatchObject({ line: 14 })
    expect(only(imported(file(['output_ancestor_depth = 0'])), 'bad-integer').message).toMatch(/from 1 to 20/)
  })

  it('a keyword name that cannot be a %(name)s', () => {
    const text = file().replace('[campaign_defaults]\n', '[campaign_defaults]\ncampaign_keywords = {"ok": "1", "not ok": "2"}\n')
    expect(only(imported(text), 'bad-keyword-name')).toMatchObject({ line: 5, column: 33 })
  })

  it('a job type without a launch script', () => {
    const text = file().replace('launch_script = fife_launch\n', 'parameters = []\n')
    expect(only(imported(text), 'job-type-without-script')).toMatchObject({ line: 15, section: 'job_type jt', key: 'launch_script' })
  })

  it('a value our schema cannot hold (a 201-character stage name), at its line', () => {
    const outcome = imported(file().replace('[campaign_stage one]', `[campaign_stage ${'x'.repeat(201)}]`))
    expect(only(outcome, 'invalid-value')).toMatchObject({ line: 13, path: 'stages.0.name' })
  })

  it('two stages whose names differ only by spaces', () => {
    const text = file(['', '[campaign_stage  one]'])
    expect(only(imported(text), 'duplicate-name')).toMatchObject({ line: 15 })
  })
})

describe('warnings: imported anyway, the trap named at its line', () => {
  it('campaign_keywords under [campaign] (POMS drops them; its exporter writes them there)', () => {
    const text = file().replace('name = demo\n', 'name = demo\ncampaign_keywords = {"run": "42"}\n')
    const outcome = imported(text)
    expect(outcome.document!.keywords).toEqual({ run: '42' })
    expect(only(outcome, 'keywords-in-campaign-section')).toMatchObject({ line: 3, section: 'campaign', key: 'campaign_keywords' })
  })

  it('keywords in both places, different: [campaign_defaults] wins as in POMS', () => {
    const text = file()
      .replace('name = demo\n', 'name = demo\ncampaign_keywords = {"run": "1"}\n')
      .replace('[campaign_defaults]\n', '[campaign_defaults]\ncampaign_keywords = {"run": "2"}\n')
    const outcome = imported(text)
    expect(outcome.document!.keywords).toEqual({ run: '2' })
    expect(only(outcome, 'keywords-conflict')).toMatchObject({ line: 3 })
  })

  it('param_overrides that decode to a JSON string', () => {
    const outcome = imported(file(['param_overrides="[]"', 'test_param_overrides="[[\\"-Oa=\\", \\"1\\"]]"']))
    expect(outcome.warnings.map((w) => [w.code, w.line])).toEqual([
      ['json-string-decoded', 14],
      ['json-string-decoded', 15],
    ])
    expect(outcome.document!.stages[0]).toMatchObject({ paramOverrides: [], testParamOverrides: [['-Oa=', '1']] })
  })

  it('an inline # in a plain value: it is part of the value', () => {
    const outcome = imported(file(['software_version = v2  # bump later']))
    expect(outcome.document!.stages[0]!.softwareVersion).toBe('v2  # bump later')
    expect(only(outcome, 'inline-comment')).toMatchObject({ line: 14, column: 24 })
  })

  it('login setups and job types used but not defined, with a near-miss hint', () => {
    const text = file(['login_setup = mdeltutt_login']).replace('[login_setup ls]', '[login_setup @mdeltutt_login]')
    const outcome = imported(text)
    const warning = only(outcome, 'undefined-login-setup')
    expect(warning).toMatchObject({ line: 14, path: 'stages.0.loginSetup' })
    expect(warning.message).toMatch(/did you mean \[login_setup @mdeltutt_login\] \(line 19\)/)
    expect(only(outcome, 'unused-login-setup')).toMatchObject({ line: 19 })
    expect(outcome.referencesLoginSetups).toEqual(['mdeltutt_login'])
    expect(outcome.definesLoginSetups).toEqual(['@mdeltutt_login'])
  })

  it('a default job type no stage uses and no section defines', () => {
    const text = file(['job_type = jt']).replace('job_type = jt\nlogin_setup', 'job_type = generic\nlogin_setup')
    const outcome = imported(text)
    expect(only(outcome, 'undefined-default-job-type')).toMatchObject({ line: 10, path: 'defaults.jobType' })
    expect(outcome.referencesJobTypes).toEqual(['jt'])
    expect(outcome.document!.defaults.jobType).toBe('generic')
  })

  it('an empty job_type everywhere: the stage cannot launch', () => {
    const outcome = imported(file(['job_type =']).replace('job_type = jt\nlogin_setup', 'job_type =\nlogin_setup'))
    expect(only(outcome, 'empty-job-type')).toMatchObject({ line: 14, path: 'stages.0.jobType' })
    expect(outcome.document!.stages[0]!.jobType).toBeNull()
  })

  it('campaign_stage_list drift: missing, unlisted, duplicated', () => {
    const text = file(['', '[campaign_stage two]']).replace('name = demo\n', 'name = demo\ncampaign_stage_list = one, ghost, one\n')
    const outcome = imported(text)
    expect(only(outcome, 'stage-list-missing-section')).toMatchObject({ line: 3, column: 28 })
    expect(only(outcome, 'stage-list-duplicate')).toMatchObject({ line: 3 })
    expect(only(outcome, 'stage-list-unlisted-stage')).toMatchObject({ line: 16, section: 'campaign_stage two' })
    expect(outcome.document!.stages.map((s) => s.name)).toEqual(['one', 'two'])
  })

  it('a space-separated campaign_stage_list (POMS ≤ v4.0)', () => {
    const text = file(['', '[campaign_stage two]']).replace('name = demo\n', 'name = demo\ncampaign_stage_list= one two \n')
    const outcome = imported(text)
    expect(only(outcome, 'stage-list-space-separated')).toMatchObject({ line: 3 })
    expect(outcome.warnings).toHaveLength(1)
  })

  it('the 2018 dialect: tag=, dataset=, launch_template=, [launch_template], %{experiment}', () => {
    const text = [
      '[campaign]', // 1
      'tag= old', // 2
      '[campaign_stage s]', // 3
      'dataset=raw', // 4
      'software_version=v1', // 5
      'vo_role=Production', // 6
      'job_type=jt', // 7
      'launch_template=lt', // 8
      'completion_type=complete', // 9
      'completion_pct=95', // 10
      '[launch_template lt]', // 11
      'host=%{experiment}gpvm01.fnal.gov', // 12
      'account=%{experiment}pro', // 13
      'setup=setup fife_utils', // 14
      '[job_type jt]', // 15
      'launch_script=fife_launch', // 16
    ].join('\n')
    const outcome = imported(text)
    expect(outcome.errors).toEqual([])
    expect(outcome.warnings.map((w) => [w.code, w.line, w.column])).toEqual([
      ['legacy-tag', 2, 6],
      ['legacy-dataset', 4, 9],
      ['legacy-launch-template', 8, 17],
      ['legacy-launch-template', 11, null],
      ['legacy-placeholder', 12, 6],
      ['legacy-placeholder', 13, 9],
    ])
    const doc = outcome.document!
    expect(doc.name).toBe('old')
    expect(doc.stages[0]).toMatchObject({ dataset: 'raw', loginSetup: 'lt' })
    expect(doc.loginSetups[0]).toMatchObject({ name: 'lt', host: '%(experiment)sgpvm01.fnal.gov', account: '%(experiment)spro' })
  })

  it('completion_type = completed, completion_pct out of range, merge_overrides = None', () => {
    const outcome = imported(file(['completion_type = completed', 'completion_pct = 500', 'merge_overrides = None', 'default_clear_cronjob = maybe']))
    expect(outcome.warnings.map((w) => [w.code, w.line])).toEqual([
      ['completion-type-completed', 14],
      ['completion-pct-clamped', 15],
      ['merge-overrides-none', 16],
      ['boolean-text', 17],
    ])
    expect(outcome.document!.stages[0]).toMatchObject({ completionType: 'complete', completionPct: 100, mergeOverrides: false, defaultClearCronjob: true })
  })

  it('test_param_overrides = param_overrides: not a reference; imported as []', () => {
    const outcome = imported(file(['param_overrides = [["-Oa=", "1"]]', 'test_param_overrides = param_overrides']))
    expect(only(outcome, 'test-overrides-by-name')).toMatchObject({ line: 15, path: 'stages.0.testParamOverrides' })
    expect(outcome.document!.stages[0]!.testParamOverrides).toEqual([])
  })

  it('%%(dataset)s written for an interpolating parser', () => {
    const text = file().replace('launch_script = fife_launch\n', 'launch_script = run -D %%(dataset)s --n=%%%(version)s\n')
    const outcome = imported(text)
    const warning = only(outcome, 'escaped-variable')
    expect(warning).toMatchObject({ line: 16, column: 24, path: 'jobTypes.0.launchScript' })
    expect(warning.message).toMatch(/literal text "%\(dataset\)s"/)
    expect(outcome.document!.jobTypes[0]!.launchScript).toBe('run -D %%(dataset)s --n=%%%(version)s')
  })

  it('% that would break the launch: bad syntax, unknown words, keywords in a login setup', () => {
    const text = file(['param_overrides = [["-Oa=", "/x/%(experimenter)/y"], ["-Ob=", "%(nope)s 100%"]]'])
      .replace('[campaign_defaults]\n', '[campaign_defaults]\ncampaign_keywords = {"run": "7"}\n')
      .replace('host = gpvm01', 'host = gpvm%(run)s')
    const outcome = imported(text)
    expect(outcome.warnings.map((w) => [w.code, w.line, w.column])).toEqual([
      ['percent-syntax', 15, 33],
      ['unknown-variable', 15, 64],
      ['percent-syntax', 15, 76],
      ['keyword-in-login-setup', 21, 12],
    ])
    // dataset and version are formatted only when they hold %( — a lone % there is harmless.
    expect(imported(file(['dataset_or_split_data = 100%_sample'])).warnings).toEqual([])
  })

  it('dependencies: an unknown stage (dropped), a missing pattern, empty and None patterns', () => {
    const text = file(
      ['', '[campaign_stage two]', '', '[campaign_stage three]'],
      [
        '',
        '[dependencies two]', // 26
        'campaign_stage_1 = one', // 27
        'file_pattern_1 =', // 28
        'campaign_stage_2 = resampler', // 29
        'file_pattern_2 = %.art', // 30
        '',
        '[dependencies three]', // 32
        'campaign_stage_x_1 = two', // 33
        'file_pattern_1 = None', // 34
        'campaign_stage_9 = one', // 35
        'campaign_stage1 == one', // 36
      ],
    )
    const outcome = imported(text)
    expect(only(outcome, 'dependency-unknown-stage')).toMatchObject({ line: 29 })
    expect(only(outcome, 'dependency-missing-pattern')).toMatchObject({ line: 35 })
    expect(outcome.document!.dependencies).toEqual([
      { from: 'one', to: 'two', filePatterns: '%' },
      { from: 'two', to: 'three', filePatterns: '%' },
      { from: 'one', to: 'three', filePatterns: '%' },
    ])
    expect(outcome.ignored).toContainEqual({ what: '[dependencies three] campaign_stage1', why: expect.stringMatching(/campaign_stage_/), line: 36 })
  })

  it('a repeated dependency is kept once', () => {
    const text = file(['', '[campaign_stage two]'], ['', '[dependencies two]', 'campaign_stage_1 = one', 'file_pattern_1 = %', 'campaign_stage_2 = one', 'file_pattern_2 = %.root'])
    const outcome = imported(text)
    expect(only(outcome, 'dependency-duplicate')).toMatchObject({ line: 27 })
    expect(outcome.document!.dependencies).toEqual([{ from: 'one', to: 'two', filePatterns: '%' }])
  })
})

describe('ignored, with the reason', () => {
  it('unknown stage keys, stage state, [campaign] experiment and unknown sections', () => {
    const text = file(['state = Inactive', 'colour = blue', 'data_dispatcher_project_id = 7'], ['', '[notes]', 'x = 1']).replace(
      'name = demo\n',
      'name = demo\nexperiment = dune\n',
    )
    const outcome = imported(text)
    expect(outcome.errors).toEqual([])
    expect(outcome.ignored).toEqual([
      { what: '[notes]', why: 'POMS ignores sections it does not know', line: 26 },
      { what: '[campaign] experiment = dune', why: expect.stringMatching(/current experiment/), line: 3 },
      { what: '[campaign_stage one] state', why: expect.stringMatching(/existing stage/), line: 15 },
      { what: '[campaign_stage one] colour', why: 'not a stage setting; POMS drops it', line: 16 },
      { what: '[campaign_stage one] data_dispatcher_project_id', why: expect.stringMatching(/data dispatcher/), line: 17 },
    ])
  })
})

describe('lenient mode', () => {
  it('imports a file with duplicates, keeping the last value and warning at each', () => {
    const outcome = imported(file(['cs_split_type = None', 'cs_split_type = nfiles(5)']), true)
    expect(outcome.errors).toEqual([])
    expect(only(outcome, 'ini-duplicate-option')).toMatchObject({ line: 15 })
    expect(outcome.document!.stages[0]!.splitType).toBe('nfiles(5)')
  })
})
