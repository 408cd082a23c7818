import { classAdConfigString } from '../htcondor/classad'

/**
 * The environment that makes jobsub_submit add the submission's tags to every job: jobsub_lite
 * appends `$JOBSUB_EXTRA_LINES` (a comma-separated list, like `-l`) to its submit file (protocols.md
 * §1.3, §1.6), as POMS's own wrapper does. jobsub splits the list at every comma and nothing escapes
 * one, so a comma inside a value becomes `;`; the rest is quoted as a ClassAd string (classad.ts).
 */
export function jobsubTagEnv(tags: Readonly<Record<string, string>>): Record<string, string> {
  const lines = Object.entries(tags).map(([name, value]) => `+${name}=${classAdConfigString(value.replace(/,/g, ';'))}`)
  return { JOBSUB_EXTRA_LINES: lines.join(',') }
}
