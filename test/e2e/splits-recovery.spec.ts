import { expect, test } from './fixtures'

/**
 * Issue 5 in a person's hands: split the sample dataset (20 files) with nfiles(5), see the four
 * slices and where the split runs out before launching anything, launch once and see the cursor
 * move, then recover exactly the files of the job that failed — previewed first, then launched.
 */
test('split simulator and recovery preview on the sample campaign', async ({ page }) => {
  const shot = (name: string) => page.screenshot({ path: test.info().outputPath(name), fullPage: true })

  // --- give generate a split: nfiles(5), through the stage form ---
  await page.getByTestId('nav-campaigns').click()
  await page.getByTestId('campaign-row').filter({ hasText: 'sample-campaign' }).getByTestId('campaign-link').click()
  const generate = page.locator('[data-testid="stage-row"][data-stage-name="generate"]')
  await generate.getByTestId('edit-stage-link').click()
  // The split type picker: typing the spec sets the type and its parameter fields.
  await page.getByTestId('split-spec-input').first().fill('nfiles(5)')
  await expect(page.getByTestId('split-type-select').first()).toHaveValue('nfiles')
  await expect(page.getByTestId('split-doc').first()).toBeVisible()
  await shot('01-stage-form-nfiles.png')
  await page.getByTestId('form-submit').click()
  await expect(generate).toContainText('nfiles(5)')

  // --- the simulator: four slices of five files, then nothing ---
  await generate.getByTestId('split-preview-button').click()
  const simulator = page.getByTestId('split-preview')
  await expect(simulator).toHaveAttribute('data-exhausted-after', '4')
  await expect(simulator).toHaveAttribute('data-cursor', 'start')
  await expect(simulator.getByTestId('split-no-change')).toContainText('Nothing is changed by this preview')
  const slices = simulator.getByTestId('split-slice')
  await expect(slices).toHaveCount(4)
  for (let i = 0; i < 4; i++) {
    await expect(slices.nth(i)).toHaveAttribute('data-index', String(i))
    await expect(slices.nth(i)).toHaveAttribute('data-file-count', '5')
  }
  await expect(slices.first().getByTestId('split-slice-dims').first()).not.toBeEmpty()
  await expect(simulator.getByTestId('split-exhaustion')).toContainText('Exhausted after launch 4')
  await shot('02-split-simulator-4-slices.png')
  // Previewing moved nothing: the stage row still shows the cursor at its start.
  await expect(generate).toContainText('@ start')

  // --- launch once: the simulator follows the cursor ---
  await generate.getByTestId('launch-button').click()
  const outcome = page.getByTestId('launch-outcome')
  await expect(outcome).toHaveAttribute('data-outcome', 'launched')
  await expect(simulator).toHaveAttribute('data-cursor', '1')
  await expect(simulator).toHaveAttribute('data-exhausted-after', '3')
  await expect(slices).toHaveCount(3)
  await expect(generate).toContainText('@ 1')
  await shot('03-split-simulator-after-launch.png')

  // --- the finished submission: its files, and the job that failed ---
  await outcome.getByTestId('launch-outcome-link').click()
  await expect(page.getByTestId('submission-status').first()).toHaveAttribute('data-status', /^(Completed|Located)$/, { timeout: 60_000 })
  const jobs = page.getByTestId('job-row')
  await expect(jobs).toHaveCount(5)
  const failed = jobs.and(page.locator('[data-state="failed"]'))
  await expect(failed).toHaveCount(1)
  // Which files the failed job was given, from its own log ("read <file> (N bytes), wrote …").
  await failed.getByTestId('job-log-button').click()
  await expect(page.getByTestId('job-log')).toContainText('simulated failure')
  const log = await page.getByTestId('job-log').innerText()
  const failedInputs = [...log.matchAll(/^read (\S+) \(/gm)].map((m) => m[1]!)
  expect(failedInputs.length).toBeGreaterThan(0)

  const files = page.getByTestId('submission-files')
  await expect(files).toHaveAttribute('data-failed', String(failedInputs.length))
  await expect(files).toHaveAttribute('data-consumed', String(5 - failedInputs.length))

  // --- the recovery preview: exactly the failed job's input files ---
  await page.getByTestId('recovery-type-select').selectOption('consumed_status')
  const preview = page.getByTestId('recovery-preview')
  await expect(preview).toHaveAttribute('data-type', 'consumed_status')
  await expect(preview).toHaveAttribute('data-count', String(failedInputs.length))
  await expect(page.getByTestId('recovery-file')).toHaveText(failedInputs)
  await page.getByTestId('recovery-section').scrollIntoViewIfNeeded()
  await shot('04-recovery-preview.png')

  // --- launch it: a recovery submission of the same stage, pointing back at its parent ---
  const parentShortId = await page.getByTestId('submission-short-id').innerText()
  await page.getByTestId('launch-recovery-button').click()
  const launched = page.getByTestId('recovery-launched')
  await expect(launched).toHaveAttribute('data-outcome', 'launched')
  await shot('05-recovery-launched.png')
  await launched.getByTestId('recovery-launched-link').click()
  await expect(page.getByTestId('recovery-parent-link')).toHaveText(parentShortId)
  await expect(page.getByTestId('lineage-parent')).toHaveAttribute('data-relation', 'recovery')
  await expect(page.getByTestId('submission-status').first()).toHaveAttribute('data-status', /^(Completed|Located|Failed)$/, { timeout: 60_000 })
  await shot('06-recovery-submission.png')

  // --- the list shows it under its parent, beside the dependent the engine launched on the parent's outputs ---
  await page.getByTestId('nav-submissions').click()
  const child = page.locator('[data-testid="submission-row"][data-relation="recovery"]').filter({ hasText: parentShortId })
  await expect(child.getByTestId('submission-relation')).toHaveText(`↺ ${parentShortId}`)
  await expect(child).toHaveAttribute('data-depth', '1')
  // generate was Located with nothing for its plan's step (added_files) to recover, so wrap-up launched process on its outputs.
  const dependent = page.locator('[data-testid="submission-row"][data-relation="dependent"]').filter({ hasText: 'process' })
  await expect(dependent.getByTestId('submission-relation')).toHaveText(`↳ ${parentShortId}`, { timeout: 60_000 })
  await shot('07-submissions-lineage.png')
})

test('schedule a stage: the expression in words, its next runs, and the Schedules list', async ({ page }) => {
  const shot = (name: string) => page.screenshot({ path: test.info().outputPath(name), fullPage: true })
  await page.getByTestId('nav-campaigns').click()
  await page.getByTestId('campaign-row').filter({ hasText: 'sample-campaign' }).getByTestId('campaign-link').click()
  const generate = page.locator('[data-testid="stage-row"][data-stage-name="generate"]')
  await generate.getByTestId('schedule-button').click()

  // New Year's Day at 03:00 in Berlin: nothing launches while the test runs.
  const editor = page.getByTestId('schedule-editor')
  await editor.getByTestId('schedule-cron-input').fill('0 3 1 1 *')
  await editor.getByTestId('schedule-timezone-input').fill('Europe/Berlin')
  await expect(editor.getByTestId('schedule-cron-text')).toContainText('at 03:00 on day 1 of the month, in January')
  await expect(editor.getByTestId('schedule-next-run')).toHaveCount(5)
  await shot('10-schedule-editor.png')
  await editor.getByTestId('schedule-save-button').click()
  await expect(editor).toHaveAttribute('data-scheduled', 'true')
  await expect(editor.getByTestId('schedule-saved')).toContainText('Europe/Berlin')
  await expect(generate.getByTestId('stage-schedule-badge')).toContainText('0 3 1 1 *')

  await page.getByTestId('nav-schedules').click()
  const row = page.getByTestId('schedules-row')
  await expect(row).toHaveCount(1)
  await expect(row).toContainText('generate')
  await expect(row).toContainText('Europe/Berlin')
  // The engine's next run is 03:00 on 1 January in Berlin: 02:00 UTC (CET, UTC+1).
  const at = Number(await row.getByTestId('schedules-next-run').getAttribute('data-at'))
  expect(new Date(at).getUTCMonth()).toBe(0)
  expect(new Date(at).getUTCDate()).toBe(1)
  expect(new Date(at).getUTCHours()).toBe(2)
  await shot('11-schedules-view.png')
})
