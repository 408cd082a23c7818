import { randomUUID } from 'node:crypto'
import type { Task } from '../../../shared/domain/task'
import { AppError } from '../../../shared/errors'
import type { Clock } from '../ports'

export interface TaskHandle {
  readonly id: string
  readonly signal: AbortSignal
  progress(fraction: number | null, message?: string): void
  succeed(message?: string): void
  fail(message: string): void
}

const KEEP_FINISHED = 200

/** Long operations with id, progress and cancel; finished tasks are kept for a while, running ones always. */
export function createTaskRegistry(clock: Clock, onUpdate: (task: Task) => void) {
  const tasks = new Map<string, { task: Task; controller: AbortController }>()

  const publish = (task: Task) => {
    onUpdate({ ...task })
    if (task.state !== 'running') prune()
  }
  const prune = () => {
    const finished = [...tasks.values()].filter((t) => t.task.state !== 'running')
    for (const t of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) tasks.delete(t.task.id)
  }
  const finish = (entry: { task: Task }, state: Task['state'], message: string | null) => {
    if (entry.task.state !== 'running') return
    entry.task.state = state
    entry.task.message = message
    entry.task.finishedAt = clock.now()
    if (state === 'succeeded') entry.task.progress = 1
    publish(entry.task)
  }

  return {
    start(title: string, opts: { cancellable?: boolean; subject?: Task['subject'] } = {}): TaskHandle {
      const controller = new AbortController()
      const task: Task = {
        id: randomUUID(),
        title,
        state: 'running',
        progress: null,
        message: null,
        cancellable: opts.cancellable ?? false,
        startedAt: clock.now(),
        finishedAt: null,
        subject: opts.subject ?? null,
      }
      const entry = { task, controller }
      tasks.set(task.id, entry)
      publish(task)
      return {
        id: task.id,
        signal: controller.signal,
        progress(fraction, message) {
          if (task.state !== 'running') return
          task.progress = fraction === null ? null : Math.min(1, Math.max(0, fraction))
          if (message !== undefined) task.message = message
          publish(task)
        },
        succeed: (message) => finish(entry, 'succeeded', message ?? null),
        fail: (message) => finish(entry, 'failed', message),
      }
    },
    list: (): Task[] => [...tasks.values()].map((t) => ({ ...t.task })).sort((a, b) => b.startedAt - a.startedAt),
    cancel(id: string): Task {
      const entry = tasks.get(id)
      if (!entry) throw new AppError('NOT_FOUND', `task ${id} was not found`)
      if (!entry.task.cancellable) throw new AppError('BAD_INPUT', `task "${entry.task.title}" cannot be cancelled`)
      if (entry.task.state === 'running') {
        entry.controller.abort()
        finish(entry, 'cancelled', 'cancelled by request')
      }
      return { ...entry.task }
    },
  }
}
export type TaskRegistry = ReturnType<typeof createTaskRegistry>
