import { describe, expect, it } from 'vitest'
import type { SubmissionFacts } from '../../electron/core/engine/data/data-handler'
import { createDimensionDataHandler } from '../../electron/core/engine/data/dimension-data-handler/create-dimension-data-handler'
import { createMemoryDimensionBackend } from '../../electron/core/engine/data/dimension-data-handler/memory-backend'

// Completion, recovery, dependencies and file accounting as POMS asks SAM (poms-reference.md §5.1,
// §6.3, §7.2, §8.3), on a small catalog with parentage.

const HOUR = 3_600_000
const C = Date.UTC(2026, 0, 5) // when the submission was created
const CREATED = "'2026-01-05T00:00:00+0000'"
const P = 'poms_reco_abc12'

async function setup() {
  const backend = createMemoryDimensionBackend({ now: () => C + 10 * HOUR })
  backend.declareFiles([
    ...[0, 1, 2, 3].map((i) => ({ name: `raw_00${i}`, createdAt: C - 48 * HOUR })),
    { name: 'reco_000.root', parents: ['raw_000'], version: 'v1', createdAt: C + HOUR },
    { name: 'reco_001.root', parents: ['raw_001'], version: 'v1', createdAt: C + HOUR, availability: 'virtual' as const },
    { name: 'reco_002.root', parents: ['raw_002'], version: 'v0', createdAt: C + HOUR },
    { name: 'reco_003.log', parents: ['raw_003'], version: 'v1', createdAt: C + HOUR },
    { name: 'old_000.root', parents: ['raw_000'], version: 'v1', createdAt: C - HOUR },
    { name: 'mrg_000.root', parents: ['reco_000.root'], version: 'v1', createdAt: C + 2 * HOUR },
  ])
  await backend.createDefinition('raw_inputs', 'file_name raw_%')
  let ids = 0
  const handler = createDimensionDataHandler({ kind: 'sam', backend, newId: () => `r${++ids}` })
  const facts: SubmissionFacts = {
    experiment: 'samdev',
    submissionId: 'sub-1',
    shortId: 'abc12',
    stageName: 'reco',
    stageType: 'regular',
    dataset: 'raw_inputs',
    project: null,
    softwareVersion: 'v1',
    createdAt: C,
    outputPatterns: ['%.root'],
    outputAncestorDepth: 1,
    creator: 'alice',
    creatorRole: 'production',
    jobCount: 4,
    isRecovery: false,
  }
  const started = await handler.beginProject(facts)
  const withProject: SubmissionFacts = { ...facts, project: started.project }
  const statuses = (s: Record<string, 'consumed' | 'completed' | 'failed' | 'delivered' | 'skipped'>) => {
    for (const [file, status] of Object.entries(s)) backend.setStatus(P, file, status)
  }
  return { backend, handler, facts, withProject, started, statuses }
}

describe('projects and datasets', () => {
  it('starts poms_<stage>_<shortId> on a definition dataset and gives the jobs SAM_PROJECT and SAM_PROJECT_NAME', async () => {
    const { started, backend } = await setup()
    expect(started).toEqual({ project: P, env: { SAM_PROJECT: P, SAM_PROJECT_NAME: P, SAM_DATASET: 'raw_inputs' } })
    expect(await backend.countFiles(`snapshot_for_project_name ${P}`)).toBe(4)
  })

  it('defines a query dataset under the project name first, and starts nothing for values that are not datasets', async () => {
    const { handler, facts, backend } = await setup()
    const fromQuery = await handler.beginProject({ ...facts, shortId: 'q1', dataset: 'file_name raw_00% minus file_name raw_003' })
    expect(fromQuery.env.SAM_DATASET).toBe('poms_reco_q1')
    expect(backend.definitions().get('poms_reco_q1')).toBe('file_name raw_00% minus file_name raw_003')
    expect(await backend.countFiles('snapshot_for_project_name poms_reco_q1')).toBe(3)
    expect(await handler.beginProject({ ...facts, shortId: 'l1', dataset: 'ds_a' })).toEqual({ project: null, env: {} })
    expect(await handler.beginProject({ ...facts, shortId: 'g1', stageType: 'generator' })).toEqual({ project: null, env: {} })
  })

  it('counts and lists a plain name as defname:<name> and anything with dimension syntax as a query', async () => {
    const { handler } = await setup()
    expect(await handler.countFiles('samdev', 'raw_inputs')).toBe(4)
    expect(await handler.countFiles('samdev', 'file_name raw_000 or file_name raw_001')).toBe(2)
    expect(await handler.listFiles('samdev', 'raw_inputs', 2)).toEqual(['raw_000', 'raw_001'])
  })

  it('accounts for a submission from its project summary, with outputs as "Available output"', async () => {
    const { handler, withProject, facts, statuses } = await setup()
    statuses({ raw_000: 'consumed', raw_001: 'completed', raw_002: 'failed', raw_003: 'delivered' })
    expect(await handler.accounting(withProject)).toEqual({ submitted: 4, delivered: 4, consumed: 2, failed: 1, skipped: 0, unknown: 0, outputs: 2 })
    expect(await handler.accounting(facts)).toEqual({ submitted: null, delivered: null, consumed: null, failed: null, skipped: null, unknown: null, outputs: null })
  })
})

