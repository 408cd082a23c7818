import { flushPromises, mount } from '@vue/test-utils'
import { beforeEach, describe, expect, it } from 'vitest'
import CampaignForm from '../../renderer/src/components/campaigns/CampaignForm.vue'
import JobTypeForm from '../../renderer/src/components/job-types/JobTypeForm.vue'
import LoginSetupForm from '../../renderer/src/components/login-setups/LoginSetupForm.vue'
import StageForm from '../../renderer/src/components/stages/StageForm.vue'
import LoginSetupEditView from '../../renderer/src/views/LoginSetupEditView.vue'
import StageEditView from '../../renderer/src/views/StageEditView.vue'
import { AppError } from '../../shared/errors'
import { mountAt } from './support/harness'
import { campaign, jobType, loginSetup, stage, uuid } from './support/fixtures'

const fieldError = (wrapper: ReturnType<typeof mount>, field: string) => wrapper.find(`[data-testid="field-error-${field}"]`)

beforeEach(() => {
  localStorage.clear()
})

describe('LoginSetupForm', () => {
  it('shows the zod schema issues next to their fields and does not submit', async () => {
    const wrapper = mount(LoginSetupForm, { props: { source: null } })
    await wrapper.find('[data-testid="field-backend"]').setValue('htcondor')
    await wrapper.find('form').trigger('submit')

    expect(fieldError(wrapper, 'name').text()).toBe('a name is required')
    expect(fieldError(wrapper, 'host').text()).toBe('a htcondor login setup needs a launch host')
    expect(fieldError(wrapper, 'account').text()).toBe('a htcondor login setup needs an account')
    expect(wrapper.find('[data-testid="field-name"]').attributes('aria-invalid')).toBe('true')
    expect(wrapper.find('[data-testid="form-error-summary"]').text()).toContain('3 things to fix')
    expect(wrapper.emitted('submit')).toBeUndefined()
  })

  it('puts the keyboard on the first field to fix', async () => {
    const wrapper = mount(LoginSetupForm, { props: { source: null }, attachTo: document.body })
    await wrapper.find('[data-testid="field-port"]').setValue('0')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(document.activeElement).toBe(wrapper.find('[data-testid="field-name"]').element)
    wrapper.unmount()
  })

  it('submits the parsed value once the input is valid, and clears the messages', async () => {
    const wrapper = mount(LoginSetupForm, { props: { source: null } })
    await wrapper.find('form').trigger('submit')
    expect(fieldError(wrapper, 'name').exists()).toBe(true)

    await wrapper.find('[data-testid="field-name"]').setValue('  condor-gpvm  ')
    await wrapper.find('[data-testid="field-backend"]').setValue('htcondor')
    await wrapper.find('[data-testid="field-host"]').setValue('gpvm01.example.org')
    await wrapper.find('[data-testid="field-account"]').setValue('samdevpro')
    await wrapper.find('form').trigger('submit')

    expect(fieldError(wrapper, 'name').exists()).toBe(false)
    expect(wrapper.emitted('submit')![0]![0]).toEqual({
      name: 'condor-gpvm',
      backend: 'htcondor',
      host: 'gpvm01.example.org',
      port: 22,
      account: 'samdevpro',
      setup: '',
      hostTimezone: 'UTC',
      active: true,
      authMethod: 'agent',
      keyFile: '',
    })
  })

  it('shows server field errors passed in, at the same place', () => {
    const wrapper = mount(LoginSetupForm, { props: { source: loginSetup(1), serverErrors: { hostTimezone: 'unknown time zone Mars/Base' } } })
    expect(fieldError(wrapper, 'hostTimezone').text()).toBe('unknown time zone Mars/Base')
  })
})

