// `npm run bench`: each benchmark measures our code against a baseline in the same run and prints
// the ratio with its budget (architecture.md §9). Exit code 1 when a budget is exceeded.
import { report, type BenchResult } from './harness'
import { benchCondorIngest } from './condor-ingest.bench'
import { benchCorpusImport } from './corpus-import.bench'
import { benchJobRows } from './job-rows.bench'
import { benchLaunchOverhead } from './launch-overhead.bench'
import { benchSplitPlanning } from './split-planning.bench'
import { benchWrapupCycle } from './wrapup-cycle.bench'

const BENCHES: { name: string; run: () => Promise<BenchResult | BenchResult[]> }[] = [
  { name: 'job rows', run: benchJobRows },
  { name: 'corpus import', run: benchCorpusImport },
  { name: 'condor ingest', run: benchCondorIngest },
  { name: 'launch overhead', run: benchLaunchOverhead },
  { name: 'split planning', run: benchSplitPlanning },
  { name: 'wrap-up cycle', run: benchWrapupCycle },
]

async function main(): Promise<void> {
  const only = process.argv[2]
  let allOk = true
  for (const bench of BENCHES.filter((b) => !only || b.name.includes(only))) {
    const results = await bench.run()
    for (const result of Array.isArray(results) ? results : [results]) allOk = report(result) && allOk
  }
  process.exitCode = allOk ? 0 : 1
}

void main()
