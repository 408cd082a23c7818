/**
 * A submission's job index from its batch id's position and the batch system's own task index
 * (HTCondor ProcId, Slurm array task id). Most submissions have one batch id, whose jobs keep their
 * own numbers; a launch command that submits several clusters or arrays numbers the k-th one's
 * jobs from k × BATCH_STRIDE, so indexes stay stable and never collide.
 */
export const BATCH_STRIDE = 1_000_000

export const jobIndex = (position: number, taskIndex: number): number => position * BATCH_STRIDE + taskIndex

export const splitJobIndex = (index: number): { position: number; taskIndex: number } => ({
  position: Math.floor(index / BATCH_STRIDE),
  taskIndex: index % BATCH_STRIDE,
})

/** The batch ids of a submission, in launch order (`12,13` → `['12', '13']`). */
export const batchIdList = (batchId: string | null): string[] =>
  (batchId ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export const joinBatchIds = (ids: readonly (string | number)[]): string => ids.join(',')
