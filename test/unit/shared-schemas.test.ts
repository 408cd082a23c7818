import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CHANNELS, EVENTS, isChannel, isEventName } from '../../shared/api/channels'
import { contract, LaunchRequest } from '../../shared/api/contract'
import { eventPayloads } from '../../shared/api/events'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../shared/api/paging'
import { CampaignInput } from '../../shared/domain/campaign'
import { ExperimentCode, IdRef, Name } from '../../shared/domain/common'
import { LoginSetupInput } from '../../shared/domain/login-setup'
import { SplitSpec, STAGE_DEFAULTS, StageInput } from '../../shared/domain/stage'

const UUID = '01234567-89ab-7def-8123-456789abcdef'

/** The field paths of a failed parse, dot-joined as dispatch reports them. */
function issuePaths(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input)
  expect(result.success).toBe(false)
  return result.success ? [] : result.error.issues.map((i) => i.path.map(String).join('.'))
}

describe('contract and channel lists', () => {
  it('has exactly the channels CHANNELS names', () => {
    expect(Object.keys(contract).sort()).toEqual([...CHANNELS].sort())
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length)
  })

  it('gives every channel an input and an output schema', () => {
    for (const channel of CHANNELS) {
      const spec = contract[channel]
      expect(spec.input, channel).toBeInstanceOf(z.ZodType)
      expect(spec.output, channel).toBeInstanceOf(z.ZodType)
    }
  })

  it('has a payload schema for exactly the events EVENTS names', () => {
    expect(Object.keys(eventPayloads).sort()).toEqual([...EVENTS].sort())
    for (const name of EVENTS) expect(eventPayloads[name], name).toBeInstanceOf(z.ZodType)
  })

  it('recognises channel and event names, and nothing else', () => {
    expect(isChannel('stages:create')).toBe(true)
    expect(isChannel('stages:drop')).toBe(false)
    expect(isChannel(42)).toBe(false)
    expect(isEventName('jobs:changed')).toBe(true)
    expect(isEventName('stages:create')).toBe(false)
  })
})

describe('inputs', () => {
  it('stages:create reports an empty name and an out-of-range completionPct by path', () => {
    const paths = issuePaths(contract['stages:create'].input, {
      experiment: 'demo',
      value: { campaignId: UUID, name: '   ', completionPct: 300 },
    })
    expect(paths.sort()).toEqual(['value.completionPct', 'value.name'])
  })

  it('stages:create reports a bad parameter pair by its index', () => {
    const paths = issuePaths(contract['stages:create'].input, {
      experiment: 'demo',
      value: { campaignId: UUID, name: 'x', paramOverrides: [['-a=', '1'], ['-b=', 2]] },
    })
    expect(paths).toEqual(['value.paramOverrides.1.1'])
  })

  it('requires an experiment on scoped calls and checks its form', () => {
    expect(issuePaths(contract['campaigns:get'].input, { id: 'c-ABCDEF' })).toEqual(['experiment'])
    expect(issuePaths(contract['campaigns:get'].input, { experiment: '9lives', id: 'c-ABCDEF' })).toEqual(['experiment'])
  })

  it('refuses an unknown role', () => {
    expect(issuePaths(contract['campaigns:get'].input, { experiment: 'demo', role: 'admin', id: 'c-ABCDEF' })).toEqual(['role'])
  })

  it('requires expectedRev on updates and deletes', () => {
    expect(issuePaths(contract['campaigns:delete'].input, { experiment: 'demo', id: UUID })).toEqual(['expectedRev'])
    expect(issuePaths(contract['campaigns:update'].input, { experiment: 'demo', id: UUID, expectedRev: 0, value: { name: 'a' } })).toEqual([
      'expectedRev',
    ])
  })

  it('limits list pages', () => {
    expect(issuePaths(contract['campaigns:list'].input, { experiment: 'demo', limit: MAX_PAGE_SIZE + 1 })).toEqual(['limit'])
    expect(issuePaths(contract['campaigns:list'].input, { experiment: 'demo', sort: 'random' })).toEqual(['sort'])
  })

  it('launch requests need an idempotency key of at least 8 characters', () => {
    expect(issuePaths(LaunchRequest, { experiment: 'demo', stageId: 't-ABCDEF', idempotencyKey: 'short' })).toEqual(['idempotencyKey'])
    expect(issuePaths(LaunchRequest, { experiment: 'demo', stageId: 't-ABCDEF' })).toEqual(['idempotencyKey'])
  })

  it('setStatus accepts only known statuses', () => {
    expect(issuePaths(contract['submissions:setStatus'].input, { experiment: 'demo', id: UUID, status: 'Unknown' })).toEqual(['status'])
  })

  it('campaign keywords must be identifiers', () => {
    const paths = issuePaths(CampaignInput, { name: 'c', keywords: { ok_1: 'a', '1bad': 'b' } })
    expect(paths).toEqual(['keywords.1bad'])
  })
})

