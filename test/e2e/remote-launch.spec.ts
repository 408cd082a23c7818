import { readFileSync } from 'node:fs'
import type { Page } from '@playwright/test'
import { fingerprintOf } from '../../electron/core/ssh/host-keys'
import type { ServiceState } from '../services/services'
import { expect, test } from './fixtures'
import { CONDOR_STATE_ENV } from './services-setup'

/** The loopback HTCondor host the global setup started, or the reason it could not (this spec then fails with it). */
function condorHost(): Record<string, string> {
  const raw = process.env[CONDOR_STATE_ENV]
  if (!raw) throw new Error(`${CONDOR_STATE_ENV} is not set: run this spec through playwright.config.ts, whose global setup starts the HTCondor host`)
  const state = JSON.parse(raw) as ServiceState
  if (!state.ok) throw new Error(state.error)
  return state.env
}

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(name), fullPage: true })

/**
 * The login setup's shell text: a working directory of this run's own in the remote home, with a job
 * script and a 4-job submit file written once (the setup also runs before every status query, and a
 * running job's script must not be rewritten under it).
 */
function setupText(dir: string): string {
  return [
    `mkdir -p ~/${dir} && cd ~/${dir} || exit 1`,
    `[ -f job.sh ] || printf '#!/bin/bash\\necho "job $1 on $(hostname)"\\nsleep 2\\necho "job $1 done"\\n' > job.sh`,
    'chmod +x job.sh',
    `[ -f four.sub ] || printf 'executable = job.sh\\narguments = $(Process)\\noutput = out.$(Cluster).$(Process)\\nerror = err.$(Cluster).$(Process)\\nlog = job.log\\nqueue 4\\n' > four.sub`,
  ].join('\n')
}

