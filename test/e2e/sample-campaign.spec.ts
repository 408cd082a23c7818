import { expect, test } from './fixtures'

// A newcomer's first minutes: open the app, launch the first sample stage, and watch the engine
// carry the campaign on: generate ends Completed (one job failed) and is Located, then its
// dependent stage, process, is launched on generate's outputs and ends Failed.
test('launch the sample campaign: generate is Located with its failed job shown, its dependent process ends Failed', async ({ page, app }) => {
  await page.getByTestId('nav-campaigns').click()
  const campaign = page.getByTestId('campaign-row').filter({ hasText: 'sample-campaign' })
  await expect(campaign).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('01-campaigns.png'), fullPage: true })
  await campaign.getByTestId('campaign-link').click()

  const generate = page.locator('[data-testid="stage-row"][data-stage-name="generate"]')
  const process = page.locator('[data-testid="stage-row"][data-stage-name="process"]')
  await expect(generate).toBeVisible()
  await expect(process).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('02-campaign.png'), fullPage: true })

  await generate.getByTestId('launch-button').click()
  await expect(page.getByTestId('launch-outcome')).toHaveAttribute('data-outcome', 'launched')

  // The live list: generate is Located, and the dependent process appears and fails, without a reload.
  await page.getByTestId('nav-submissions').click()
  const rows = page.getByTestId('submission-row')
  await expect(rows.filter({ hasText: 'generate' })).toHaveAttribute('data-status', 'Located', { timeout: 60_000 })
  await expect(rows.filter({ hasText: 'process' })).toHaveAttribute('data-status', 'Failed', { timeout: 60_000 })
  await expect(rows).toHaveCount(2)
  await page.screenshot({ path: test.info().outputPath('03-submissions.png'), fullPage: true })

  // generate: 5 jobs, job 3 failed with exit code 3 and shown as failed; history and launch output kept.
  await rows.filter({ hasText: 'generate' }).getByTestId('submission-link').click()
  await expect(page.locator('h1').getByTestId('submission-status')).toHaveAttribute('data-status', 'Located')
  const jobs = page.getByTestId('job-row')
  await expect(jobs).toHaveCount(5)
  const failed = jobs.and(page.locator('[data-state="failed"]'))
  await expect(failed).toHaveCount(1)
  await expect(failed).toHaveAttribute('data-exit-code', '3')
  await expect(failed).toHaveClass(/job-failed/)
  await expect(jobs.and(page.locator('[data-state="completed"]'))).toHaveCount(4)
  const history = page.getByTestId('status-history-row')
  // Each row's text starts with its status; the reasons say why the engine did what it did.
  await expect(history.filter({ hasText: /^New/ })).toHaveCount(1)
  await expect(history.filter({ hasText: /^Completed/ })).toHaveCount(1)
  await expect(history.filter({ hasText: /^Located.*outputs located/ })).toHaveCount(1)
  await expect(history.filter({ hasText: /^Located.*dependent process on \d+ files → launched s-[0-9A-Z]{6}/ })).toHaveCount(1)
  await expect(page.getByTestId('launch-output')).toContainText(/== submitted as local:s-[0-9A-Z]{6} \(5 jobs\) ==/)
  await failed.getByTestId('job-log-button').click()
  await expect(page.getByTestId('job-log')).toContainText('simulated failure')
  await page.screenshot({ path: test.info().outputPath('04-generate-located.png'), fullPage: true })

  // process: 3 of 4 jobs failed, so POMS's rule (failed × 2 > completed) makes it Failed.
  await page.getByTestId('nav-submissions').click()
  await page.getByTestId('submission-row').filter({ hasText: 'process' }).getByTestId('submission-link').click()
  await expect(page.locator('h1').getByTestId('submission-status')).toHaveAttribute('data-status', 'Failed')
  await expect(page.getByTestId('job-row').and(page.locator('[data-state="failed"]'))).toHaveCount(3)
  await page.screenshot({ path: test.info().outputPath('05-process-failed.png'), fullPage: true })
  expect(app.dataDir).toBeTruthy()
})

test('the stage form shows field-level validation errors', async ({ page }) => {
  await page.getByTestId('nav-campaigns').click()
  await page.getByTestId('campaign-row').filter({ hasText: 'sample-campaign' }).getByTestId('campaign-link').click()
  await page.getByTestId('new-stage-button').click()
  await page.getByTestId('form-submit').click()
  await expect(page.getByTestId('field-error-name')).toBeVisible()
  await page.screenshot({ path: test.info().outputPath('field-errors.png'), fullPage: true })
})
