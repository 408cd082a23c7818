const CONTROL = /[\u0000-\u001f\u007f]/g

/**
 * A value as a ClassAd string literal where HTCondor reads it as configuration or a submit-file
 * line (`_CONDOR_<NAME>` for SUBMIT_ATTRS, jobsub's `+NAME="…"` lines). Verified against
 * condor_submit 23.9: in that old-ClassAd syntax only `\"` is an escape (a backslash elsewhere is
 * literal, also at the end); `$(…)` is a configuration macro, so `$` becomes `$(DOLLAR)`; a newline
 * makes the schedd refuse the job, so control characters become spaces.
 */
export function classAdConfigString(value: string): string {
  return `"${value.replace(CONTROL, ' ').replace(/\$/g, '$(DOLLAR)').replace(/"/g, '\\"')}"`
}

/**
 * The constraint that selects exactly these submissions' jobs: their tag, and the clusters their
 * launch reported (which hold only their jobs). Ids are checked submission ids, clusters integers.
 */
export function submissionConstraint(submissionIds: readonly string[], clusters: readonly number[] = []): string {
  return [...submissionIds.map((id) => `POMS4_SUBMISSION_ID == "${id}"`), ...clusters.map((c) => `ClusterId == ${c}`)].join(' || ')
}
