import { describe, expect, it } from 'vitest'
import { campaignFileName } from '../../electron/core/campaigns/export-campaign'

describe('campaignFileName', () => {
  it.each([
    ['mc_gen', 'mc_gen.ini'],
    ['samples/sample_mc.ini', 'samples_sample_mc.ini'],
    ['My Campaign: 2026', 'My_Campaign_2026.ini'],
    ['../../etc/passwd', 'etc_passwd.ini'],
    ['...', 'campaign.ini'],
  ])('%j → %j', (name, file) => {
    expect(campaignFileName(name)).toBe(file)
  })
})
