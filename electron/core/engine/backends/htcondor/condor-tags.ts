import { classAdConfigString } from './classad'

/**
 * The environment that makes every condor_submit of a launch put the submission's tags into each
 * job ad, without touching the author's command: HTCondor reads `_CONDOR_<NAME>` variables as
 * configuration, and SUBMIT_ATTRS names configuration values condor_submit copies into every job.
 * The tag names travel as data in POMS_CONDOR_SUBMIT_ATTRS; CONDOR_SUBMIT_ATTRS_LINE (run after the
 * login setup) adds them to whatever SUBMIT_ATTRS the site or the setup configured. Verified
 * against HTCondor 23.9 (test/integration/backend-htcondor.test.ts).
 */
export function condorTagEnv(tags: Readonly<Record<string, string>>): Record<string, string> {
  const names = Object.keys(tags)
  return {
    POMS_CONDOR_SUBMIT_ATTRS: names.join(' '),
    ...Object.fromEntries(names.map((name) => [`_CONDOR_${name}`, classAdConfigString(tags[name]!)])),
  }
}

/**
 * Bash run after the login setup. It reads the configured SUBMIT_ATTRS instead of writing
 * `$(SUBMIT_ATTRS) …` into the variable: that self-reference hangs condor_submit 23.9 in an endless
 * macro expansion when nothing else defines SUBMIT_ATTRS.
 */
export const CONDOR_SUBMIT_ATTRS_LINE =
  '_CONDOR_SUBMIT_ATTRS="$(condor_config_val SUBMIT_ATTRS 2>/dev/null) $POMS_CONDOR_SUBMIT_ATTRS"; export _CONDOR_SUBMIT_ATTRS'