describe('LoginSetupEditView', () => {
  it('maps server BAD_INPUT fields (value.name) onto the form fields', async () => {
    const { wrapper, bridge } = await mountAt('/login-setups/new', LoginSetupEditView, {
      'loginSetups:create': () => {
        throw new AppError('BAD_INPUT', 'a login setup named local already exists', {
          fields: [{ path: 'value.name', message: 'already used in samdev' }],
        })
      },
    })
    await wrapper.find('[data-testid="field-name"]').setValue('local')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    expect(bridge.callsTo('loginSetups:create')[0]).toMatchObject({ experiment: 'samdev', role: 'production', value: { name: 'local' } })
    expect(fieldError(wrapper, 'name').text()).toBe('already used in samdev')
    expect(wrapper.find('[data-testid="error-banner"]').text()).toContain('a login setup named local already exists')
  })

  it('sends expectedRev, says CONFLICT plainly, and reloads the newest revision on request', async () => {
    let current = loginSetup(4, { rev: 1, host: '' })
    const { wrapper, bridge } = await mountAt(`/login-setups/${uuid(4)}/edit`, LoginSetupEditView, {
      'loginSetups:get': () => current,
      'loginSetups:update': (input) => {
        if (input.expectedRev !== current.rev) throw new AppError('CONFLICT', `revision ${input.expectedRev} is stale`)
        return { ...current, ...input.value, rev: current.rev + 1 }
      },
    })
    expect((wrapper.find('[data-testid="field-name"]').element as HTMLInputElement).value).toBe('login-4')

    current = loginSetup(4, { rev: 2, name: 'renamed elsewhere' })
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('loginSetups:update')[0]).toMatchObject({ id: uuid(4), expectedRev: 1 })
    expect(wrapper.find('[data-testid="conflict-notice"]').text()).toContain('changed by someone else')

    await wrapper.find('[data-testid="conflict-reload-button"]').trigger('click')
    await flushPromises()
    expect(wrapper.find('[data-testid="conflict-notice"]').exists()).toBe(false)
    expect((wrapper.find('[data-testid="field-name"]').element as HTMLInputElement).value).toBe('renamed elsewhere')

    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('loginSetups:update')[1]).toMatchObject({ expectedRev: 2 })
  })
})

describe('StageForm', () => {
  const props = {
    source: null,
    campaignId: uuid(1),
    jobTypes: [{ id: uuid(20), name: 'fife', active: true }],
    loginSetups: [{ id: uuid(30), name: 'gpvm', active: true }],
  }

  it('checks every StageInput field with the shared schema', async () => {
    const wrapper = mount(StageForm, { props })
    await wrapper.find('[data-testid="field-name"]').setValue('reco')
    await wrapper.find('[data-testid="field-completionPct"]').setValue('150')
    await wrapper.find('[data-testid="field-outputAncestorDepth"]').setValue('0')
    await wrapper.find('form').trigger('submit')

    expect(fieldError(wrapper, 'completionPct').text()).toMatch(/100/)
    expect(fieldError(wrapper, 'outputAncestorDepth').text()).toMatch(/1/)
    expect(wrapper.emitted('submit')).toBeUndefined()
  })

  it('edits parameter overrides as key/value rows and submits them in order', async () => {
    const wrapper = mount(StageForm, { props })
    await wrapper.find('[data-testid="field-name"]').setValue('reco')
    await wrapper.find('[data-testid="add-row-paramOverrides"]').trigger('click')
    await wrapper.find('[data-testid="field-paramOverrides.0.0"]').setValue('-Oglobal.release=')
    await wrapper.find('[data-testid="field-paramOverrides.0.1"]').setValue('v1_2')
    await wrapper.find('[data-testid="add-row-testParamOverrides"]').trigger('click')
    await wrapper.find('[data-testid="field-testParamOverrides.0.0"]').setValue('-N ')
    await wrapper.find('[data-testid="field-testParamOverrides.0.1"]').setValue('1')
    await wrapper.find('[data-testid="field-jobTypeId"]').setValue(uuid(20))
    // The split type picker's spec box (the first picker is the split type, the second the test split type).
    await wrapper.findAll('[data-testid="split-spec-input"]')[0]!.setValue('nfiles(10)')
    await wrapper.find('form').trigger('submit')

    expect(wrapper.emitted('submit')![0]![0]).toMatchObject({
      campaignId: uuid(1),
      name: 'reco',
      jobTypeId: uuid(20),
      loginSetupId: null,
      splitType: 'nfiles(10)',
      testSplitType: null,
      paramOverrides: [['-Oglobal.release=', 'v1_2']],
      testParamOverrides: [['-N ', '1']],
      completionType: 'located',
      completionPct: 95,
    })
  })

  it('puts a server message for one cell of a row next to that cell', () => {
    const wrapper = mount(StageForm, {
      props: { ...props, source: stage(5, uuid(1), { paramOverrides: [['-Oa=', 'b']] }), serverErrors: { 'paramOverrides.0.1': 'too long' } },
    })
    expect(fieldError(wrapper, 'paramOverrides.0.1').text()).toBe('too long')
  })
})

