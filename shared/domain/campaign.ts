import { z } from 'zod'
import { Name, StoredMeta } from './common'
import { StageSettings } from './stage'

/** Campaign-level defaults for its stages (`[campaign_defaults]` of a POMS .ini file). */
export const CampaignDefaults = z.object(StageSettings).partial()
export type CampaignDefaults = z.infer<typeof CampaignDefaults>

/** `%(name)s` substitution keywords; names follow Python identifier rules as POMS's validator does. */
export const CampaignKeywords = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a keyword name: letters, digits and _, not starting with a digit'),
  z.string().max(10_000),
)

export const CampaignType = z.enum(['regular', 'test'])

/** Node positions of the workflow editor, keyed by stage name. */
export const CampaignLayout = z.record(z.string(), z.object({ x: z.number(), y: z.number() }))

const CampaignFields = {
  name: Name,
  defaults: CampaignDefaults,
  keywords: CampaignKeywords,
  tags: z.array(z.string().trim().min(1).max(100)).max(100),
  active: z.boolean(),
  campaignType: CampaignType,
  layout: CampaignLayout,
}

export const CampaignInput = z.object({
  name: CampaignFields.name,
  defaults: CampaignFields.defaults.default({}),
  keywords: CampaignFields.keywords.default({}),
  tags: CampaignFields.tags.default([]),
  active: CampaignFields.active.default(true),
  campaignType: CampaignFields.campaignType.default('regular'),
  layout: CampaignFields.layout.default({}),
})
export type CampaignInput = z.input<typeof CampaignInput>

export const Campaign = z.object({ ...StoredMeta, ...CampaignFields })
export type Campaign = z.infer<typeof Campaign>
