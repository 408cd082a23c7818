import { iniToCampaignDocument } from '../../shared/campaign-file/ini-to-document'
import { parseIni } from '../../shared/ini/configparser'
import { startCore } from '../helpers/core-harness'
import { corpusFiles } from '../fixtures/ini/corpus'
import { measurePair, type BenchResult } from './harness'

/**
 * issue 3: importing every POMS campaign file of the compat corpus through `campaigns:import`
 * (parse, map, validate, write campaigns, stages, dependencies, job types, login setups and a
 * revision per file, each file in its own transaction) vs only parsing the same files with our
 * configparser — what the import costs beyond reading the text.
 */
export async function benchCorpusImport(): Promise<BenchResult> {
  const files = corpusFiles().filter((f) => f.kind === 'poms-ini')
  const needs = (kind: 'referencesJobTypes' | 'referencesLoginSetups', defines: 'definesJobTypes' | 'definesLoginSetups') =>
    new Set(
      files.flatMap((f) => {
        const parsed = iniToCampaignDocument(f.text, { fileName: f.name })
        return parsed[kind].filter((n) => !parsed[defines].includes(n))
      }),
    )
  const missingJobTypes = needs('referencesJobTypes', 'definesJobTypes')
  const missingLoginSetups = needs('referencesLoginSetups', 'definesLoginSetups')
  const harnesses: Awaited<ReturnType<typeof startCore>>[] = []

  const result = await measurePair(
    5,
    {
      label: `import ${files.length} files (campaigns:import)`,
      setup: async () => {
        const h = await startCore({ seed: true })
        harnesses.push(h)
        // What the files name but do not define must exist, as POMS requires.
        for (const name of missingJobTypes) await h.call('jobTypes:create', { experiment: 'demo', value: { name, launchScript: 'true' } })
        for (const name of missingLoginSetups) await h.call('loginSetups:create', { experiment: 'demo', value: { name } })
        return h
      },
      fn: async (state) => {
        const h = state as Awaited<ReturnType<typeof startCore>>
        const { results } = await h.call('campaigns:import', { experiment: 'demo', files: files.map((f) => ({ name: f.name, text: f.text })) })
        const refused = results.filter((r) => !r.accepted)
        // The one file POMS itself rejects (merge-conflict markers) is refused here too.
        if (refused.length !== 1) throw new Error(`expected exactly one refused file, got ${refused.map((r) => r.file).join(', ')}`)
      },
    },
    {
      label: `parse the same ${files.length} files (parseIni)`,
      setup: () => null,
      fn: () => {
        for (const f of files) {
          try {
            parseIni(f.text, { lowercaseKeys: true, strict: true })
          } catch {
            /* the refused file: parsing it is the whole work */
          }
        }
      },
    },
  )
  for (const h of harnesses) await h.stop()
  return {
    name: `Importing the compat corpus (${files.length} POMS campaign files)`,
    ...result,
    budget: Number.POSITIVE_INFINITY,
    note: `${(result.subject.medianMs / files.length).toFixed(2)} ms per file including the store writes; no budget is set in architecture.md §9`,
  }
}
