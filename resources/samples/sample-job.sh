#!/usr/bin/env bash
# POMS Desktop sample job, run by the `local` backend once per job of a submission.
# It reads its share of the input files (POMS_INPUT_FILE_LIST), writes one output per input into
# POMS_OUTPUT_DIR, sleeps a little so the job can be watched, and fails on purpose when its job
# index ($PROCESS, as jobsub sets it) is in --fail-jobs.
set -euo pipefail

events=100
fail_jobs=""
seconds=2
release="unknown"
while [ $# -gt 0 ]; do
  case "$1" in
    --events=*) events="${1#*=}" ;;
    --fail-jobs=*) fail_jobs="${1#*=}" ;;
    --seconds=*) seconds="${1#*=}" ;;
    --release=*) release="${1#*=}" ;;
    -N) shift ;;            # the job count, read by the backend
    *) echo "ignoring argument: $1" ;;
  esac
  shift
done

job="${PROCESS:-0}"
echo "sample job ${job} of ${POMS_NJOBS:-1} for submission ${POMS4_SUBMISSION_ID:-?}"
echo "stage ${POMS4_CAMPAIGN_STAGE_NAME:-?} of campaign ${POMS4_CAMPAIGN_NAME:-?}, release ${release}, ${events} events per file"

count=0
if [ -n "${POMS_INPUT_FILE_LIST:-}" ] && [ -f "${POMS_INPUT_FILE_LIST}" ]; then
  while IFS= read -r input; do
    [ -n "${input}" ] || continue
    count=$((count + 1))
    output="${POMS_OUTPUT_DIR:-.}/$(basename "${input%.*}")_${POMS4_CAMPAIGN_STAGE_NAME:-job}.root"
    printf 'events=%s input=%s release=%s\n' "${events}" "${input}" "${release}" > "${output}"
    echo "read ${input} ($(wc -c < "${input}") bytes), wrote ${output}"
  done < "${POMS_INPUT_FILE_LIST}"
fi

sleep "${seconds}"

case ",${fail_jobs}," in
  *",${job},"*)
    echo "job ${job}: simulated failure after ${count} files" >&2
    exit 3
    ;;
esac
echo "job ${job} done: ${count} input files"
