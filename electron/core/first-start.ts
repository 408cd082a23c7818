import { mkdirSync, writeFileSync } from 'node:fs'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import type { CoreDeps } from './deps'
import type { ConfigServices } from './services/config-services'
import type { Actor } from './services/actor'

export const SAMPLE_EXPERIMENT = 'demo'
export const SAMPLE_CAMPAIGN = 'sample-campaign'
const SAMPLE_FILES = 20

/** The OS user name, made a valid POMS user name; the desktop's own user. */
export function localUsername(): string {
  let name = 'user'
  try {
    name = userInfo().username
  } catch {
    /* some containers have no passwd entry */
  }
  const cleaned = name.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 64)
  return /^[A-Za-z0-9_]/.test(cleaned) ? cleaned : `u${cleaned}`.slice(0, 64)
}

/** A small dataset of files to chew on, generated into the data directory. */
function writeSampleDataset(dataDir: string): string {
  const dir = join(dataDir, 'sample-data')
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < SAMPLE_FILES; i++) {
    const name = `run0001_subrun${String(i).padStart(3, '0')}.dat`
    writeFileSync(join(dir, name), `sample raw data file ${i}\n`.repeat(10 + i))
  }
  return join(dir, '*.dat')
}

/**
 * First start on an empty store: an experiment, the local user (root, superuser), a `local` login
 * setup and a sample campaign a newcomer can launch at once. Its first stage ends Completed with one
 * failed job; its second fails most jobs, so the Failed path shows too. Returns the user name.
 */
export function seedFirstStart(deps: CoreDeps, config: ConfigServices): string {
  const { repos, clock, db } = deps
  const username = localUsername()
  if (!repos.experiments.isEmpty()) {
    if (!repos.experiments.getUser(username)) {
      // Another OS account opened this data directory: make it a member of every experiment.
      db.transaction(() => {
        repos.experiments.insertUser({ username, displayName: username, root: true }, clock.now())
        for (const e of repos.experiments.listExperiments()) repos.experiments.setMembership(e.name, username, 'superuser', clock.now())
      })()
    }
    return username
  }
  const now = clock.now()
  db.transaction(() => {
    repos.experiments.insertExperiment({ name: SAMPLE_EXPERIMENT, displayName: 'Demo experiment', dataHandler: 'local' }, now)
    repos.experiments.insertUser({ username, displayName: username, root: true }, now)
    repos.experiments.setMembership(SAMPLE_EXPERIMENT, username, 'superuser', now)
  })()

  const actor: Actor = { username, role: 'production', face: 'desktop', experiment: SAMPLE_EXPERIMENT }
  const datasetGlob = writeSampleDataset(deps.paths.dataDir)
  const script = join(deps.paths.resourcesDir, 'samples', 'sample-job.sh')

  const loginSetup = config.loginSetups.create(actor, {
    name: 'local',
    backend: 'local',
    host: '',
    port: 22,
    account: '',
    setup: '',
    hostTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
    active: true,
    authMethod: 'agent',
    keyFile: '',
  })
  const jobType = config.jobTypes.create(actor, {
    name: 'sample-job',
    launchScript: script,
    definitionParameters: [
      ['--events=', '1000'],
      ['--release=', '%(version)s'],
    ],
    outputFilePatterns: ['%.root'],
    recoveryPlan: [{ type: 'added_files', paramOverrides: [] }],
    active: true,
  })
  const campaign = config.campaigns.create(actor, {
    name: SAMPLE_CAMPAIGN,
    defaults: { jobTypeId: jobType.id, loginSetupId: loginSetup.id, softwareVersion: 'v1_0' },
    keywords: { release: 'v1_0' },
    tags: ['sample'],
    active: true,
    campaignType: 'regular',
    layout: { generate: { x: 80, y: 80 }, process: { x: 380, y: 80 } },
  })
  const stageBase = {
    campaignId: campaign.id,
    jobTypeId: jobType.id,
    loginSetupId: loginSetup.id,
    voRole: 'Production',
    dataset: datasetGlob,
    splitType: null,
    testSplitType: null,
    softwareVersion: '%(release)s',
    testParamOverrides: [['--seconds=', '1']] as [string, string][],
    completionType: 'located' as const,
    completionPct: 95,
    mergeOverrides: false,
    outputAncestorDepth: 1,
    stageType: 'regular' as const,
    defaultClearCronjob: true,
  }
  const generate = config.stages.create(actor, {
    ...stageBase,
    name: 'generate',
    paramOverrides: [
      ['-N ', '5'],
      ['--fail-jobs=', '3'],
      ['--seconds=', '2'],
    ],
  })
  const process = config.stages.create(actor, {
    ...stageBase,
    name: 'process',
    paramOverrides: [
      ['-N ', '4'],
      ['--fail-jobs=', '0,1,2'],
      ['--seconds=', '1'],
    ],
  })
  config.dependencies.create(actor, { fromStageId: generate.id, toStageId: process.id, filePatterns: '%_generate.root' })
  return username
}
