import { z } from 'zod'
import { Name, ParamPairs, StoredMeta } from './common'

/** Recovery types POMS understands (poms-reference.md §1.11, §5). */
export const RECOVERY_TYPES = ['added_files', 'consumed_status', 'delivered_not_consumed', 'pending_files', 'process_status'] as const
export const RecoveryType = z.enum(RECOVERY_TYPES)
export type RecoveryType = z.infer<typeof RecoveryType>

/** One step of a job type's ordered recovery plan, with the parameter overrides for that step's launches. */
export const RecoveryStep = z.object({
  type: RecoveryType,
  paramOverrides: ParamPairs.default([]),
})
export type RecoveryStep = z.infer<typeof RecoveryStep>

const JobTypeFields = {
  name: Name,
  /** The command prefix run on the launch host, e.g. `fife_launch -c $FIFE_UTILS_DIR/cfg/generic.cfg`. */
  launchScript: z.string().trim().min(1, 'a launch script is required').max(10_000),
  /** The base parameter list: ordered `[key, value]` pairs. */
  definitionParameters: ParamPairs,
  /** SAM `file_name LIKE` patterns (e.g. `%.root`) that select a submission's outputs. */
  outputFilePatterns: z.array(z.string().trim().min(1).max(1000)).max(100),
  recoveryPlan: z.array(RecoveryStep).max(20),
  active: z.boolean(),
}

export const JobTypeInput = z.object({
  name: JobTypeFields.name,
  launchScript: JobTypeFields.launchScript,
  definitionParameters: JobTypeFields.definitionParameters.default([]),
  outputFilePatterns: JobTypeFields.outputFilePatterns.default([]),
  recoveryPlan: JobTypeFields.recoveryPlan.default([]),
  active: JobTypeFields.active.default(true),
})
export type JobTypeInput = z.input<typeof JobTypeInput>

export const JobType = z.object({ ...StoredMeta, ...JobTypeFields })
export type JobType = z.infer<typeof JobType>
