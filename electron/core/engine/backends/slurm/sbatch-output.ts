const SUBMITTED = /^Submitted batch job (\d+)(?: on cluster (\S+))?$/
const PARSABLE = /^(\d+)(?:;(\S+))?$/

export interface SbatchJob {
  jobId: number
  /** The cluster of a multi-cluster submission (`--parsable` prints `N;cluster`). */
  cluster: string | null
}

/**
 * The jobs a launch submitted, in order, from sbatch's output: `Submitted batch job N` by default,
 * the bare `N` or `N;cluster` with --parsable (test/fixtures/batch/slurm). The first form wins when
 * both appear, since any script may print a bare number.
 */
export function parseSbatchJobs(output: string): SbatchJob[] {
  const lines = output.split('\n').map((l) => l.trim())
  const found = (re: RegExp) =>
    lines.flatMap((line) => {
      const m = re.exec(line)
      return m ? [{ jobId: Number(m[1]), cluster: m[2] ?? null }] : []
    })
  const jobs = found(SUBMITTED)
  return (jobs.length > 0 ? jobs : found(PARSABLE)).filter((j, i, all) => all.findIndex((k) => k.jobId === j.jobId) === i)
}
