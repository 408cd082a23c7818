import type { Migration } from '../migrate'

/**
 * The `local` data handler's file catalog (architecture.md §6): the SAM-like bookkeeping of files on
 * this machine — files with their lineage, named definitions, frozen snapshots, and projects with a
 * consumed status per file — so local campaigns split, recover and chain stages as SAM ones do.
 * It describes this machine's disk, so it is not synced: rows use integer keys, not UUIDs.
 * Submission ids are kept as plain text (no foreign key), like SAM, which knows no POMS submission.
 */
export const m0040LocalCatalog: Migration = {
  version: 40,
  name: 'local-catalog',
  up: (db) =>
    db.exec(`
CREATE TABLE local_files (
  id INTEGER PRIMARY KEY,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  name TEXT NOT NULL,
  path TEXT,
  size INTEGER,
  created_at INTEGER NOT NULL,
  end_time INTEGER,
  version TEXT,
  runs TEXT NOT NULL DEFAULT '[]',
  availability TEXT NOT NULL DEFAULT 'physical' CHECK (availability IN ('physical', 'virtual')),
  metadata TEXT NOT NULL DEFAULT '{}',
  producer_submission_id TEXT,
  UNIQUE (experiment, name)
) STRICT;
-- One catalog entry per file on disk: registering a path again finds the same entry.
CREATE UNIQUE INDEX local_files_path ON local_files (experiment, path) WHERE path IS NOT NULL;
CREATE INDEX local_files_producer ON local_files (producer_submission_id) WHERE producer_submission_id IS NOT NULL;

CREATE TABLE local_file_parents (
  child INTEGER NOT NULL REFERENCES local_files(id),
  parent INTEGER NOT NULL REFERENCES local_files(id),
  PRIMARY KEY (child, parent)
) STRICT;
CREATE INDEX local_file_parents_parent ON local_file_parents (parent, child);

CREATE TABLE local_definitions (
  experiment TEXT NOT NULL REFERENCES experiments(name),
  name TEXT NOT NULL,
  dims TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  creator TEXT NOT NULL,
  PRIMARY KEY (experiment, name)
) STRICT;

CREATE TABLE local_snapshots (
  id INTEGER PRIMARY KEY,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE local_snapshot_files (
  snapshot_id INTEGER NOT NULL REFERENCES local_snapshots(id),
  position INTEGER NOT NULL,
  file INTEGER NOT NULL REFERENCES local_files(id),
  PRIMARY KEY (snapshot_id, position)
) STRICT;

CREATE TABLE local_projects (
  id INTEGER PRIMARY KEY,
  experiment TEXT NOT NULL REFERENCES experiments(name),
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  snapshot_id INTEGER NOT NULL REFERENCES local_snapshots(id),
  submission_id TEXT,
  state TEXT NOT NULL CHECK (state IN ('running', 'completed')),
  created_at INTEGER NOT NULL,
  UNIQUE (experiment, name)
) STRICT;
CREATE INDEX local_projects_submission ON local_projects (submission_id) WHERE submission_id IS NOT NULL;

CREATE TABLE local_project_files (
  project INTEGER NOT NULL REFERENCES local_projects(id),
  file INTEGER NOT NULL REFERENCES local_files(id),
  status TEXT NOT NULL CHECK (status IN ('unknown', 'delivered', 'transferred', 'consumed', 'completed', 'skipped', 'failed', 'cancelled', 'unconsumed')),
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (project, file)
) STRICT;
`),
}
