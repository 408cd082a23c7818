import type { LaunchRun } from './launch-run'
import { lastLines } from './output-lines'

/** Why a launch produced no job id, with the end of its output (where the batch system says why). */
export function noJobIdReason(what: string, run: LaunchRun, relevant?: RegExp): string {
  const meaningful = run.lines.filter((l) => l.trim() !== '' && !l.startsWith('== process_id:') && !l.startsWith('== completed:'))
  const picked = relevant ? meaningful.filter((l) => relevant.test(l)).slice(-6) : []
  const shown = picked.length > 0 ? picked : lastLines(meaningful.join('\n'), 6)
  const exit = run.code === null ? 'was killed' : `exited ${run.code}`
  return `no ${what} in the launch output (the launch script ${exit})${shown.length ? `: ${shown.map((l) => l.trim()).join(' / ')}` : ', and it printed nothing'}`
}
