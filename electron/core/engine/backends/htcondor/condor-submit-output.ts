const TERSE = /^(\d+)\.\d+ - \d+\.\d+$/
const DEFAULT = /^\d+ job\(s\) submitted to cluster (\d+)\.$/

/**
 * The clusters a launch submitted, in order, from condor_submit's output: `-terse` prints
 * `C.P - C.Q` per cluster, the default output `N job(s) submitted to cluster C.` (fixtures in
 * test/fixtures/batch/htcondor). Empty when nothing was submitted.
 */
export function parseCondorClusters(output: string): number[] {
  const clusters: number[] = []
  for (const raw of output.split('\n')) {
    const line = raw.trim()
    const m = TERSE.exec(line) ?? DEFAULT.exec(line)
    if (m && !clusters.includes(Number(m[1]))) clusters.push(Number(m[1]))
  }
  return clusters
}