// A production manager points POMS at a real HTCondor submit host over SSH: configures and tests
// the login setup (confirming the host key on first use), builds a one-stage campaign, looks at the
// dry run, launches, and watches the 4 jobs finish.
test('configure a login setup for the loopback HTCondor host, test it, dry-run, launch and watch the submission complete', async ({ page }) => {
  test.setTimeout(300_000)
  const condor = condorHost()
  const hostKeyBlob = Buffer.from(readFileSync(condor.CONDOR_SSH_HOST_KEY_PUB!, 'utf8').trim().split(/\s+/)[1]!, 'base64')
  const fingerprint = fingerprintOf(hostKeyBlob)
  const host = condor.CONDOR_SSH_HOST!
  const port = condor.CONDOR_SSH_PORT!
  const account = condor.CONDOR_SSH_USER!
  const run = `poms-e2e-${Date.now()}`

  // 1. The login setup: HTCondor on the loopback host, authenticating with the test key file.
  await page.getByTestId('nav-login-setups').click()
  await page.getByTestId('new-login-setup-button').click()
  await page.getByTestId('field-name').fill('condor-loopback')
  await page.getByTestId('field-backend').selectOption('htcondor')
  await page.getByTestId('field-host').fill(host)
  await page.getByTestId('field-port').fill(port)
  await page.getByTestId('field-account').fill(account)
  await page.getByTestId('field-authMethod').selectOption('key-file')
  await page.getByTestId('field-keyFile').fill(condor.CONDOR_SSH_KEY!)
  await page.getByTestId('field-setup').fill(setupText(run))
  await shot(page, '01-login-setup-form.png')
  await page.getByTestId('form-submit').click()

  const setupRow = page.getByTestId('login-setup-row').filter({ hasText: 'condor-loopback' })
  await expect(setupRow).toBeVisible()
  await setupRow.getByTestId('login-setup-link').click()

  // 2. Test connection: the host is new, so the test stops at its key and asks.
  await page.getByTestId('test-connection-button').click()
  const dialog = page.getByTestId('host-key-dialog')
  await expect(dialog).toBeVisible()
  await expect(dialog).toHaveAttribute('data-status', 'unknown')
  await expect(page.getByTestId('host-key-host')).toHaveText(`${host}:${port}`)
  await expect(page.getByTestId('host-key-type')).toHaveText('ssh-ed25519')
  // What the dialog shows is the key the host really has.
  await expect(page.getByTestId('host-key-fingerprint')).toHaveText(fingerprint)
  await expect(page.getByTestId('connection-test-result')).toHaveAttribute('data-reached', 'host-key')
  await shot(page, '02-host-key-dialog.png')

  // 3. Trust it: the test runs again by itself and gets through.
  await page.getByTestId('trust-host-key-button').click()
  await expect(dialog).toHaveCount(0)
  const result = page.getByTestId('connection-test-result')
  await expect(result).toHaveAttribute('data-ok', 'true', { timeout: 60_000 })
  await expect(result).toHaveAttribute('data-reached', 'done')
  await expect(page.getByTestId('connection-exit-code')).toHaveText('0')
  await expect(page.getByTestId('connection-test-output')).toContainText('found condor_submit')
  await expect(page.getByTestId('connection-tools')).toContainText('condor_submit')
  await shot(page, '03-connection-ok.png')

  await page.getByTestId('nav-known-hosts').click()
  await expect(page.getByTestId('known-host-row').filter({ hasText: fingerprint })).toHaveAttribute('data-host', `${host}:${port}`)
  await shot(page, '04-known-hosts.png')

  // 4. A job type whose launch command submits the 4-job file the setup wrote.
  await page.getByTestId('nav-job-types').click()
  await page.getByTestId('new-job-type-button').click()
  await page.getByTestId('field-name').fill('condor-four-jobs')
  await page.getByTestId('field-launchScript').fill('condor_submit -terse four.sub')
  await page.getByTestId('form-submit').click()
  await expect(page.getByTestId('job-type-row').filter({ hasText: 'condor-four-jobs' })).toBeVisible()

  // 5. A campaign with one stage using both.
  await page.getByTestId('nav-campaigns').click()
  await page.getByTestId('new-campaign-button').click()
  await page.getByTestId('field-name').fill('remote-e2e')
  await page.getByTestId('form-submit').click()
  await expect(page.getByTestId('campaign-name')).toHaveText('remote-e2e')
  await page.getByTestId('new-stage-button').click()
  await page.getByTestId('field-name').fill('submit4')
  await page.getByTestId('field-jobTypeId').selectOption({ label: 'condor-four-jobs' })
  await page.getByTestId('field-loginSetupId').selectOption({ label: 'condor-loopback' })
  await page.getByTestId('form-submit').click()
  const stageRow = page.locator('[data-testid="stage-row"][data-stage-name="submit4"]')
  await expect(stageRow).toBeVisible()
  await shot(page, '05-campaign.png')

  // 6. Dry run: the whole remote script, and nothing launched.
  await stageRow.getByTestId('dry-run-button').click()
  const preview = page.getByTestId('launch-preview')
  await expect(preview).toHaveAttribute('data-backend', 'htcondor')
  await expect(page.getByTestId('preview-target')).toContainText(`${account}@${host}:${port}`)
  await expect(page.getByTestId('preview-command')).toHaveText('condor_submit -terse four.sub')
  const script = page.getByTestId('preview-script')
  await expect(script).toContainText('condor_submit -terse four.sub')
  await expect(script).toContainText(`mkdir -p ~/${run}`)
  await expect(script).toContainText('POMS4_SUBMISSION_ID')
  await expect(page.getByTestId('preview-problem')).toHaveCount(0)
  await expect(page.getByTestId('launch-outcome')).toHaveCount(0)
  await shot(page, '06-dry-run.png')

  // 7. Launch it from the preview and follow the submission.
  await page.getByTestId('preview-launch-button').click()
  const outcome = page.getByTestId('launch-outcome')
  await expect(outcome).toHaveAttribute('data-outcome', 'launched')
  await expect(preview).toHaveCount(0)
  await outcome.getByTestId('launch-outcome-link').click()

  await expect(page.getByTestId('submission-target')).toHaveText(`${account}@${host}:${port}`)
  await expect(page.getByTestId('launch-output')).toContainText('== completed:', { timeout: 60_000 })
  await expect(page.getByTestId('submission-batch-id')).toHaveText(/^\d+$/, { timeout: 60_000 })
  await shot(page, '07-launched.png')

  await expect(page.locator('h1').getByTestId('submission-status')).toHaveAttribute('data-status', 'Completed', { timeout: 180_000 })
  const jobs = page.getByTestId('job-row')
  await expect(jobs).toHaveCount(4)
  await expect(jobs.and(page.locator('[data-state="completed"]'))).toHaveCount(4)
  await expect(jobs.and(page.locator('[data-exit-code="0"]'))).toHaveCount(4)
  await expect(page.getByTestId('snapshot-tags')).toContainText('POMS4_SUBMISSION_ID')
  await shot(page, '08-completed.png')

  await jobs.first().getByTestId('job-log-button').click()
  await expect(page.getByTestId('job-log')).toContainText('job 0 done')
  await shot(page, '09-job-log.png')
})

