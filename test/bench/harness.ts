import { performance } from 'node:perf_hooks'

export interface Timing {
  label: string
  medianMs: number
  runsMs: number[]
}

/** Runs `fn` `runs` times after one warm-up and keeps the median; setup is not timed. */
export async function measure(label: string, runs: number, setup: () => unknown, fn: (state: unknown) => unknown): Promise<Timing> {
  const runsMs: number[] = []
  for (let i = -1; i < runs; i++) {
    const state = await setup()
    const start = performance.now()
    await fn(state)
    const elapsed = performance.now() - start
    if (i >= 0) runsMs.push(elapsed)
  }
  const sorted = [...runsMs].sort((a, b) => a - b)
  return { label, medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs }
}

/**
 * Measures subject and baseline alternately (warm-up, then subject, baseline, subject, …), so
 * drift in the machine's load affects both alike.
 */
export async function measurePair(
  runs: number,
  subject: { label: string; setup: () => unknown; fn: (state: unknown) => unknown },
  baseline: { label: string; setup: () => unknown; fn: (state: unknown) => unknown },
): Promise<{ subject: Timing; baseline: Timing }> {
  const times: [number[], number[]] = [[], []]
  const sides = [subject, baseline]
  for (let i = -1; i < runs; i++) {
    for (let side = 0; side < 2; side++) {
      const { setup, fn } = sides[side]!
      const state = await setup()
      const start = performance.now()
      await fn(state)
      const elapsed = performance.now() - start
      if (i >= 0) times[side]!.push(elapsed)
    }
  }
  const timing = (label: string, runsMs: number[]): Timing => {
    const sorted = [...runsMs].sort((a, b) => a - b)
    return { label, medianMs: sorted[Math.floor(sorted.length / 2)]!, runsMs }
  }
  return { subject: timing(subject.label, times[0]), baseline: timing(baseline.label, times[1]) }
}

export interface BenchResult {
  name: string
  subject: Timing
  baseline: Timing
  /** subject / baseline; the budget is an upper bound on it. */
  budget: number
  note?: string
}

export function report(result: BenchResult): boolean {
  const ratio = result.subject.medianMs / result.baseline.medianMs
  const ok = ratio <= result.budget
  const fmt = (t: Timing) => `${t.medianMs.toFixed(1)} ms (runs: ${t.runsMs.map((r) => r.toFixed(0)).join(', ')})`
  console.log(`\n${result.name}`)
  console.log(`  ${result.subject.label.padEnd(44)} ${fmt(result.subject)}`)
  console.log(`  ${result.baseline.label.padEnd(44)} ${fmt(result.baseline)}`)
  const budget = Number.isFinite(result.budget) ? `budget ≤ ${result.budget}x` : 'no budget'
  const faster = ratio < 1 ? `, ${(1 / ratio).toFixed(1)}× faster` : ''
  console.log(`  ratio ${ratio < 0.1 ? ratio.toFixed(4) : ratio.toFixed(2)}x${faster} (${budget}) ${ok ? 'OK' : 'OVER BUDGET'}${result.note ? `  — ${result.note}` : ''}`)
  return ok
}
