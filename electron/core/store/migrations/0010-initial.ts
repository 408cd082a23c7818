import type { Migration } from '../migrate'

/**
 * The first schema. Every table is STRICT; every synced row carries id (UUIDv7), rev, updated_at
 * (UTC epoch ms) and deleted_at (tombstone). Names are unique among live rows only, so a deleted
 * name can be reused.
 */
export const m0010Initial: Migration = {
  version: 10,
  name: 'initial',
  up: (db) =>
    db.exec(`
CREATE TABLE experiments (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  data_handler TEXT NOT NULL DEFAULT 'local',
  active INTEGER NOT NULL DEFAULT 1,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  root INTEGER NOT NULL DEFAULT 0,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;

CREATE TABLE memberships (
  id TEXT PRIMARY KEY,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  username TEXT NOT NULL REFERENCES users(username),
  role TEXT NOT NULL CHECK (role IN ('analysis', 'production-shifter', 'production', 'superuser')),
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER,
  UNIQUE (experiment, username)
) STRICT;

CREATE TABLE login_setups (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL UNIQUE,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  name TEXT NOT NULL,
  backend TEXT NOT NULL CHECK (backend IN ('local', 'htcondor', 'jobsub_lite', 'slurm')),
  host TEXT NOT NULL DEFAULT '',
  port INTEGER NOT NULL DEFAULT 22,
  account TEXT NOT NULL DEFAULT '',
  setup TEXT NOT NULL DEFAULT '',
  host_timezone TEXT NOT NULL DEFAULT 'UTC',
  active INTEGER NOT NULL DEFAULT 1,
  creator TEXT NOT NULL,
  creator_role TEXT NOT NULL,
  updater TEXT,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX login_setups_name ON login_setups (experiment, name) WHERE deleted_at IS NULL;

CREATE TABLE job_types (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL UNIQUE,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  name TEXT NOT NULL,
  launch_script TEXT NOT NULL,
  definition_parameters TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(definition_parameters)),
  output_file_patterns TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(output_file_patterns)),
  recovery_plan TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(recovery_plan)),
  active INTEGER NOT NULL DEFAULT 1,
  creator TEXT NOT NULL,
  creator_role TEXT NOT NULL,
  updater TEXT,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX job_types_name ON job_types (experiment, name) WHERE deleted_at IS NULL;

CREATE TABLE campaigns (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL UNIQUE,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  name TEXT NOT NULL,
  defaults TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(defaults)),
  keywords TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(keywords)),
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  layout TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(layout)),
  campaign_type TEXT NOT NULL DEFAULT 'regular' CHECK (campaign_type IN ('regular', 'test')),
  active INTEGER NOT NULL DEFAULT 1,
  creator TEXT NOT NULL,
  creator_role TEXT NOT NULL,
  updater TEXT,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX campaigns_name ON campaigns (experiment, name) WHERE deleted_at IS NULL;
CREATE INDEX campaigns_updated ON campaigns (experiment, updated_at);

CREATE TABLE stages (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL UNIQUE,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  campaign_id TEXT REFERENCES campaigns(id),
  name TEXT NOT NULL,
  job_type_id TEXT REFERENCES job_types(id),
  login_setup_id TEXT REFERENCES login_setups(id),
  vo_role TEXT NOT NULL DEFAULT 'Production',
  dataset TEXT NOT NULL DEFAULT '',
  split_type TEXT,
  split_cursor INTEGER,
  test_split_type TEXT,
  software_version TEXT NOT NULL DEFAULT '',
  param_overrides TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(param_overrides)),
  test_param_overrides TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(test_param_overrides)),
  completion_type TEXT NOT NULL DEFAULT 'located' CHECK (completion_type IN ('located', 'complete')),
  completion_pct REAL NOT NULL DEFAULT 95,
  merge_overrides INTEGER NOT NULL DEFAULT 0,
  output_ancestor_depth INTEGER NOT NULL DEFAULT 1,
  stage_type TEXT NOT NULL DEFAULT 'regular' CHECK (stage_type IN ('regular', 'test', 'generator', 'approval', 'datatransfer')),
  default_clear_cronjob INTEGER NOT NULL DEFAULT 1,
  hold_by TEXT,
  hold_role TEXT,
  hold_at INTEGER,
  creator TEXT NOT NULL,
  creator_role TEXT NOT NULL,
  updater TEXT,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX stages_name ON stages (campaign_id, name) WHERE deleted_at IS NULL;
CREATE INDEX stages_experiment ON stages (experiment, name);

CREATE TABLE dependencies (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL UNIQUE,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  campaign_id TEXT NOT NULL REFERENCES campaigns(id),
  from_stage_id TEXT NOT NULL REFERENCES stages(id),
  to_stage_id TEXT NOT NULL REFERENCES stages(id),
  file_patterns TEXT NOT NULL,
  creator TEXT NOT NULL,
  creator_role TEXT NOT NULL,
  updater TEXT,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
) STRICT;
CREATE UNIQUE INDEX dependencies_edge ON dependencies (from_stage_id, to_stage_id) WHERE deleted_at IS NULL;
CREATE INDEX dependencies_campaign ON dependencies (campaign_id);

CREATE TABLE submissions (
  id TEXT PRIMARY KEY,
  short_id TEXT NOT NULL UNIQUE,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  campaign_id TEXT REFERENCES campaigns(id),
  stage_id TEXT NOT NULL REFERENCES stages(id),
  status TEXT NOT NULL,
  status_at INTEGER NOT NULL,
  launch_state TEXT NOT NULL CHECK (launch_state IN ('pending', 'launching', 'launched', 'failed', 'held', 'awaiting')),
  launch_error TEXT,
  test INTEGER NOT NULL DEFAULT 0,
  backend TEXT NOT NULL,
  batch_id TEXT,
  dataset TEXT NOT NULL DEFAULT '',
  parent_submission_id TEXT REFERENCES submissions(id),
  recovery_position INTEGER NOT NULL DEFAULT 0,
  idempotency_key TEXT,
  launch_output_file TEXT,
  creator TEXT NOT NULL,
  creator_role TEXT NOT NULL,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX submissions_idempotency ON submissions (experiment, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX submissions_created ON submissions (experiment, created_at DESC, id);
CREATE INDEX submissions_stage ON submissions (stage_id, created_at DESC);
CREATE INDEX submissions_campaign ON submissions (campaign_id, created_at DESC);
CREATE INDEX submissions_status ON submissions (experiment, status, created_at DESC);
CREATE INDEX submissions_launch_state ON submissions (launch_state) WHERE launch_state IN ('pending', 'launching');
-- What the poller reads every cycle: launched submissions by status.
CREATE INDEX submissions_pollable ON submissions (status, created_at) WHERE launch_state = 'launched';

-- Append-only: the current status is the newest row (poms-reference.md §1.9).
CREATE TABLE submission_history (
  seq INTEGER PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  status TEXT NOT NULL,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  face TEXT NOT NULL,
  reason TEXT
) STRICT;
CREATE INDEX submission_history_submission ON submission_history (submission_id, seq);
CREATE TRIGGER submission_history_no_update BEFORE UPDATE ON submission_history
  BEGIN SELECT RAISE(ABORT, 'submission history is append-only'); END;
CREATE TRIGGER submission_history_no_delete BEFORE DELETE ON submission_history
  BEGIN SELECT RAISE(ABORT, 'submission history is append-only'); END;

-- Immutable: what a submission used, frozen at launch.
CREATE TABLE submission_snapshots (
  submission_id TEXT PRIMARY KEY REFERENCES submissions(id),
  snapshot TEXT NOT NULL CHECK (json_valid(snapshot)),
  taken_at INTEGER NOT NULL
) STRICT;
CREATE TRIGGER submission_snapshots_no_update BEFORE UPDATE ON submission_snapshots
  BEGIN SELECT RAISE(ABORT, 'submission snapshots are immutable'); END;
CREATE TRIGGER submission_snapshots_no_delete BEFORE DELETE ON submission_snapshots
  BEGIN SELECT RAISE(ABORT, 'submission snapshots are immutable'); END;

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  submission_id TEXT NOT NULL REFERENCES submissions(id),
  job_index INTEGER NOT NULL,
  batch_job_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('idle', 'running', 'held', 'completed', 'failed', 'removed')),
  exit_code INTEGER,
  hold_reason TEXT,
  submitted_at INTEGER,
  started_at INTEGER,
  finished_at INTEGER,
  wall_seconds REAL,
  cpu_seconds REAL,
  memory_mb REAL,
  host TEXT,
  updated_at INTEGER NOT NULL,
  UNIQUE (submission_id, job_index)
) STRICT;
CREATE INDEX jobs_submission_state ON jobs (submission_id, state);
CREATE INDEX jobs_updated ON jobs (updated_at);

CREATE TABLE held_launches (
  id TEXT PRIMARY KEY,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  stage_id TEXT NOT NULL REFERENCES stages(id),
  created_at INTEGER NOT NULL,
  launcher TEXT NOT NULL,
  launcher_role TEXT NOT NULL,
  test INTEGER NOT NULL DEFAULT 0,
  dataset_override TEXT,
  param_overrides TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(param_overrides)),
  parent_submission_id TEXT REFERENCES submissions(id)
) STRICT;
CREATE INDEX held_launches_order ON held_launches (experiment, created_at);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  experiment TEXT,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  face TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT,
  summary TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_entity ON audit_log (entity_id, seq);
CREATE INDEX audit_log_experiment ON audit_log (experiment, seq);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL CHECK (json_valid(value)),
  updated_at INTEGER NOT NULL
) STRICT;
`),
}
