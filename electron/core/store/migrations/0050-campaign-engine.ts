import type { Migration } from '../migrate'

/**
 * What the engine needs to carry a campaign to its end (issue 5): each submission's data project
 * and whether its wrap-up follow-ups (recovery, dependents) ran; per-experiment data handler
 * settings; per-stage cron schedules; queued launches that keep their idempotency key; and the
 * wrap-up reports.
 */
export const m0050CampaignEngine: Migration = {
  version: 50,
  name: 'campaign-engine',
  up: (db) =>
    db.exec(`
-- The project the data handler started for the submission (SAM project, Data Dispatcher project,
-- local project) and the environment it gave the jobs (secrets redacted).
ALTER TABLE submissions ADD COLUMN project TEXT;
ALTER TABLE submissions ADD COLUMN project_env TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(project_env));
-- Set once wrap-up has run the follow-ups (recovery walk, dependents) of a Located submission;
-- NULL on a Located row means they are still to run (a crash in between is resumed, never repeated).
ALTER TABLE submissions ADD COLUMN followed_up_at INTEGER;
UPDATE submissions SET followed_up_at = updated_at WHERE status = 'Located';
-- Local jobs: set once their results (outputs, consumed and failed inputs) are in the local catalog.
ALTER TABLE submissions ADD COLUMN results_recorded_at INTEGER;
UPDATE submissions SET results_recorded_at = updated_at WHERE status NOT IN ('New', 'Idle', 'Running', 'Held');
CREATE INDEX submissions_results_pending ON submissions (created_at) WHERE backend = 'local' AND results_recorded_at IS NULL;
CREATE INDEX submissions_completed ON submissions (created_at) WHERE status = 'Completed';
CREATE INDEX submissions_follow_up ON submissions (created_at) WHERE status = 'Located' AND followed_up_at IS NULL;
CREATE INDEX submissions_parent ON submissions (parent_submission_id) WHERE parent_submission_id IS NOT NULL;

-- Data handler configuration per experiment (service URLs…); secrets are ids into the secret store.
CREATE TABLE experiment_settings (
  experiment TEXT PRIMARY KEY REFERENCES experiments(name),
  settings TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
  secret_refs TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(secret_refs)),
  updater TEXT,
  rev INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL
) STRICT;

-- One cron schedule per stage, read in an IANA zone, launching as the person who set it (POMS).
CREATE TABLE schedules (
  stage_id TEXT PRIMARY KEY REFERENCES stages(id),
  experiment TEXT NOT NULL REFERENCES experiments(name),
  cron TEXT NOT NULL,
  timezone TEXT NOT NULL,
  -- NULL: follow the stage's default_clear_cronjob.
  clear_when_exhausted INTEGER,
  launcher TEXT NOT NULL,
  launcher_role TEXT NOT NULL,
  next_run_at INTEGER,
  last_run_at INTEGER,
  last_outcome TEXT,
  -- Launches refused because the split was exhausted while the schedule was kept (POMS counts them).
  exhausted_count INTEGER NOT NULL DEFAULT 0,
  rev INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX schedules_experiment ON schedules (experiment);
CREATE INDEX schedules_due ON schedules (next_run_at);

-- A queued automatic launch keeps its key, so a retried wrap-up never queues it twice.
ALTER TABLE held_launches ADD COLUMN idempotency_key TEXT;
ALTER TABLE held_launches ADD COLUMN reason TEXT;
CREATE UNIQUE INDEX held_launches_idempotency ON held_launches (experiment, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- What each wrap-up cycle did, one report per cycle that did something (pruned to the newest).
CREATE TABLE wrapup_reports (
  seq INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  trigger TEXT NOT NULL,
  lines TEXT NOT NULL CHECK (json_valid(lines))
) STRICT;
`),
}
