import type { Campaign, CampaignDefaults, CampaignInput } from '../../../../shared/domain/campaign'
import type { CompletionType } from '../../../../shared/domain/stage'
import { plainCopy } from '../../lib/clone'
import type { FieldErrors } from '../../lib/field-errors'

type Pair = [string, string]

/** The campaign defaults the form edits; blank means "not set", so stages keep their own values. */
export interface DefaultsDraft {
  jobTypeId: string | null
  loginSetupId: string | null
  voRole: string
  softwareVersion: string
  completionType: CompletionType | ''
  completionPct: number | ''
  paramOverrides: Pair[]
}

export interface CampaignDraft {
  name: string
  /** Comma-separated, as people type tags. */
  tags: string
  active: boolean
  campaignType: 'regular' | 'test'
  /** Rows rather than a record, so a half-typed or repeated name is still visible. */
  keywords: Pair[]
  defaults: DefaultsDraft
}

const EDITED_DEFAULTS = ['jobTypeId', 'loginSetupId', 'voRole', 'softwareVersion', 'completionType', 'completionPct', 'paramOverrides'] as const

export function toCampaignDraft(source: Campaign | null): CampaignDraft {
  const defaults: CampaignDefaults = source ? plainCopy(source.defaults) : {}
  return {
    name: source?.name ?? '',
    tags: (source?.tags ?? []).join(', '),
    active: source?.active ?? true,
    campaignType: source?.campaignType ?? 'regular',
    keywords: Object.entries(source?.keywords ?? {}),
    defaults: {
      jobTypeId: defaults.jobTypeId ?? null,
      loginSetupId: defaults.loginSetupId ?? null,
      voRole: defaults.voRole ?? '',
      softwareVersion: defaults.softwareVersion ?? '',
      completionType: defaults.completionType ?? '',
      completionPct: defaults.completionPct ?? '',
      paramOverrides: (defaults.paramOverrides ?? []).map(([key, value]) => [key, value]),
    },
  }
}

const isBlank = (value: unknown): boolean =>
  value === null || value === '' || (Array.isArray(value) && value.length === 0)

/** The input to validate; defaults the form does not edit (split types, …) are kept as they were. */
export function campaignDraftToInput(draft: CampaignDraft, source: Campaign | null): CampaignInput {
  const defaults: Record<string, unknown> = source ? plainCopy(source.defaults) : {}
  for (const key of EDITED_DEFAULTS) {
    const value = draft.defaults[key]
    if (isBlank(value)) delete defaults[key]
    else defaults[key] = plainCopy(value)
  }
  return {
    name: draft.name,
    tags: draft.tags
      .split(',')
      .map((tag) => tag.trim())
      .filter((tag) => tag !== ''),
    active: draft.active,
    campaignType: draft.campaignType,
    keywords: Object.fromEntries(draft.keywords),
    defaults: defaults as CampaignDefaults,
    layout: source ? plainCopy(source.layout) : {},
  }
}

/** A keyword name typed twice would silently lose one value in the record. */
export function duplicateKeywordErrors(keywords: readonly Pair[]): FieldErrors {
  const errors: FieldErrors = {}
  const seen = new Set<string>()
  keywords.forEach(([name], row) => {
    if (seen.has(name)) errors[`keywords.${row}.0`] = `the keyword ${name} appears twice`
    seen.add(name)
  })
  return errors
}

/** Record errors are keyed by keyword name (`keywords.9x`); the editor shows rows (`keywords.3.0`). */
export function keywordErrorsByRow(errors: FieldErrors, keywords: readonly Pair[]): FieldErrors {
  const byRow: FieldErrors = { ...errors }
  keywords.forEach(([name], row) => {
    const message = errors[`keywords.${name}`]
    if (message !== undefined) {
      byRow[`keywords.${row}.0`] ??= message
      delete byRow[`keywords.${name}`]
    }
  })
  return byRow
}
