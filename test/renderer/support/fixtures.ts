import type { Schedule, Session, SplitPreview } from '../../../shared/api/contract'
import type { Campaign } from '../../../shared/domain/campaign'
import type { Job, JobCounts } from '../../../shared/domain/job'
import { emptyJobCounts } from '../../../shared/domain/job'
import type { JobType } from '../../../shared/domain/job-type'
import type { LoginSetup } from '../../../shared/domain/login-setup'
import type { Stage } from '../../../shared/domain/stage'
import { STAGE_DEFAULTS } from '../../../shared/domain/stage'
import type { Submission, SubmissionDetail } from '../../../shared/domain/submission'

/** Deterministic UUIDs: `uuid(7)` → 00000000-0000-7000-8000-000000000007. */
export const uuid = (n: number): string => `00000000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`

const T0 = Date.UTC(2025, 0, 15, 12, 0, 0)

const meta = (n: number, kind: string) => ({
  id: uuid(n),
  shortId: `${kind}-${n.toString().padStart(6, '0').replace(/[ILOU]/g, '0')}`,
  experiment: 'samdev',
  rev: 1,
  createdAt: T0,
  updatedAt: T0,
  creator: 'alice',
  creatorRole: 'production',
  updater: null,
})

export function session(overrides: Partial<Session> = {}): Session {
  return {
    user: { username: 'alice', displayName: 'Alice', root: false },
    memberships: [
      { experiment: 'samdev', role: 'production', actingRoles: ['analysis', 'production-shifter', 'production'] },
      { experiment: 'nova', role: 'analysis', actingRoles: ['analysis'] },
    ],
    defaultExperiment: 'samdev',
    face: 'web',
    version: '0.1.0',
    dataDir: '/tmp/poms',
    ...overrides,
  }
}

export function campaign(n: number, overrides: Partial<Campaign> = {}): Campaign {
  return {
    ...meta(n, 'c'),
    name: `campaign-${n}`,
    defaults: {},
    keywords: {},
    tags: [],
    active: true,
    campaignType: 'regular',
    layout: {},
    ...overrides,
  }
}

export function stage(n: number, campaignId: string, overrides: Partial<Stage> = {}): Stage {
  return {
    ...meta(n, 't'),
    ...STAGE_DEFAULTS,
    paramOverrides: [],
    testParamOverrides: [],
    campaignId,
    name: `stage-${n}`,
    splitCursor: null,
    hold: null,
    ...overrides,
  }
}

export function loginSetup(n: number, overrides: Partial<LoginSetup> = {}): LoginSetup {
  return {
    ...meta(n, 'l'),
    name: `login-${n}`,
    backend: 'local',
    host: '',
    port: 22,
    account: '',
    setup: '',
    hostTimezone: 'UTC',
    active: true,
    authMethod: 'agent',
    keyFile: '',
    secretRef: null,
    ...overrides,
  }
}

export function jobType(n: number, overrides: Partial<JobType> = {}): JobType {
  return {
    ...meta(n, 'j'),
    name: `jobtype-${n}`,
    launchScript: 'echo launch',
    definitionParameters: [],
    outputFilePatterns: [],
    recoveryPlan: [],
    active: true,
    ...overrides,
  }
}

export function counts(partial: Partial<JobCounts>): JobCounts {
  const filled = { ...emptyJobCounts(), ...partial }
  filled.total = filled.idle + filled.running + filled.held + filled.completed + filled.failed + filled.removed
  return filled
}

export function submission(n: number, overrides: Partial<Submission> = {}): Submission {
  return {
    id: uuid(n),
    shortId: `s-${n.toString().padStart(6, '0')}`,
    experiment: 'samdev',
    campaignId: uuid(1),
    stageId: uuid(2),
    stageName: 'stage-2',
    campaignName: 'campaign-1',
    status: 'Running',
    statusAt: T0,
    launchState: 'launched',
    launchError: null,
    test: false,
    backend: 'local',
    batchId: null,
    dataset: 'files:/data/*.root',
    parentSubmissionId: null,
    creator: 'alice',
    creatorRole: 'production',
    createdAt: T0,
    updatedAt: T0,
    rev: 1,
    jobCounts: counts({ running: 1 }),
    ...overrides,
  }
}

export function job(index: number, submissionId: string, overrides: Partial<Job> = {}): Job {
  return {
    id: uuid(1000 + index),
    submissionId,
    index,
    batchJobId: `${index}`,
    state: 'completed',
    exitCode: 0,
    holdReason: null,
    submittedAt: T0,
    startedAt: T0,
    finishedAt: T0 + 60_000,
    wallSeconds: 60,
    cpuSeconds: 30,
    memoryMb: 100,
    host: 'node1',
    updatedAt: T0,
    ...overrides,
  }
}

export function detail(sub: Submission, overrides: Partial<SubmissionDetail> = {}): SubmissionDetail {
  return {
    submission: sub,
    history: [{ status: 'New', at: T0, actor: 'alice', face: 'web', reason: null }],
    snapshot: null,
    ...overrides,
  }
}

/** A split preview of `slices` slices of `perSlice` files each from a 20-file dataset, as nfiles(5) gives. */
export function splitPreview(stageId: string, overrides: Partial<SplitPreview> = {}, perSlice = 5, slices = 4): SplitPreview {
  return {
    stageId,
    splitType: `nfiles(${perSlice})`,
    cursor: null,
    slices: Array.from({ length: slices }, (_, k) => ({
      dataset: `sample_slice${k}_files${perSlice}`,
      cursorAfter: k + 1,
      fileCount: perSlice,
      definitions: [{ name: `sample_slice${k}_files${perSlice}`, dims: `defname:sample with limit ${perSlice} offset ${k * perSlice}` }],
      description: `files ${k * perSlice + 1}–${(k + 1) * perSlice} of sample (${perSlice} files)`,
      files: Array.from({ length: Math.min(perSlice, 3) }, (_, i) => `/data/run0001_subrun${String(k * perSlice + i).padStart(3, '0')}.dat`),
    })),
    exhaustedAfter: slices,
    notes: ['nfiles is documented as unsuitable for datasets that change while the campaign runs.'],
    ...overrides,
  }
}

export function schedule(stageId: string, overrides: Partial<Schedule> = {}): Schedule {
  return {
    stageId,
    stageName: 'stage-2',
    campaignId: uuid(1),
    cron: '30 6 * * 1-5',
    timezone: 'America/Chicago',
    clearWhenExhausted: true,
    launcher: 'alice',
    nextRuns: [Date.UTC(2025, 0, 16, 12, 30), Date.UTC(2025, 0, 17, 12, 30)],
    lastRunAt: null,
    lastOutcome: null,
    ...overrides,
  }
}
