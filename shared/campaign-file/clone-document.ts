/**
 * Clone a campaign under a new name, POMS-style (`gui_wf_clone`), with text replacements such as
 * `mc2023 → mc2024` applied to what usually carries a production's name.
 */
import { CampaignDocument, type DocDefaults } from '../domain/campaign-document'
import type { ParamPair } from '../domain/common'

export interface Replacement {
  from: string
  to: string
}

/**
 * Each replacement (in order, every occurrence) applies to stage names, dependency endpoints,
 * layout keys, datasets, software versions, keyword values and param override values, in the
 * stages and the defaults. Job types and login setups are shared by name and stay untouched;
 * stage ids are dropped (the clone's stages are new). Throws a ZodError when the result is not a
 * valid document (e.g. a replacement makes a name too long).
 */
export function cloneCampaignDocument(doc: CampaignDocument, name: string, replace: readonly Replacement[]): CampaignDocument {
  // An empty `from` would match between every character; it replaces nothing.
  const rules = replace.filter((r) => r.from !== '')
  const sub = (text: string) => rules.reduce((out, r) => out.split(r.from).join(r.to), text)
  const pairs = (list: readonly ParamPair[]): ParamPair[] => list.map(([k, v]) => [k, sub(v)])
  const settings = <T extends Partial<DocDefaults>>(s: T): T => ({
    ...s,
    ...(s.dataset !== undefined && { dataset: sub(s.dataset) }),
    ...(s.softwareVersion !== undefined && { softwareVersion: sub(s.softwareVersion) }),
    ...(s.paramOverrides !== undefined && { paramOverrides: pairs(s.paramOverrides) }),
    ...(s.testParamOverrides !== undefined && { testParamOverrides: pairs(s.testParamOverrides) }),
  })

  return CampaignDocument.parse({
    ...doc,
    name,
    keywords: Object.fromEntries(Object.entries(doc.keywords).map(([k, v]) => [k, sub(v)])),
    defaults: settings(doc.defaults),
    stages: doc.stages.map(({ id: _id, ...stage }) => settings({ ...stage, name: sub(stage.name) })),
    dependencies: doc.dependencies.map((d) => ({ ...d, from: sub(d.from), to: sub(d.to) })),
    layout: Object.fromEntries(Object.entries(doc.layout).map(([k, v]) => [sub(k), { ...v }])),
  })
}
