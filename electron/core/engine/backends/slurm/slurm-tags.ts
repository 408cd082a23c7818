/**
 * How a Slurm job carries its submission id. sbatch 22.05 reads no comment from the environment
 * (`man sbatch`, INPUT ENVIRONMENT VARIABLES: there is no SBATCH_COMMENT), so the launch sets two tags:
 * - the job name, through SBATCH_JOB_NAME, which beats a `#SBATCH --job-name` in the job script
 *   (environment variables override script options) and is written to the completion log;
 * - the comment, through a bash function `sbatch` exported to the launch script, which adds
 *   `--comment` before the author's own options (so the author's `--job-name` or `--comment` still
 *   wins) and survives a command-line `--job-name`.
 * Either one finds the job again (findTagged).
 */
export const slurmJobName = (submissionId: string): string => `poms-${submissionId}`
export const slurmComment = (submissionId: string): string => `POMS4_SUBMISSION_ID=${submissionId}`

export const slurmTagEnv = (submissionId: string): Record<string, string> => ({
  SBATCH_JOB_NAME: slurmJobName(submissionId),
  POMS_SBATCH_COMMENT: slurmComment(submissionId),
})

/** Bash code run after the login setup: the comment comes from the environment, so no value is ever code. */
export const SBATCH_COMMENT_FUNCTION = 'sbatch() { command sbatch --comment="$POMS_SBATCH_COMMENT" "$@"; }\nexport -f sbatch'