describe('located (§7.2)', () => {
  const located = `snapshot_for_project_name ${P} and isparentof:( file_name like '%.root' and version v1 and create_date > ${CREATED} with availability physical )`

  it('counts inputs with a physical output of this version made after the submission, against consumed × pct', async () => {
    const { handler, withProject, statuses } = await setup()
    statuses({ raw_000: 'consumed', raw_001: 'completed', raw_002: 'failed' })
    const half = await handler.located(withProject, 50)
    expect(half).toMatchObject({ located: true, count: 1, threshold: 1 })
    expect(half.detail).toContain(located)
    expect(await handler.located(withProject, 100)).toMatchObject({ located: false, count: 1, threshold: 2 })
  })

  it('nests the parentage output_ancestor_depth times and wants every pattern', async () => {
    const { handler, withProject, statuses, backend } = await setup()
    statuses({ raw_000: 'consumed' })
    const deep = await handler.located({ ...withProject, outputPatterns: ['mrg_%'], outputAncestorDepth: 2 }, 100)
    expect(deep).toMatchObject({ located: true, count: 1, threshold: 1 })
    expect(deep.detail).toContain(`and isparentof:( isparentof:( file_name like mrg_% and version v1 and create_date > ${CREATED} with availability physical ) )`)
    const both = await handler.located({ ...withProject, outputPatterns: ['%.root,%.log'] }, 100)
    expect(both.count).toBe(0)
    backend.declareFiles([{ name: 'reco_000.log', parents: ['raw_000'], version: 'v1', createdAt: C + HOUR }])
    expect(await handler.located({ ...withProject, outputPatterns: ['%.root', '%.log', '%.root'] }, 100)).toMatchObject({ located: true, count: 1 })
  })

  it('never locates on a zero threshold unless the submission is a recovery', async () => {
    const { handler, withProject } = await setup()
    const idle = await handler.located(withProject, 50)
    expect(idle).toMatchObject({ located: false, count: 1, threshold: 0 })
    expect(idle.detail).toMatch(/zero threshold never locates/)
    expect(await handler.located({ ...withProject, isRecovery: true }, 50)).toMatchObject({ located: true, threshold: 0 })
  })

  it('without a project counts the declared poms_depends_<sid>_1 against jobs × pct', async () => {
    const { handler, facts, backend } = await setup()
    expect(await handler.located(facts, 50)).toMatchObject({ located: false, count: 0, threshold: 2 })
    await backend.createDefinition('poms_depends_sub-1_1', 'file_name reco_%')
    const declared = await handler.located(facts, 50)
    expect(declared).toMatchObject({ located: true, count: 4, threshold: 2 })
    expect(declared.detail).toContain("defname:'poms_depends_sub-1_1'")
    await backend.createDefinition('poms_alice_depends_sub-1_1', 'file_name reco_000.root')
    expect(await handler.located({ ...facts, creatorRole: 'analysis' }, 50)).toMatchObject({ located: false, count: 1 })
    expect(await handler.located({ ...facts, jobCount: null }, 50)).toMatchObject({ located: false, threshold: 0 })
  })
})