describe('StageEditView', () => {
  it('creates a stage in the campaign named by the route, with the server field errors mapped', async () => {
    const { wrapper, bridge } = await mountAt(`/campaigns/c-000001/stages/new`, StageEditView, {
      'campaigns:get': () => campaign(1),
      'jobTypes:list': () => ({ items: [jobType(20)], nextCursor: null }),
      'loginSetups:list': () => ({ items: [loginSetup(30)], nextCursor: null }),
      'stages:create': () => {
        throw new AppError('BAD_INPUT', 'invalid stage', { fields: [{ path: 'value.dataset', message: 'dataset not found in SAM' }] })
      },
    })
    await wrapper.find('[data-testid="field-name"]').setValue('gen')
    await wrapper.find('[data-testid="field-dataset"]').setValue('nonexistent')
    await wrapper.find('form').trigger('submit')
    await flushPromises()

    expect(bridge.callsTo('stages:create')[0]!.value).toMatchObject({ campaignId: uuid(1), name: 'gen', dataset: 'nonexistent' })
    expect(fieldError(wrapper, 'dataset').text()).toBe('dataset not found in SAM')
    expect(wrapper.findAll('[data-testid="field-jobTypeId"] option').map((o) => o.text())).toContain('jobtype-20')
  })
})

describe('CampaignForm', () => {
  const props = { source: null, jobTypes: [], loginSetups: [] }

  it('shows a bad keyword name at its row, and a repeated one too', async () => {
    const wrapper = mount(CampaignForm, { props })
    await wrapper.find('[data-testid="field-name"]').setValue('mc2025')
    for (let i = 0; i < 3; i++) await wrapper.find('[data-testid="add-row-keywords"]').trigger('click')
    await wrapper.find('[data-testid="field-keywords.0.0"]').setValue('9lives')
    await wrapper.find('[data-testid="field-keywords.1.0"]').setValue('release')
    await wrapper.find('[data-testid="field-keywords.2.0"]').setValue('release')
    await wrapper.find('form').trigger('submit')

    expect(fieldError(wrapper, 'keywords.0.0').text()).toContain('letters, digits and _')
    expect(fieldError(wrapper, 'keywords.2.0').text()).toBe('the keyword release appears twice')
    expect(wrapper.emitted('submit')).toBeUndefined()
  })

  it('submits tags, keywords and only the defaults that were set, keeping ones it does not edit', async () => {
    const source = campaign(1, { defaults: { splitType: 'nfiles(5)', voRole: 'Analysis' } })
    const wrapper = mount(CampaignForm, { props: { ...props, source } })
    await wrapper.find('[data-testid="field-tags"]').setValue('mc, 2025 ,')
    await wrapper.find('[data-testid="field-defaults.voRole"]').setValue('')
    await wrapper.find('[data-testid="field-defaults.softwareVersion"]').setValue('v09_10')
    await wrapper.find('[data-testid="add-row-keywords"]').trigger('click')
    await wrapper.find('[data-testid="field-keywords.0.0"]').setValue('release')
    await wrapper.find('[data-testid="field-keywords.0.1"]').setValue('v1')
    await wrapper.find('form').trigger('submit')

    expect(wrapper.emitted('submit')![0]![0]).toMatchObject({
      name: 'campaign-1',
      tags: ['mc', '2025'],
      keywords: { release: 'v1' },
      defaults: { splitType: 'nfiles(5)', softwareVersion: 'v09_10' },
    })
    expect((wrapper.emitted('submit')![0]![0] as { defaults: object }).defaults).not.toHaveProperty('voRole')
  })
})

describe('JobTypeForm', () => {
  it('requires a launch script and builds an ordered recovery plan', async () => {
    const wrapper = mount(JobTypeForm, { props: { source: null } })
    await wrapper.find('[data-testid="field-name"]').setValue('fife')
    await wrapper.find('form').trigger('submit')
    expect(fieldError(wrapper, 'launchScript').text()).toBe('a launch script is required')

    await wrapper.find('[data-testid="field-launchScript"]').setValue('fife_launch -c generic.cfg')
    await wrapper.find('[data-testid="add-recovery-step"]').trigger('click')
    await wrapper.find('[data-testid="add-recovery-step"]').trigger('click')
    await wrapper.find('[data-testid="field-recoveryPlan.1.type"]').setValue('pending_files')
    await wrapper.find('[data-testid="add-row-recoveryPlan.1.paramOverrides"]').trigger('click')
    await wrapper.find('[data-testid="field-recoveryPlan.1.paramOverrides.0.0"]').setValue('-Oglobal.recovery=')
    await wrapper.find('[data-testid="field-recoveryPlan.1.paramOverrides.0.1"]').setValue('1')
    await wrapper.find('[data-testid="add-row-outputFilePatterns"]').trigger('click')
    await wrapper.find('[data-testid="field-outputFilePatterns.0"]').setValue('%.root')
    await wrapper.find('form').trigger('submit')

    expect(wrapper.emitted('submit')![0]![0]).toMatchObject({
      launchScript: 'fife_launch -c generic.cfg',
      outputFilePatterns: ['%.root'],
      recoveryPlan: [
        { type: 'added_files', paramOverrides: [] },
        { type: 'pending_files', paramOverrides: [['-Oglobal.recovery=', '1']] },
      ],
    })
  })
})
