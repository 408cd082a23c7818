import { describe, expect, it } from 'vitest'
import { parseDimensions } from '../../shared/dimensions/parse'
import { datasetDims, dimsText, isDimsText, outputPatternDims, outputPatternList, samTimestamp, withLimit } from '../../shared/splits/dims'
import { dependencyName, fullNames, projectName, recoveryName, sliceNames, slicePrefix } from '../../shared/splits/names'
import { processStatusRecoveryQuery } from '../../shared/splits/submission-queries'

// The one place queries and names are written: nothing from outside can change what a query means.

describe('datasets in queries', () => {
  it('treats a dataset as a definition name unless it has dimension syntax', () => {
    expect(isDimsText('mc_gen')).toBe(false)
    expect(isDimsText('a,b-c')).toBe(false)
    for (const query of ['defname:x', 'file_name a', '(x)', "version 'v'"]) expect(isDimsText(query)).toBe(true)
    expect(datasetDims(' mc_gen ')).toEqual({ kind: 'defname', name: 'mc_gen' })
    expect(datasetDims('file_name a% minus file_name ab')).toEqual(parseDimensions('file_name a% minus file_name ab'))
    expect(() => datasetDims('  ')).toThrow(/empty/)
  })

  it.each(['minus', 'OR', 'with', 'a,b', 'a-b', 'x=y', 'a<b', 'a!b', '%', '100', 'limit'])('keeps the definition name %s one name inside a slice query', (name) => {
    const text = dimsText(withLimit(datasetDims(name), 5, 10))
    expect(parseDimensions(text)).toEqual({ kind: 'with', of: { kind: 'defname', name }, limit: 5, offset: 10 })
  })

  it('reads an output pattern with whitespace as a query fragment that stays one operand', () => {
    expect(outputPatternDims('%.root')).toEqual({ kind: 'file_name', op: 'like', values: ['%.root'] })
    expect(outputPatternDims(' file_name like a% or file_name like b% ')).toEqual(parseDimensions('file_name like a% or file_name like b%'))
    expect(() => outputPatternDims('file_name like a% ) or (defname:other')).toThrow()
  })

  it("lists output patterns as POMS does: comma-separated, '%' when none, fragments whole", () => {
    expect(outputPatternList([])).toEqual(['%'])
    expect(outputPatternList(['None', ' '])).toEqual(['%'])
    expect(outputPatternList(['%.root,%.log', '%.root'])).toEqual(['%.root', '%.log'])
    expect(outputPatternList(['run_number 1,2'])).toEqual(['run_number 1,2'])
  })

  it('writes create dates as POMS does, in UTC', () => {
    expect(samTimestamp(Date.UTC(2026, 0, 5, 7, 8, 9, 999))).toBe('2026-01-05T07:08:09+0000')
  })

  it('widens consumed_status consumed in SAM recovery dimensions to co%', () => {
    expect(processStatusRecoveryQuery('snapshot_for_project_name p minus (project_name p and consumed_status consumed)')).toBe(
      "snapshot_for_project_name p minus (project_name p and consumed_status 'co%')",
    )
  })
})

describe('names POMS gives what it creates', () => {
  it('names slices after their dataset, or after the stage when the dataset is a query', () => {
    expect(sliceNames.mod('ds', 2, 5)).toBe('ds_slice2_of_5')
    expect(sliceNames.nfiles('ds', 3, 100)).toBe('ds_slice3_files100')
    expect(sliceNames.limitn('ds', 'u', 50)).toBe('ds_u_limit50')
    expect(sliceNames.staged('ds', 8130, 40)).toBe('ds_slice_8130_stage_40')
    expect(sliceNames.existingRun('ds', 0, '12.0003')).toBe('ds_slice_0_run_12.0003')
    expect(sliceNames.byrun('ds', 'u', 7)).toBe('ds_u_run_7')
    expect(sliceNames.window('ds', 'u', 100, 200)).toBe('ds_u_time_100__200')
    expect(slicePrefix('file_name a%', 'my stage (v2)')).toBe('poms_my_stage_v2')
  })

  it('builds cumulative-snapshot names from the parts, so "slice" inside a dataset name survives', () => {
    expect(fullNames.staged('reslice_ds', 8130, 40, 1700000000)).toBe('reslice_ds_full_8130_stage_40_1700000000')
    expect(fullNames.existingRun('ds', 8130, '12.0003', 1700000000)).toBe('ds_full_8130_run_12.0003_1700000000')
  })

  it('names recovery, dependency and project definitions as POMS does', () => {
    expect(recoveryName('u', 'sid', 2)).toBe('poms_recover_u_sid_2')
    expect(dependencyName('sid', 1, null)).toBe('poms_depends_sid_1')
    expect(dependencyName('sid', 3, 'alice')).toBe('poms_alice_depends_sid_3')
    expect(projectName('reco pass 1', 'ab12')).toBe('poms_reco_pass_1_ab12')
  })
})
