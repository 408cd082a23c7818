import type { Database } from 'better-sqlite3'
import { v7 as uuidv7 } from 'uuid'
import type { Migration } from '../migrate'

/*
 * Campaign revisions (append-only, one per published configuration) and drafts (one shared draft
 * per campaign), plus a stored stage order. Every campaign that exists when this runs gets its
 * revision 1 here, so a history is never empty.
 *
 * The materialiser below is deliberately a frozen copy of what `poms-desktop/campaign@1` documents
 * looked like at schema 20, reading plain rows: a migration must give the same result forever,
 * whatever the live code (campaigns/materialize.ts) becomes later.
 */

type Row = Record<string, unknown>

const SETTING_COLUMNS = [
  ['voRole', 'vo_role'],
  ['dataset', 'dataset'],
  ['splitType', 'split_type'],
  ['testSplitType', 'test_split_type'],
  ['softwareVersion', 'software_version'],
  ['paramOverrides', 'param_overrides', 'json'],
  ['testParamOverrides', 'test_param_overrides', 'json'],
  ['completionType', 'completion_type'],
  ['completionPct', 'completion_pct'],
  ['mergeOverrides', 'merge_overrides', 'bool'],
  ['outputAncestorDepth', 'output_ancestor_depth'],
  ['stageType', 'stage_type'],
  ['defaultClearCronjob', 'default_clear_cronjob', 'bool'],
] as const

function materialiseAtSchema20(db: Database, campaign: Row): object {
  const jobTypeById = db.prepare('SELECT * FROM job_types WHERE id = ? AND deleted_at IS NULL')
  const loginSetupById = db.prepare('SELECT * FROM login_setups WHERE id = ? AND deleted_at IS NULL')
  const jobTypes = new Map<string, Row>()
  const loginSetups = new Map<string, Row>()
  const jobTypeName = (id: unknown): string | null => {
    if (typeof id !== 'string') return null
    const row = jobTypeById.get(id) as Row | undefined
    if (!row) return null
    jobTypes.set(id, row)
    return row.name as string
  }
  const loginSetupName = (id: unknown): string | null => {
    if (typeof id !== 'string') return null
    const row = loginSetupById.get(id) as Row | undefined
    if (!row) return null
    loginSetups.set(id, row)
    return row.name as string
  }

  const storedDefaults = JSON.parse(campaign.defaults as string) as Record<string, unknown>
  const { jobTypeId, loginSetupId, ...otherDefaults } = storedDefaults
  const defaults: Record<string, unknown> = { ...otherDefaults }
  if (jobTypeId !== undefined) defaults.jobType = jobTypeName(jobTypeId)
  if (loginSetupId !== undefined) defaults.loginSetup = loginSetupName(loginSetupId)

  const stageRows = db
    .prepare('SELECT * FROM stages WHERE campaign_id = ? AND deleted_at IS NULL ORDER BY created_at, id')
    .all(campaign.id) as Row[]
  const stageName = new Map(stageRows.map((s) => [s.id as string, s.name as string]))
  const stages = stageRows.map((s) => {
    const stage: Record<string, unknown> = { id: s.id, name: s.name, jobType: jobTypeName(s.job_type_id), loginSetup: loginSetupName(s.login_setup_id) }
    for (const [field, column, codec] of SETTING_COLUMNS) {
      const raw = s[column]
      stage[field] = codec === 'json' ? JSON.parse(raw as string) : codec === 'bool' ? raw === 1 : raw
    }
    return stage
  })
  const dependencies = (
    db.prepare('SELECT * FROM dependencies WHERE campaign_id = ? AND deleted_at IS NULL ORDER BY created_at, id').all(campaign.id) as Row[]
  )
    .filter((d) => stageName.has(d.from_stage_id as string) && stageName.has(d.to_stage_id as string))
    .map((d) => ({ from: stageName.get(d.from_stage_id as string), to: stageName.get(d.to_stage_id as string), filePatterns: d.file_patterns }))

  return {
    format: 'poms-desktop/campaign@1',
    name: campaign.name,
    campaignType: campaign.campaign_type,
    active: campaign.active === 1,
    keywords: JSON.parse(campaign.keywords as string),
    tags: JSON.parse(campaign.tags as string),
    defaults,
    stages,
    dependencies,
    jobTypes: [...jobTypes.values()].map((j) => ({
      name: j.name,
      launchScript: j.launch_script,
      definitionParameters: JSON.parse(j.definition_parameters as string),
      outputFilePatterns: JSON.parse(j.output_file_patterns as string),
      recoveryPlan: JSON.parse(j.recovery_plan as string),
      active: j.active === 1,
    })),
    loginSetups: [...loginSetups.values()].map((l) => ({
      name: l.name,
      backend: l.backend,
      host: l.host,
      port: l.port,
      account: l.account,
      setup: l.setup,
      hostTimezone: l.host_timezone,
      active: l.active === 1,
    })),
    layout: JSON.parse(campaign.layout as string),
  }
}

function recordFirstRevisions(db: Database): void {
  const insert = db.prepare(
    'INSERT INTO campaign_revisions (id, experiment, campaign_id, revision, document, created_at, creator, face, summary) ' +
      "VALUES (?, ?, ?, 1, ?, ?, ?, 'engine', ?)",
  )
  const campaigns = db.prepare('SELECT * FROM campaigns WHERE deleted_at IS NULL ORDER BY created_at, id').all() as Row[]
  for (const c of campaigns) {
    insert.run(uuidv7(), c.experiment, c.id, JSON.stringify(materialiseAtSchema20(db, c)), c.updated_at, c.updater ?? c.creator, 'the configuration when revisions were introduced')
  }
}

export const m0020CampaignRevisions: Migration = {
  version: 20,
  name: 'campaign revisions and drafts',
  up(db) {
    db.exec(`
-- Append-only: every published configuration of a campaign, as a whole document by names.
CREATE TABLE campaign_revisions (
  id TEXT PRIMARY KEY,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  revision INTEGER NOT NULL CHECK (revision >= 1),
  document TEXT NOT NULL CHECK (json_valid(document)),
  created_at INTEGER NOT NULL,
  creator TEXT NOT NULL,
  face TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  UNIQUE (campaign_id, revision)
) STRICT;
CREATE TRIGGER campaign_revisions_no_update BEFORE UPDATE ON campaign_revisions
  BEGIN SELECT RAISE(ABORT, 'campaign revisions are append-only'); END;
CREATE TRIGGER campaign_revisions_no_delete BEFORE DELETE ON campaign_revisions
  BEGIN SELECT RAISE(ABORT, 'campaign revisions are append-only'); END;

-- One shared draft per campaign; rev is its own optimistic-concurrency counter.
CREATE TABLE campaign_drafts (
  campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id),
  experiment TEXT NOT NULL REFERENCES experiments(name),
  document TEXT NOT NULL CHECK (json_valid(document)),
  base_revision INTEGER NOT NULL CHECK (base_revision >= 0),
  rev INTEGER NOT NULL CHECK (rev >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  updater TEXT NOT NULL
) STRICT;

-- The order of a campaign's stages (file order on import); NULL sorts after, by creation.
ALTER TABLE stages ADD COLUMN position INTEGER;
CREATE INDEX stages_campaign_order ON stages (campaign_id, position) WHERE deleted_at IS NULL;
`)
    recordFirstRevisions(db)
  },
}