describe('IdRef', () => {
  it.each([
    ['s-7kq2mx', 's-7KQ2MX'],
    ['S-7kq2mx', 's-7KQ2MX'],
    ['  t-abcdef  ', 't-ABCDEF'],
    ['0123ABCD-89AB-7DEF-8123-456789ABCDEF', '0123abcd-89ab-7def-8123-456789abcdef'],
    ['some-name', 'some-name'],
  ])('%j → %j', (raw, normalised) => {
    expect(IdRef.parse(raw)).toBe(normalised)
  })

  it('refuses an empty id', () => {
    expect(IdRef.safeParse('   ').success).toBe(false)
  })

  it('is normalised inside channel inputs', () => {
    const parsed = contract['submissions:get'].input.parse({ experiment: 'DEMO', id: ' s-7kq2mx ' })
    expect(parsed).toEqual({ experiment: 'demo', id: 's-7KQ2MX' })
  })
})

describe('defaults', () => {
  it('a stage takes the POMS defaults for everything left out', () => {
    const parsed = StageInput.parse({ campaignId: UUID, name: ' stage1 ' })
    expect(parsed).toEqual({ campaignId: UUID, name: 'stage1', ...STAGE_DEFAULTS, paramOverrides: [], testParamOverrides: [] })
    expect(parsed.completionPct).toBe(95)
    expect(parsed.voRole).toBe('Production')
  })

  it('lists default to the first sort, no cursor and the default page size', () => {
    const parsed = contract['campaigns:list'].input.parse({ experiment: 'demo' })
    expect(parsed).toEqual({
      experiment: 'demo',
      filter: { includeInactive: false },
      sort: 'name',
      cursor: null,
      limit: DEFAULT_PAGE_SIZE,
    })
    expect(contract['submissions:list'].input.parse({ experiment: 'demo' })).toMatchObject({ sort: '-createdAt', filter: { activeOnly: false } })
  })

  it('a launch request defaults to a real, non-test launch without overrides', () => {
    expect(LaunchRequest.parse({ experiment: 'demo', stageId: 't-abcdef', idempotencyKey: ' key-12345 ' })).toEqual({
      experiment: 'demo',
      stageId: 't-ABCDEF',
      test: false,
      datasetOverride: null,
      paramOverrides: [],
      idempotencyKey: 'key-12345',
      dryRun: false,
    })
  })

  it('a campaign defaults to an active regular campaign with nothing set', () => {
    expect(CampaignInput.parse({ name: 'c' })).toEqual({
      name: 'c',
      defaults: {},
      keywords: {},
      tags: [],
      active: true,
      campaignType: 'regular',
      layout: {},
    })
  })
})

describe('field rules', () => {
  it.each([
    ['None', null],
    ['none', null],
    ['', null],
    [null, null],
    ['  nfiles(10) ', 'nfiles(10)'],
    ['list', 'list'],
  ])('SplitSpec %j → %j', (raw, parsed) => {
    expect(SplitSpec.parse(raw)).toBe(parsed)
  })

  it('a local login setup needs no host or account', () => {
    expect(LoginSetupInput.parse({ name: 'here' })).toMatchObject({ backend: 'local', host: '', account: '', port: 22, hostTimezone: 'UTC' })
  })

  it.each(['htcondor', 'jobsub_lite', 'slurm'])('a %s login setup needs a host and an account', (backend) => {
    expect(issuePaths(LoginSetupInput, { name: 'remote', backend }).sort()).toEqual(['account', 'host'])
    expect(issuePaths(LoginSetupInput, { name: 'remote', backend, host: 'h.example.org' })).toEqual(['account'])
    expect(LoginSetupInput.safeParse({ name: 'remote', backend, host: 'h.example.org', account: 'novapro' }).success).toBe(true)
  })

  it('names are trimmed and refuse control characters', () => {
    expect(Name.parse('  a name ')).toBe('a name')
    expect(Name.safeParse('tab\there').success).toBe(false)
    expect(Name.safeParse('x'.repeat(201)).success).toBe(false)
  })

  it('experiment codes are lower-cased and must start with a letter', () => {
    expect(ExperimentCode.parse(' NOvA ')).toBe('nova')
    expect(ExperimentCode.safeParse('1nova').success).toBe(false)
  })
})
