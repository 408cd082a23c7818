import { z } from 'zod'
import { EpochMs } from './common'

export const TASK_STATES = ['running', 'succeeded', 'failed', 'cancelled'] as const
export const TaskState = z.enum(TASK_STATES)

/** A long operation the UI can follow and cancel (Podman's TaskManager shape). */
export const Task = z.object({
  id: z.string(),
  title: z.string(),
  state: TaskState,
  /** 0..1, or null when the operation cannot tell. */
  progress: z.number().min(0).max(1).nullable(),
  message: z.string().nullable(),
  cancellable: z.boolean(),
  startedAt: EpochMs,
  finishedAt: EpochMs.nullable(),
  /** What the task is about, so the UI can link it (`submission`, id). */
  subject: z.object({ type: z.string(), id: z.string() }).nullable(),
})
export type Task = z.infer<typeof Task>