// Holds against the real core (the sample campaign's local stages; no batch host needed): a held
// stage queues its launch, which is released from the queue into a submission; with every launch
// held, a launch is queued and then dropped.
test('hold a stage, queue a launch and release it; hold all launches, queue one and drop it', async ({ page }) => {
  await page.getByTestId('nav-campaigns').click()
  await page.getByTestId('campaign-row').filter({ hasText: 'sample-campaign' }).getByTestId('campaign-link').click()
  const generate = page.locator('[data-testid="stage-row"][data-stage-name="generate"]')
  const process = page.locator('[data-testid="stage-row"][data-stage-name="process"]')

  await generate.getByTestId('stage-hold-button').click()
  await expect(generate.getByTestId('stage-hold-badge')).toHaveText(/held by \S+/)
  await generate.getByTestId('launch-button').click()
  const outcome = page.getByTestId('launch-outcome')
  await expect(outcome).toHaveAttribute('data-outcome', 'held')
  await shot(page, 'holds-01-stage-held.png')

  await generate.getByTestId('stage-release-button').click()
  await expect(generate.getByTestId('stage-hold-badge')).toHaveCount(0)
  await outcome.getByTestId('launch-outcome-queued-link').click()
  const queued = page.getByTestId('queued-launch-row')
  await expect(queued).toHaveCount(1)
  await expect(queued).toContainText('generate')
  await shot(page, 'holds-02-queued.png')
  await queued.getByTestId('release-queued-button').click()
  await expect(page.getByTestId('queued-empty')).toBeVisible()
  await page.getByTestId('released-submission-link').click()
  // It runs, is Located by wrap-up, and wrap-up launches its dependent (process) before we hold all.
  await expect(page.locator('h1').getByTestId('submission-status')).toHaveAttribute('data-status', 'Located', { timeout: 60_000 })
  await expect(page.getByTestId('status-history-row').filter({ hasText: /^Located.*dependent process on \d+ files → launched/ })).toHaveCount(1)
  await expect(page.getByTestId('submission-target')).toHaveText('this machine')

  const toggle = page.getByTestId('global-hold-toggle')
  await expect(toggle).toHaveAttribute('data-held', 'false')
  await toggle.click()
  await expect(toggle).toHaveAttribute('data-held', 'true')
  await expect(page.getByTestId('global-hold-state')).toHaveText('Launches: HELD')
  await page.getByTestId('nav-campaigns').click()
  await page.getByTestId('campaign-row').filter({ hasText: 'sample-campaign' }).getByTestId('campaign-link').click()
  await process.getByTestId('launch-button').click()
  await expect(page.getByTestId('launch-outcome')).toHaveAttribute('data-outcome', 'held')
  await shot(page, 'holds-03-all-held.png')

  await page.getByTestId('nav-queued-launches').click()
  await expect(page.getByTestId('queued-global-hold')).toBeVisible()
  await expect(page.getByTestId('queued-launch-row')).toContainText('process')
  await page.getByTestId('drop-queued-button').click()
  await page.getByTestId('drop-queued-button-confirm').click()
  await expect(page.getByTestId('queued-empty')).toBeVisible()
  await toggle.click()
  await expect(toggle).toHaveAttribute('data-held', 'false')
  await shot(page, 'holds-04-allowed.png')
})