describe('recovery datasets (§5.1)', () => {
  it('consumed_status: the project files not consumed or completed, defined as poms_recover_<uuid>_<sid>_<position>', async () => {
    const { handler, withProject, statuses, backend } = await setup()
    statuses({ raw_000: 'consumed', raw_001: 'completed', raw_002: 'failed', raw_003: 'delivered' })
    const dims = `snapshot_for_project_name ${P} minus (project_name ${P} and consumed_status co%)`
    const recovery = await handler.recoveryDataset(withProject, 'consumed_status', 0, null)
    expect(recovery).toMatchObject({ type: 'consumed_status', dataset: 'poms_recover_r1_sub-1_0', count: 2, files: null })
    expect(recovery.detail).toContain(dims)
    expect(backend.definitions().get('poms_recover_r1_sub-1_0')).toBe(dims)
    expect(await backend.listFiles('defname:poms_recover_r1_sub-1_0')).toEqual(['raw_002', 'raw_003'])
  })

  it('names a recovery computed against a recovery submission after the parent that owns the plan', async () => {
    const { handler, withProject, facts, statuses } = await setup()
    statuses({ raw_000: 'failed' })
    const parent = { ...facts, submissionId: 'sub-0' }
    expect((await handler.recoveryDataset({ ...withProject, isRecovery: true }, 'consumed_status', 2, parent)).dataset).toBe('poms_recover_r1_sub-0_2')
  })

  it('process_status: SAM recovery dimensions with consumed widened to co%, and nothing when SAM answers empty', async () => {
    const { handler, withProject, statuses, backend } = await setup()
    statuses({ raw_000: 'consumed', raw_001: 'completed', raw_002: 'failed' })
    const recovery = await handler.recoveryDataset(withProject, 'process_status', 1, null)
    expect(recovery.detail).toContain(`snapshot_for_project_name ${P} minus (project_name ${P} and consumed_status 'co%')`)
    expect(await backend.listFiles(`defname:${recovery.dataset}`)).toEqual(['raw_002', 'raw_003']) // the completed raw_001 is not recovered
    statuses({ raw_002: 'consumed', raw_003: 'completed' })
    const before = backend.definitions()
    expect(await handler.recoveryDataset(withProject, 'process_status', 2, null)).toMatchObject({ dataset: null, count: 0 })
    expect(backend.definitions()).toEqual(before)
  })

  it('added_files: the input dataset minus the project snapshot', async () => {
    const { handler, withProject, backend } = await setup()
    backend.declareFiles([{ name: 'raw_004' }])
    const recovery = await handler.recoveryDataset(withProject, 'added_files', 0, null)
    expect(recovery.detail).toContain(`defname:raw_inputs minus snapshot_for_project_name ${P}`)
    expect(recovery.count).toBe(1)
    // The dataset comes from the project when the submission has none.
    expect((await handler.recoveryDataset({ ...withProject, dataset: '' }, 'added_files', 0, null)).count).toBe(1)
  })

  it('delivered_not_consumed: with the project filled in, unlike POMS', async () => {
    const { handler, withProject, statuses } = await setup()
    statuses({ raw_000: 'consumed', raw_001: 'skipped', raw_002: 'failed', raw_003: 'delivered' })
    const recovery = await handler.recoveryDataset(withProject, 'delivered_not_consumed', 0, null)
    expect(recovery.detail).toContain(`project_name ${P} and consumed_status skipped,unknown,delivered,transferred,unconsumed,cancelled`)
    expect(recovery.count).toBe(2)
  })

  it('pending_files: inputs without an output of this version after the submission started, nested by depth', async () => {
    const { handler, withProject, backend } = await setup()
    const recovery = await handler.recoveryDataset(withProject, 'pending_files', 0, null)
    expect(recovery.detail).toContain(`snapshot_for_project_name ${P} minus isparentof:( version v1 and file_name like '%.root' and create_date > ${CREATED} )`)
    expect(await backend.listFiles(`defname:${recovery.dataset}`)).toEqual(['raw_002', 'raw_003'])
    const deep = await handler.recoveryDataset({ ...withProject, outputPatterns: ['mrg_%'], outputAncestorDepth: 2 }, 'pending_files', 0, null)
    expect(deep.detail).toContain('minus isparentof:( isparentof:( version v1 and file_name like mrg_% and')
    expect(deep.count).toBe(3)
  })

  it('the preview counts and lists the files and creates nothing; its dataset is the query', async () => {
    const { handler, withProject, statuses, backend } = await setup()
    statuses({ raw_000: 'consumed' })
    const before = backend.definitions()
    const preview = await handler.recoveryDataset(withProject, 'consumed_status', 0, null, { preview: true, fileLimit: 2 })
    const dims = `snapshot_for_project_name ${P} minus (project_name ${P} and consumed_status co%)`
    expect(preview).toMatchObject({ dataset: dims, count: 3, files: ['raw_001', 'raw_002'] })
    expect(backend.definitions()).toEqual(before)
    expect(await handler.countFiles('samdev', preview.dataset!)).toBe(3)
  })

  it('finds nothing to recover without a project, and defines nothing for an empty result', async () => {
    const { handler, facts, withProject, statuses, backend } = await setup()
    expect(await handler.recoveryDataset(facts, 'consumed_status', 0, null)).toMatchObject({ dataset: null, count: 0, files: null })
    statuses({ raw_000: 'consumed', raw_001: 'consumed', raw_002: 'completed', raw_003: 'consumed' })
    const before = backend.definitions()
    expect(await handler.recoveryDataset(withProject, 'consumed_status', 0, null)).toMatchObject({ dataset: null, count: 0 })
    expect(backend.definitions()).toEqual(before)
  })
})

