import type { Job } from '../../../../shared/domain/job'

/** A job failed when the batch system says so, or when it ended with a non-zero exit code. */
export const isFailedJob = (job: Job): boolean => job.state === 'failed' || (job.exitCode !== null && job.exitCode !== 0)
