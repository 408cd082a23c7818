import { z } from 'zod'
import { Finding } from '../domain/campaign-document'

/** What an import created, reused or left out, by name. */
export const ImportTally = z.object({
  campaigns: z.array(z.string()).default([]),
  stages: z.array(z.string()).default([]),
  dependencies: z.array(z.string()).default([]),
  jobTypes: z.array(z.string()).default([]),
  loginSetups: z.array(z.string()).default([]),
})
export type ImportTally = z.output<typeof ImportTally>

export const IgnoredItem = z.object({ what: z.string(), why: z.string(), line: z.number().int().positive().nullable() })

/**
 * The per-file result of `poms import` / `poms validate` (and the UI's import report). The CLI's
 * `--json` prints exactly these objects, one per file.
 */
export const ImportResult = z.object({
  file: z.string(),
  /** True when the file was (or, in a dry run, would be) imported. */
  accepted: z.boolean(),
  dryRun: z.boolean(),
  campaign: z.string().nullable(),
  campaignId: z.string().nullable(),
  /** Stage names in file order. */
  stages: z.array(z.string()),
  /** Dependencies as `from → to`. */
  dependencies: z.array(z.string()),
  created: ImportTally,
  reused: ImportTally,
  ignored: z.array(IgnoredItem),
  warnings: z.array(Finding),
  errors: z.array(Finding),
})
export type ImportResult = z.output<typeof ImportResult>