describe('dependency datasets (§6.3)', () => {
  const base = `ischildof:( snapshot_for_project_name ${P} ) and version v1 and create_date > ${CREATED}`

  it('defines poms_depends_<sid>_<i> on the upstream outputs and keeps it while it holds as many files as the query finds', async () => {
    const { handler, withProject, backend } = await setup()
    const first = await handler.dependencyDataset(withProject, '%.root', 1, 'regular')
    expect(first).toMatchObject({ dataset: 'poms_depends_sub-1_1', count: 2, detail: expect.stringMatching(/^created/) })
    expect(backend.definitions().get('poms_depends_sub-1_1')).toBe(`${base} and file_name like '%.root'`)
    expect(await handler.dependencyDataset(withProject, '%.root', 1, 'regular')).toMatchObject({ count: 2, detail: expect.stringMatching(/^kept/) })
    // The definition is a query, so the outputs of the upstream's recoveries join it.
    backend.declareFiles([{ name: 'reco_002b.root', parents: ['raw_002'], version: 'v1', createdAt: C + 5 * HOUR }])
    expect(await handler.dependencyDataset(withProject, '%.root', 1, 'regular')).toMatchObject({ count: 3, detail: expect.stringMatching(/^kept/) })
  })

  it('recreates a definition of that name that holds fewer files than the query finds', async () => {
    const { handler, withProject, backend } = await setup()
    await backend.createDefinition('poms_depends_sub-1_1', 'file_name reco_000.root')
    expect(await handler.dependencyDataset(withProject, '%.root', 1, 'regular')).toMatchObject({ count: 2, detail: expect.stringMatching(/^recreated/) })
    expect(backend.definitions().get('poms_depends_sub-1_1')).toBe(`${base} and file_name like '%.root'`)
  })

  it('uses a pattern with whitespace as a dimension fragment, and comma-separated patterns as alternatives', async () => {
    const { handler, withProject, backend } = await setup()
    await handler.dependencyDataset(withProject, 'file_name like %.root or file_name like %.log', 1, 'regular')
    expect(backend.definitions().get('poms_depends_sub-1_1')).toBe(`${base} and (file_name like '%.root' or file_name like '%.log')`)
    expect(await backend.countFiles('defname:poms_depends_sub-1_1')).toBe(3)
    expect(await handler.dependencyDataset(withProject, '%.root,%.log', 2, 'regular')).toMatchObject({ count: 3 })
  })

  it('nests ischildof by output_ancestor_depth and names analysis definitions after their creator', async () => {
    const { handler, withProject, backend } = await setup()
    const result = await handler.dependencyDataset({ ...withProject, creatorRole: 'analysis', outputAncestorDepth: 2 }, 'mrg_%', 2, 'regular')
    expect(result).toMatchObject({ dataset: 'poms_alice_depends_sub-1_2', count: 1 })
    expect(backend.definitions().get('poms_alice_depends_sub-1_2')).toMatch(/^ischildof:\( ischildof:\( snapshot_for_project_name /)
  })

  it('leaves the definition to the jobs of a generator or of a submission without a project', async () => {
    const { handler, withProject, facts, backend } = await setup()
    const before = backend.definitions()
    expect(await handler.dependencyDataset(withProject, '%.root', 1, 'generator')).toMatchObject({ dataset: 'poms_depends_sub-1_1', count: 0 })
    expect(await handler.dependencyDataset(facts, '%.root', 1, 'regular')).toMatchObject({ dataset: 'poms_depends_sub-1_1', count: 0 })
    expect(backend.definitions()).toEqual(before)
  })

  it('passes an approval stage’s dataset on', async () => {
    const { handler, facts, backend } = await setup()
    expect(await handler.dependencyDataset(facts, '%', 1, 'approval')).toMatchObject({ dataset: 'poms_depends_sub-1_1', count: 4 })
    expect(backend.definitions().get('poms_depends_sub-1_1')).toBe("defname:raw_inputs and file_name like '%'")
  })
})
