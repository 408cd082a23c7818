import type { ConnectionTest } from '../../../../shared/api/contract'

export type StepState = 'passed' | 'failed' | 'not-reached'

export interface ConnectionStep {
  key: Exclude<ConnectionTest['reached'], 'done'>
  label: string
  state: StepState
  /** How long the step took, where the test measured it. */
  ms: number | null
}

const ORDER = ['connect', 'host-key', 'auth', 'setup'] as const

/**
 * The steps of a connection test in the order they happen: every step before the one it stopped at
 * passed, that one failed, the rest were never reached (all passed when it reached `done`).
 */
export function connectionSteps(test: ConnectionTest): ConnectionStep[] {
  const stoppedAt = test.reached === 'done' ? ORDER.length : ORDER.indexOf(test.reached)
  const labels: Record<ConnectionStep['key'], string> = {
    connect: `Reach ${test.host}:${test.port}`,
    'host-key': 'Host key matches the trusted one',
    auth: `Log in as ${test.account}`,
    setup: 'Run the setup',
  }
  return ORDER.map((key, index) => ({
    key,
    label: labels[key],
    state: index < stoppedAt ? 'passed' : index === stoppedAt ? 'failed' : 'not-reached',
    // One timed exec covers connecting, the host key and logging in.
    ms: key === 'auth' ? test.connectMs : key === 'setup' ? test.setupMs : null,
  }))
}

const FOUND_TOOL = /^found (\S+): (\S.*)$/

/** The batch tools the setup's probe found on the host (`found condor_submit: /usr/bin/condor_submit`). */
export function foundTools(output: string): { tool: string; path: string }[] {
  return output
    .split('\n')
    .map((line) => FOUND_TOOL.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ tool: match[1]!, path: match[2]! }))
}
