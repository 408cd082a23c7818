import { resolve } from 'node:path'
import { expect, test } from './fixtures'

const REPO_ROOT = resolve(__dirname, '..', '..')
const SAMPLE_MC = resolve(REPO_ROOT, '..', 'shared', 'compat-corpus', 'files', 'fermitools__poms__webservice__static__samples__sample_mc.ini')

const shot = (page: import('@playwright/test').Page, name: string) => page.screenshot({ path: test.info().outputPath(name), fullPage: true })

// A production manager brings a POMS campaign file over, changes what one stage reads, publishes,
// and checks what changed between the revisions.
test('import a POMS campaign file, edit a dependency in the workflow editor, publish, and see the diff', async ({ page }) => {
  await page.getByTestId('nav-import').click()
  await page.getByTestId('import-file-input').setInputFiles(SAMPLE_MC)

  const report = page.getByTestId('import-report')
  await expect(report).toHaveCount(1)
  await expect(report).toHaveAttribute('data-accepted', 'true')
  await expect(report).toContainText('sample_gen')
  await expect(report).toContainText('sample_anatree')
  await expect(page.getByTestId('imported-campaign-link')).toHaveCount(0)
  await shot(page, '01-import-dry-run.png')

  await page.getByTestId('import-confirm-button').click()
  const link = page.getByTestId('imported-campaign-link')
  await expect(link).toBeVisible()
  await expect(page.getByTestId('import-report')).toHaveAttribute('data-accepted', 'true')
  await shot(page, '02-imported.png')

  await link.click()
  await expect(page.getByTestId('stage-row')).toHaveCount(5)
  await expect(page.getByTestId('revision-row')).toHaveCount(1)
  await shot(page, '03-campaign.png')

  await page.getByTestId('edit-workflow-link').click()
  await expect(page.getByTestId('workflow-canvas')).toBeVisible()
  await expect(page.getByTestId('workflow-node')).toHaveCount(5)
  await expect(page.getByTestId('workflow-edge-label')).toHaveCount(4)
  await expect(page.getByTestId('draft-banner')).toHaveAttribute('data-draft', 'false')
  await expect(page.getByTestId('publish-button')).toBeDisabled()
  await shot(page, '04-workflow-editor.png')

  // The dependency reco → anatree, at the far end of the chain: bring it all into view, select it, narrow its pattern.
  await page.getByTestId('fit-view-button').click()
  const edge = page.locator('[data-testid="workflow-edge-label"][data-from="sample_reco"][data-to="sample_anatree"]')
  await expect(edge).toHaveText('reco%%.root')
  await edge.click()
  const patterns = page.getByTestId('edge-patterns-input')
  await expect(patterns).toHaveValue('reco%%.root')
  await patterns.fill('reco%%_hist.root')
  await expect(edge).toHaveText('reco%%_hist.root')
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved')
  await expect(page.getByTestId('draft-banner')).toHaveAttribute('data-draft', 'true')
  await expect(page.getByTestId('draft-banner')).toContainText('not launchable until published')
  await shot(page, '05-edge-edited.png')

  await page.getByTestId('publish-button').click()
  await page.getByTestId('publish-summary-input').fill('anatree reads only the histogram files')
  await shot(page, '06-publish.png')
  await page.getByTestId('publish-confirm-button').click()
  await expect(page.getByTestId('draft-banner')).toHaveAttribute('data-draft', 'false')
  await expect(page.getByTestId('draft-banner')).toContainText('Published revision 2')

  // History on the campaign page: compare revision 1 with 2.
  await page.getByTestId('workflow-campaign-link').click()
  const rows = page.getByTestId('revision-row')
  await expect(rows).toHaveCount(2)
  await expect(rows.first()).toContainText('anatree reads only the histogram files')
  await page.locator('[data-testid="revision-row"][data-revision="1"]').getByTestId('revision-compare-checkbox').check()
  await page.locator('[data-testid="revision-row"][data-revision="2"]').getByTestId('revision-compare-checkbox').check()
  await page.getByTestId('compare-button').click()

  await expect(page.getByTestId('diff-view')).toBeVisible()
  const change = page.getByTestId('diff-change')
  await expect(change).toHaveCount(1)
  await expect(change).toContainText('reco%%.root')
  await expect(change).toContainText('reco%%_hist.root')
  const changed = page.locator('[data-testid="diff-line"]:not([data-kind="same"])')
  await expect(changed.filter({ hasText: 'reco%%_hist.root' })).not.toHaveCount(0)
  await shot(page, '07-diff.png')
})
