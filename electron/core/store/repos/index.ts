import type { Database } from 'better-sqlite3'
import { createAuditRepo } from './audit-repo'
import { createCampaignRepo } from './campaign-repo'
import { createDependencyRepo } from './dependency-repo'
import { createDraftRepo } from './draft-repo'
import { createExperimentRepo } from './experiment-repo'
import { createExperimentSettingsRepo } from './experiment-settings-repo'
import { createHeldLaunchRepo } from './held-launch-repo'
import { createJobRepo } from './job-repo'
import { createJobTypeRepo } from './job-type-repo'
import { createLocalCatalogRepo } from './local-catalog-repo'
import { createLoginSetupRepo } from './login-setup-repo'
import { createRevisionRepo } from './revision-repo'
import { createScheduleRepo } from './schedule-repo'
import { createSettingsRepo } from './settings-repo'
import { createSshHostKeyRepo } from './ssh-host-key-repo'
import { createStageRepo } from './stage-repo'
import { createSubmissionRepo } from './submission-repo'
import { createWrapupReportRepo } from './wrapup-report-repo'

/** Every repository over one connection; statements are prepared once here. */
export function createRepos(db: Database) {
  const jobs = createJobRepo(db)
  return {
    experiments: createExperimentRepo(db),
    loginSetups: createLoginSetupRepo(db),
    jobTypes: createJobTypeRepo(db),
    campaigns: createCampaignRepo(db),
    stages: createStageRepo(db),
    dependencies: createDependencyRepo(db),
    revisions: createRevisionRepo(db),
    drafts: createDraftRepo(db),
    jobs,
    submissions: createSubmissionRepo(db, jobs),
    heldLaunches: createHeldLaunchRepo(db),
    audit: createAuditRepo(db),
    settings: createSettingsRepo(db),
    sshHostKeys: createSshHostKeyRepo(db),
    experimentSettings: createExperimentSettingsRepo(db),
    schedules: createScheduleRepo(db),
    wrapupReports: createWrapupReportRepo(db),
    localCatalog: createLocalCatalogRepo(db),
  }
}
export type Repos = ReturnType<typeof createRepos>
