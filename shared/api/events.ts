import { z } from 'zod'
import { ExperimentCode, Id } from '../domain/common'
import { Task } from '../domain/task'
import type { EventName } from './channels'

const changed = z.object({ experiment: ExperimentCode, ids: z.array(Id) })

/** Events are coarse "something changed" notices; the renderer refetches what it shows (style-anchors §4.4). */
export const eventPayloads = {
  'experiments:changed': z.object({}),
  'loginSetups:changed': changed,
  'jobTypes:changed': changed,
  'campaigns:changed': changed,
  'stages:changed': changed,
  'dependencies:changed': changed,
  /** `ids` are campaign ids whose draft was saved, discarded or published. */
  'drafts:changed': changed,
  /** `ids` are campaign ids that gained a published revision. */
  'revisions:changed': changed,
  /** `ids` are stage ids whose schedule changed (set, cleared, or cleared by an exhausted split). */
  'schedules:changed': changed,
  'submissions:changed': changed,
  'jobs:changed': z.object({ experiment: ExperimentCode, submissionIds: z.array(Id) }),
  'launchOutput:appended': z.object({ experiment: ExperimentCode, submissionId: Id }),
  'tasks:updated': z.object({ task: Task }),
} as const satisfies Record<EventName, z.ZodType>

export type EventPayload<E extends EventName> = z.infer<(typeof eventPayloads)[E]>
