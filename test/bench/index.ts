// `npm run bench`: each benchmark measures our code against a baseline in the same run and prints
// the ratio with its budget (architecture.md §9). Exit code 1 when a budget is exceeded.
import { report, type BenchResult } from './harness'
import { benchCorpusImport } from './corpus-import.bench'
import { benchJobRows } from './job-rows.bench'

const BENCHES: { name: string; run: () => Promise<BenchResult> }[] = [
  { name: 'job rows', run: benchJobRows },
  { name: 'corpus import', run: benchCorpusImport },
]

async function main(): Promise<void> {
  const only = process.argv[2]
  let allOk = true
  for (const bench of BENCHES.filter((b) => !only || b.name.includes(only))) {
    allOk = report(await bench.run()) && allOk
  }
  process.exitCode = allOk ? 0 : 1
}

void main()
