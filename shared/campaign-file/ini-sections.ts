import type { IniDocument, IniSection } from '../ini/ini-document'
import { stripText } from './ini-values'

/** A section whose header carries a name: `[campaign_stage NAME]`, `[job_type NAME]` … */
export interface NamedSection {
  /** Text after the first space, trimmed (POMS keeps the spaces; a name never needs them). */
  name: string
  section: IniSection
}

/** The sections of a POMS campaign file, sorted by what `ini_to_campaign` does with them (§1.3). */
export interface PomsSections {
  campaign: IniSection | null
  defaults: IniSection | null
  stages: NamedSection[]
  dependencies: NamedSection[]
  jobTypes: NamedSection[]
  loginSetups: NamedSection[]
  /** POMS ≤ v4.0 `[launch_template NAME]`: today's `[login_setup NAME]`. */
  launchTemplates: NamedSection[]
  nodePositions: IniSection | null
  /** Sections POMS ignores, with a hint when one looks like a typo of a section it reads. */
  others: { section: IniSection; why: string }[]
}

const NAMED_PREFIXES = {
  'campaign_stage ': 'stages',
  'dependencies ': 'dependencies',
  'job_type ': 'jobTypes',
  'login_setup ': 'loginSetups',
  'launch_template ': 'launchTemplates',
} as const

export function sortSections(doc: IniDocument): PomsSections {
  const out: PomsSections = {
    campaign: null,
    defaults: null,
    stages: [],
    dependencies: [],
    jobTypes: [],
    loginSetups: [],
    launchTemplates: [],
    nodePositions: null,
    others: [],
  }
  for (const section of doc.sections) {
    const name = section.name
    if (name === 'campaign') {
      out.campaign = section
      continue
    }
    if (name === 'campaign_defaults') {
      out.defaults = section
      continue
    }
    if (name === 'node_positions') {
      out.nodePositions = section
      continue
    }
    const prefix = (Object.keys(NAMED_PREFIXES) as (keyof typeof NAMED_PREFIXES)[]).find((p) => name.startsWith(p))
    if (prefix) {
      out[NAMED_PREFIXES[prefix]].push({ name: stripText(name.slice(name.indexOf(' ') + 1)), section })
      continue
    }
    out.others.push({ section, why: whyIgnored(name) })
  }
  return out
}

function whyIgnored(name: string): string {
  const lower = name.toLowerCase().replace(/\s+/g, ' ').trim()
  if (lower === 'campaign' || lower === 'campaign_defaults') return `POMS ignores it: section names are case-sensitive, write [${lower}]`
  for (const prefix of Object.keys(NAMED_PREFIXES)) {
    const bare = prefix.trim()
    if (lower === bare) return `POMS ignores it: write [${bare} NAME] with the name after a space`
    if (lower.startsWith(bare) && !name.startsWith(prefix)) return `POMS ignores it: write [${bare} NAME] (lower-case, one space before the name)`
  }
  return 'POMS ignores sections it does not know'
}
