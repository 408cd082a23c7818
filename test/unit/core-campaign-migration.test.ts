import BetterSqlite3 from 'better-sqlite3'
import { readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CampaignDocument } from '../../shared/domain/campaign-document'
import { materializeCampaign } from '../../electron/core/campaigns/materialize'
import { MIGRATIONS } from '../../electron/core/store/migrations'
import { m0010Initial } from '../../electron/core/store/migrations/0010-initial'
import { STORE_FILE } from '../../electron/core/store/open-store'
import { createRepos } from '../../electron/core/store/repos'
import { openTestStore, tempDataDir } from '../helpers/core-harness'

const dirs: string[] = []
const freshDir = () => {
  const dir = tempDataDir('poms-migrate20-')
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const C = '01900000-0000-7000-8000-00000000000c'
const GONE = '01900000-0000-7000-8000-0000000000cc'
const JT = '01900000-0000-7000-8000-0000000000a1'
const LS = '01900000-0000-7000-8000-0000000000b1'
const S1 = '01900000-0000-7000-8000-000000000001'
const S2 = '01900000-0000-7000-8000-000000000002'
const S_DEAD = '01900000-0000-7000-8000-000000000003'
const D1 = '01900000-0000-7000-8000-0000000000d1'

/** A store as version 0.1 (schema 10) left it: one campaign with two live stages, a deleted one, and a dependency. */
function schema10StoreWithACampaign(dir: string): void {
  const store = openTestStore({ dataDir: dir, migrations: [m0010Initial] })
  store.db.exec(`
    INSERT INTO experiments (id, name, display_name, created_at, updated_at) VALUES ('e1', 'dune', 'DUNE', 1, 1);
    INSERT INTO login_setups (id, short_id, experiment, name, backend, host, account, setup, creator, creator_role, created_at, updated_at)
      VALUES ('${LS}', 'l-AAAAAA', 'dune', 'dune_login', 'jobsub_lite', 'dunegpvm01.fnal.gov', 'dunepro', 'setup fife', 'ann', 'production', 10, 10);
    INSERT INTO job_types (id, short_id, experiment, name, launch_script, definition_parameters, output_file_patterns, recovery_plan, creator, creator_role, created_at, updated_at)
      VALUES ('${JT}', 'j-AAAAAA', 'dune', 'gen_jt', 'fife_launch -c gen.cfg', '[["-N ","5"]]', '["%.root"]', '[{"type":"added_files","paramOverrides":[]}]', 'ann', 'production', 10, 10);
    INSERT INTO campaigns (id, short_id, experiment, name, defaults, keywords, tags, layout, creator, creator_role, updater, rev, created_at, updated_at)
      VALUES ('${C}', 'c-AAAAAA', 'dune', 'mc', '{"jobTypeId":"${JT}","softwareVersion":"v1"}', '{"release":"v1"}', '["mc"]', '{"gen":{"x":1,"y":2}}', 'ann', 'production', 'bob', 3, 20, 30);
    INSERT INTO campaigns (id, short_id, experiment, name, creator, creator_role, created_at, updated_at, deleted_at)
      VALUES ('${GONE}', 'c-BBBBBB', 'dune', 'deleted one', 'ann', 'production', 20, 30, 40);
    INSERT INTO stages (id, short_id, experiment, campaign_id, name, job_type_id, login_setup_id, dataset, split_type, param_overrides, merge_overrides, creator, creator_role, created_at, updated_at)
      VALUES ('${S1}', 't-AAAAAA', 'dune', '${C}', 'gen', '${JT}', '${LS}', 'raw', 'drainingn(10)', '[["-Ox=","1"]]', 1, 'ann', 'production', 21, 21);
    INSERT INTO stages (id, short_id, experiment, campaign_id, name, job_type_id, login_setup_id, creator, creator_role, created_at, updated_at)
      VALUES ('${S2}', 't-BBBBBB', 'dune', '${C}', 'reco', '${JT}', '${LS}', 'ann', 'production', 22, 22);
    INSERT INTO stages (id, short_id, experiment, campaign_id, name, creator, creator_role, created_at, updated_at, deleted_at)
      VALUES ('${S_DEAD}', 't-CCCCCC', 'dune', '${C}', 'old', 'ann', 'production', 23, 23, 24);
    INSERT INTO dependencies (id, short_id, experiment, campaign_id, from_stage_id, to_stage_id, file_patterns, creator, creator_role, created_at, updated_at)
      VALUES ('${D1}', 'd-AAAAAA', 'dune', '${C}', '${S1}', '${S2}', '%.root', 'ann', 'production', 25, 25);
  `)
  store.close()
}

/** The code as of migration 20, so this test stays about 10 → 20 whatever comes later. */
const UP_TO_20 = MIGRATIONS.filter((m) => m.version <= 20)

describe('migration 20: campaign revisions and drafts', () => {
  it('moves a schema 10 store with a campaign to 20, keeping a backup, and gives the campaign its revision 1', () => {
    const dir = freshDir()
    schema10StoreWithACampaign(dir)

    const store = openTestStore({ dataDir: dir, migrations: UP_TO_20 })
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(20)
      expect(readdirSync(dir).filter((f) => f.includes('.bak-'))).toEqual([`${STORE_FILE}.bak-v10-v20`])

      const revisions = store.db.prepare('SELECT * FROM campaign_revisions ORDER BY campaign_id').all() as Record<string, unknown>[]
      expect(revisions).toHaveLength(1) // none for the deleted campaign
      expect(revisions[0]).toMatchObject({ campaign_id: C, experiment: 'dune', revision: 1, creator: 'bob', created_at: 30, face: 'engine' })

      const document = CampaignDocument.parse(JSON.parse(revisions[0]!.document as string))
      expect(document).toMatchObject({
        name: 'mc',
        keywords: { release: 'v1' },
        tags: ['mc'],
        defaults: { jobType: 'gen_jt', softwareVersion: 'v1' },
        layout: { gen: { x: 1, y: 2 } },
        dependencies: [{ from: 'gen', to: 'reco', filePatterns: '%.root' }],
        jobTypes: [{ name: 'gen_jt', launchScript: 'fife_launch -c gen.cfg', definitionParameters: [['-N ', '5']], outputFilePatterns: ['%.root'] }],
        loginSetups: [{ name: 'dune_login', backend: 'jobsub_lite', host: 'dunegpvm01.fnal.gov', account: 'dunepro', setup: 'setup fife' }],
      })
      expect(document.stages.map((s) => [s.id, s.name, s.jobType, s.loginSetup])).toEqual([
        [S1, 'gen', 'gen_jt', 'dune_login'],
        [S2, 'reco', 'gen_jt', 'dune_login'],
      ])
      expect(document.stages[0]).toMatchObject({ dataset: 'raw', splitType: 'drainingn(10)', paramOverrides: [['-Ox=', '1']], mergeOverrides: true })

    } finally {
      store.close()
    }

    // The frozen materialiser of the migration agrees with today's one on the same rows (at today's schema).
    const today = openTestStore({ dataDir: dir })
    try {
      const repos = createRepos(today.db)
      const revision1 = JSON.parse(today.db.prepare('SELECT document FROM campaign_revisions WHERE campaign_id = ?').pluck().get(C) as string)
      // Read as every consumer reads a stored document: through the schema, which fills later fields' defaults.
      expect(CampaignDocument.parse(revision1)).toEqual(materializeCampaign(repos, repos.campaigns.require('dune', C)))
    } finally {
      today.close()
    }

    // The backup is the untouched schema 10 store.
    const backup = new BetterSqlite3(join(dir, `${STORE_FILE}.bak-v10-v20`), { readonly: true })
    try {
      expect(backup.pragma('user_version', { simple: true })).toBe(10)
      expect(backup.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'campaign_revisions'").pluck().get()).toBe(0)
    } finally {
      backup.close()
    }
  })

  it('keeps revisions append-only and drafts one per campaign with valid JSON', () => {
    const dir = freshDir()
    schema10StoreWithACampaign(dir)
    const store = openTestStore({ dataDir: dir })
    try {
      expect(() => store.db.prepare('UPDATE campaign_revisions SET summary = ?').run('rewritten')).toThrow(/append-only/)
      expect(() => store.db.prepare('DELETE FROM campaign_revisions').run()).toThrow(/append-only/)
      expect(() =>
        store.db.prepare('INSERT INTO campaign_revisions (id, experiment, campaign_id, revision, document, created_at, creator, face) VALUES (?, ?, ?, 1, ?, 1, ?, ?)').run('x', 'dune', C, '{}', 'ann', 'cli'),
      ).toThrow(/UNIQUE/)
      const draft = store.db.prepare('INSERT INTO campaign_drafts (campaign_id, experiment, document, base_revision, rev, created_at, updated_at, updater) VALUES (?, ?, ?, 1, 1, 1, 1, ?)')
      expect(() => draft.run(C, 'dune', 'not json', 'ann')).toThrow(/CHECK/)
      draft.run(C, 'dune', '{}', 'ann')
      expect(() => draft.run(C, 'dune', '{}', 'ann')).toThrow(/UNIQUE|PRIMARY/)
    } finally {
      store.close()
    }
  })

  it('is part of every fresh store: the tables exist and there are no revisions yet', () => {
    expect(MIGRATIONS.map((m) => m.version)).toContain(20)
    const store = openTestStore({ dataDir: freshDir() })
    try {
      expect(store.db.prepare('SELECT count(*) FROM campaign_revisions').pluck().get()).toBe(0)
      const columns = (store.db.prepare('PRAGMA table_info(stages)').all() as { name: string }[]).map((c) => c.name)
      expect(columns).toContain('position')
    } finally {
      store.close()
    }
  })
})
