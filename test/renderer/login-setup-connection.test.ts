import { enableAutoUnmount, flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectionTest } from '../../shared/api/contract'
import type { LoginSetup } from '../../shared/domain/login-setup'
import { AppError } from '../../shared/errors'
import KnownHostsView from '../../renderer/src/views/KnownHostsView.vue'
import LoginSetupEditView from '../../renderer/src/views/LoginSetupEditView.vue'
import LoginSetupsView from '../../renderer/src/views/LoginSetupsView.vue'
import type { Handlers } from './support/fake-bridge'
import { loginSetup, session, uuid } from './support/fixtures'
import { mountAt } from './support/harness'

const FINGERPRINT = 'SHA256:Zm9vYmFyYmF6cXV4cXV1eHh5enp5MTIzNDU2Nzg5MA'
const OLD_FINGERPRINT = 'SHA256:b2xkb2xkb2xkb2xkb2xkb2xkb2xkb2xkb2xkb2xkbw'

const CONDOR = loginSetup(4, {
  name: 'condor-gpvm',
  backend: 'htcondor',
  host: '127.0.0.1',
  port: 2222,
  account: 'pomstest',
  authMethod: 'key-file',
  keyFile: '~/.ssh/id_ed25519',
})

/** A superuser may pin host keys; the default fixture user is production only. */
const admin = () =>
  session({
    memberships: [{ experiment: 'samdev', role: 'superuser', actingRoles: ['analysis', 'production-shifter', 'production', 'superuser'] }],
  })

const base = { host: '127.0.0.1', port: 2222, account: 'pomstest' }

const unknownKey = (): ConnectionTest => ({
  ...base,
  ok: false,
  reached: 'host-key',
  message: 'the host key of 127.0.0.1:2222 is not trusted yet',
  connectMs: null,
  setupMs: null,
  exitCode: null,
  output: '',
  hostKey: { host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: FINGERPRINT, status: 'unknown', expected: null },
})

const changedKey = (): ConnectionTest => ({
  ...unknownKey(),
  message: 'the host key of 127.0.0.1:2222 changed',
  hostKey: { host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: FINGERPRINT, status: 'changed', expected: OLD_FINGERPRINT },
})

const connected = (): ConnectionTest => ({
  ...base,
  ok: true,
  reached: 'done',
  message: 'connected in 41 ms; the setup ran in 12 ms',
  connectMs: 41,
  setupMs: 12,
  exitCode: 0,
  output: [
    '== setup finished with exit code 0 ==',
    'host: condor, user: pomstest, shell: /bin/bash',
    'found condor_submit: /usr/bin/condor_submit',
    'found condor_q: /usr/bin/condor_q',
  ].join('\n'),
  hostKey: null,
})

function editHandlers(overrides: Handlers = {}, setup: LoginSetup = CONDOR): Handlers {
  return {
    'session:get': admin,
    'loginSetups:get': () => setup,
    ...overrides,
  }
}

const find = (wrapper: Pick<VueWrapper, 'find'>, testid: string) => wrapper.find(`[data-testid="${testid}"]`)

// Tests about focus attach to the document; every mounted view goes away after its test.
enableAutoUnmount(afterEach)
beforeEach(() => {
  localStorage.clear()
})

describe('Test connection on the login setup page', () => {
  it('shows each step with its timing, the exit code, the setup output and the batch tools it found', async () => {
    const { wrapper, bridge } = await mountAt(`/login-setups/${CONDOR.id}/edit`, LoginSetupEditView, editHandlers({ 'loginSetups:test': connected }))
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()

    expect(bridge.callsTo('loginSetups:test')).toEqual([{ experiment: 'samdev', role: 'superuser', id: CONDOR.id }])
    const result = find(wrapper, 'connection-test-result')
    expect(result.attributes('data-ok')).toBe('true')
    expect(result.attributes('data-reached')).toBe('done')
    expect(result.findAll('[data-testid="connection-step"]').map((step) => step.attributes('data-state'))).toEqual(['passed', 'passed', 'passed', 'passed'])
    expect(find(wrapper, 'connection-connect-ms').text()).toBe('41 ms')
    expect(find(wrapper, 'connection-setup-ms').text()).toBe('12 ms')
    expect(find(wrapper, 'connection-exit-code').text()).toBe('0')
    expect(find(wrapper, 'connection-test-output').text()).toContain('found condor_submit: /usr/bin/condor_submit')
    expect(find(wrapper, 'connection-tools').findAll('.tag').map((tag) => [tag.text(), tag.attributes('title')])).toEqual([
      ['condor_submit', '/usr/bin/condor_submit'],
      ['condor_q', '/usr/bin/condor_q'],
    ])
    expect(find(wrapper, 'connection-test-message').text()).toBe('connected in 41 ms; the setup ran in 12 ms')
    expect(find(wrapper, 'host-key-dialog').exists()).toBe(false)
  })

  it('marks the step a failed test stopped at, and the ones it never reached', async () => {
    const { wrapper } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({
        'loginSetups:test': () => ({ ...connected(), ok: false, reached: 'setup', message: 'the setup exited with code 3', exitCode: 3, output: 'setup: command not found' }),
      }),
    )
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()
    const result = find(wrapper, 'connection-test-result')
    expect(result.attributes('data-ok')).toBe('false')
    expect(result.attributes('data-reached')).toBe('setup')
    expect(result.findAll('[data-testid="connection-step"]').map((step) => step.attributes('data-state'))).toEqual(['passed', 'passed', 'passed', 'failed'])
    expect(find(wrapper, 'connection-exit-code').text()).toBe('3')
    expect(find(wrapper, 'connection-tools').text()).toBe('none')
  })

  it('asks about an unknown host key, trusts exactly that key, and tests again', async () => {
    let trusted = false
    const { wrapper, bridge } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({
        'loginSetups:test': () => (trusted ? connected() : unknownKey()),
        'sshHosts:trust': (key) => {
          trusted = true
          return { ...key, pinnedAt: 0, pinnedBy: 'alice' }
        },
      }),
      { attachTo: document.body },
    )
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()

    expect(find(wrapper, 'connection-test-result').attributes('data-reached')).toBe('host-key')
    const dialog = find(wrapper, 'host-key-dialog')
    expect(dialog.attributes('data-status')).toBe('unknown')
    expect(dialog.attributes('role')).toBe('alertdialog')
    expect(find(wrapper, 'host-key-host').text()).toBe('127.0.0.1:2222')
    expect(find(wrapper, 'host-key-type').text()).toBe('ssh-ed25519')
    expect(find(wrapper, 'host-key-fingerprint').text()).toBe(FINGERPRINT)
    expect(find(wrapper, 'host-key-changed-warning').exists()).toBe(false)
    // First use: the keyboard starts on Trust.
    expect(document.activeElement).toBe(find(wrapper, 'trust-host-key-button').element)

    await find(wrapper, 'trust-host-key-button').trigger('click')
    await flushPromises()

    expect(bridge.callsTo('sshHosts:trust')).toEqual([{ host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: FINGERPRINT }])
    expect(bridge.callsTo('loginSetups:test')).toHaveLength(2)
    expect(find(wrapper, 'host-key-dialog').exists()).toBe(false)
    expect(find(wrapper, 'connection-test-result').attributes('data-ok')).toBe('true')
    expect(find(wrapper, 'connection-test-result').attributes('data-reached')).toBe('done')
  })

  it('warns that a changed key CHANGED, shows both fingerprints, and trusts nothing on Cancel', async () => {
    const { wrapper, bridge } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({ 'loginSetups:test': changedKey, 'sshHosts:trust': (key) => ({ ...key, pinnedAt: 0, pinnedBy: 'alice' }) }),
      { attachTo: document.body },
    )
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()

    expect(find(wrapper, 'host-key-dialog').attributes('data-status')).toBe('changed')
    expect(find(wrapper, 'host-key-changed-warning').text()).toContain('The host key CHANGED — confirm only if the host was reinstalled')
    expect(find(wrapper, 'host-key-fingerprint').text()).toBe(FINGERPRINT)
    expect(find(wrapper, 'host-key-expected').text()).toBe(OLD_FINGERPRINT)
    // A changed key never has the keyboard on Trust.
    expect(document.activeElement).toBe(find(wrapper, 'host-key-cancel-button').element)

    await find(wrapper, 'host-key-cancel-button').trigger('click')
    await flushPromises()
    expect(find(wrapper, 'host-key-dialog').exists()).toBe(false)
    expect(bridge.callsTo('sshHosts:trust')).toHaveLength(0)
    expect(bridge.callsTo('loginSetups:test')).toHaveLength(1)
    // The result still says where and why it stopped.
    expect(find(wrapper, 'connection-test-result').attributes('data-reached')).toBe('host-key')
    expect(document.activeElement).toBe(find(wrapper, 'connection-test-result').element)
  })

  it('closes the question on Escape and keeps Tab inside the dialog', async () => {
    const { wrapper } = await mountAt(`/login-setups/${CONDOR.id}/edit`, LoginSetupEditView, editHandlers({ 'loginSetups:test': unknownKey }), {
      attachTo: document.body,
    })
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()
    const trust = find(wrapper, 'trust-host-key-button')
    const cancel = find(wrapper, 'host-key-cancel-button')
    ;(cancel.element as HTMLElement).focus()
    await cancel.trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(trust.element)
    await trust.trigger('keydown', { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(cancel.element)

    await find(wrapper, 'host-key-dialog').trigger('keydown', { key: 'Escape' })
    expect(find(wrapper, 'host-key-dialog').exists()).toBe(false)
  })

  it('does not offer Trust to someone who may not pin host keys', async () => {
    const { wrapper } = await mountAt(`/login-setups/${CONDOR.id}/edit`, LoginSetupEditView, {
      ...editHandlers({ 'loginSetups:test': unknownKey }),
      'session:get': () => session(),
    })
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()
    expect(find(wrapper, 'trust-host-key-button').attributes('disabled')).toBeDefined()
    expect(find(wrapper, 'host-key-not-allowed').text()).toContain('superuser')
  })

  it('shows a refused test as an error, not as a result', async () => {
    const { wrapper } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({
        'loginSetups:test': () => {
          throw new AppError('FORBIDDEN', 'analysis may not test this setup')
        },
      }),
    )
    await find(wrapper, 'test-connection-button').trigger('click')
    await flushPromises()
    expect(find(wrapper, 'error-banner').text()).toContain('analysis may not test this setup')
    expect(find(wrapper, 'connection-test-result').exists()).toBe(false)
  })

  it('offers no connection test for a local setup', async () => {
    const { wrapper } = await mountAt(`/login-setups/${uuid(5)}/edit`, LoginSetupEditView, editHandlers({}, loginSetup(5)))
    expect(find(wrapper, 'test-connection-button').exists()).toBe(false)
    expect(find(wrapper, 'login-setup-secrets').exists()).toBe(false)
  })
})

describe('Key material in the secret store', () => {
  it('stores a key file passphrase, forgets the typed value, and never shows one back', async () => {
    let current = CONDOR
    const { wrapper, bridge } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({
        'loginSetups:get': () => current,
        'loginSetups:setSecret': (input) => {
          current = { ...current, rev: current.rev + 1, secretRef: input.value === null ? current.secretRef : 'login-setup:x' }
          return current
        },
        'loginSetups:update': (input) => ({ ...current, ...input.value, rev: current.rev + 1 }),
      }),
      { attachTo: document.body },
    )
    expect(find(wrapper, 'private-key-input').exists()).toBe(false)
    expect(find(wrapper, 'secret-none').exists()).toBe(true)
    // An unsaved edit in the form survives storing a secret.
    await find(wrapper, 'field-setup').setValue('source /opt/condor/setup.sh')

    await find(wrapper, 'passphrase-input').setValue('correct horse battery staple')
    await find(wrapper, 'save-passphrase-button').trigger('click')
    await flushPromises()

    expect(bridge.callsTo('loginSetups:setSecret')).toEqual([
      { experiment: 'samdev', role: 'superuser', id: CONDOR.id, kind: 'passphrase', value: 'correct horse battery staple' },
    ])
    expect((find(wrapper, 'passphrase-input').element as HTMLInputElement).value).toBe('')
    expect(find(wrapper, 'passphrase-input').attributes('type')).toBe('password')
    expect(find(wrapper, 'secret-stored').text()).toContain('stored in the secret store')
    expect(wrapper.text()).not.toContain('correct horse battery staple')
    expect((find(wrapper, 'field-setup').element as HTMLTextAreaElement).value).toBe('source /opt/condor/setup.sh')

    // The form's next save names the revision the secret store's answer carried.
    await wrapper.find('[data-testid="login-setup-form"]').trigger('submit')
    await flushPromises()
    expect(bridge.callsTo('loginSetups:update')[0]).toMatchObject({ expectedRev: 2, value: { setup: 'source /opt/condor/setup.sh' } })
  })

  it('removes a stored passphrase with a null value', async () => {
    const stored = { ...CONDOR, secretRef: 'login-setup:x' }
    const { wrapper, bridge } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({ 'loginSetups:setSecret': () => ({ ...stored, rev: 2 }) }, stored),
    )
    await find(wrapper, 'remove-passphrase-button').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('loginSetups:setSecret')[0]).toMatchObject({ kind: 'passphrase', value: null })
  })

  it('takes a pasted private key for a stored-key setup, and its passphrase', async () => {
    const storedKey = { ...CONDOR, authMethod: 'stored-key' as const, keyFile: '' }
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'
    const { wrapper, bridge } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers({ 'loginSetups:setSecret': () => ({ ...storedKey, rev: 2, secretRef: 'login-setup:y' }) }, storedKey),
      { attachTo: document.body },
    )
    expect(find(wrapper, 'passphrase-input').exists()).toBe(true)
    expect(find(wrapper, 'save-private-key-button').attributes('disabled')).toBeDefined()
    await find(wrapper, 'private-key-input').setValue(key)
    await find(wrapper, 'save-private-key-button').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('loginSetups:setSecret')[0]).toMatchObject({ kind: 'privateKey', value: key })
    expect((find(wrapper, 'private-key-input').element as HTMLTextAreaElement).value).toBe('')
    expect(wrapper.text()).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA')
    expect(find(wrapper, 'secret-stored').exists()).toBe(true)
  })

  it('shows a refused key in a toast and keeps it in the field to fix', async () => {
    const storedKey = { ...CONDOR, authMethod: 'stored-key' as const, keyFile: '' }
    const { wrapper } = await mountAt(
      `/login-setups/${CONDOR.id}/edit`,
      LoginSetupEditView,
      editHandlers(
        {
          'loginSetups:setSecret': () => {
            throw new AppError('BAD_INPUT', 'that is not a private key in OpenSSH or PEM format')
          },
        },
        storedKey,
      ),
      { attachTo: document.body },
    )
    await find(wrapper, 'private-key-input').setValue('ssh-ed25519 AAAA public key')
    await find(wrapper, 'save-private-key-button').trigger('click')
    await flushPromises()
    const { useToastsStore } = await import('../../renderer/src/stores/toasts')
    expect(useToastsStore().toasts.at(-1)).toMatchObject({ kind: 'error', title: 'that is not a private key in OpenSSH or PEM format' })
    expect((find(wrapper, 'private-key-input').element as HTMLTextAreaElement).value).toBe('ssh-ed25519 AAAA public key')
  })
})

describe('Login setups list', () => {
  it('tests a remote setup from its row and shows the result below the list', async () => {
    const { wrapper, bridge } = await mountAt('/login-setups', LoginSetupsView, {
      'session:get': admin,
      'loginSetups:list': () => ({ items: [loginSetup(5), CONDOR], nextCursor: null }),
      'loginSetups:test': connected,
    })
    const rows = wrapper.findAll('[data-testid="login-setup-row"]')
    expect(rows[0]!.find('[data-testid="test-connection-button"]').exists()).toBe(false)
    await rows[1]!.find('[data-testid="test-connection-button"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('loginSetups:test')[0]).toMatchObject({ id: CONDOR.id })
    expect(find(wrapper, 'connection-test-result').text()).toContain('condor-gpvm')
    expect(find(wrapper, 'connection-test-result').attributes('data-ok')).toBe('true')
  })
})

describe('Known hosts', () => {
  it('lists pinned keys and forgets one after the inline confirmation', async () => {
    let keys = [
      { host: '127.0.0.1', port: 2222, keyType: 'ssh-ed25519', fingerprint: FINGERPRINT, pinnedAt: Date.UTC(2025, 0, 15), pinnedBy: 'alice' },
      { host: 'gpvm01.example.org', port: 22, keyType: 'ecdsa-sha2-nistp256', fingerprint: OLD_FINGERPRINT, pinnedAt: Date.UTC(2025, 0, 16), pinnedBy: 'bob' },
    ]
    const { wrapper, bridge } = await mountAt('/known-hosts', KnownHostsView, {
      'session:get': admin,
      'sshHosts:list': () => keys,
      'sshHosts:forget': (input) => {
        keys = keys.filter((k) => !(k.host === input.host && k.port === input.port))
        return { forgotten: true }
      },
    })
    const rows = wrapper.findAll('[data-testid="known-host-row"]')
    expect(rows.map((row) => row.attributes('data-host'))).toEqual(['127.0.0.1:2222', 'gpvm01.example.org:22'])
    expect(rows[0]!.text()).toContain(FINGERPRINT)
    expect(rows[1]!.text()).toContain('bob')

    await rows[1]!.find('[data-testid="forget-host-button"]').trigger('click')
    expect(bridge.callsTo('sshHosts:forget')).toHaveLength(0)
    await rows[1]!.find('[data-testid="forget-host-button-confirm"]').trigger('click')
    await flushPromises()
    expect(bridge.callsTo('sshHosts:forget')).toEqual([{ host: 'gpvm01.example.org', port: 22 }])
    expect(wrapper.findAll('[data-testid="known-host-row"]').map((row) => row.attributes('data-host'))).toEqual(['127.0.0.1:2222'])
  })

  it('disables Forget for someone who may not pin host keys', async () => {
    const { wrapper } = await mountAt('/known-hosts', KnownHostsView, {
      'sshHosts:list': () => [{ host: 'h', port: 22, keyType: 'ssh-ed25519', fingerprint: FINGERPRINT, pinnedAt: 0, pinnedBy: 'alice' }],
    })
    expect(find(wrapper, 'forget-host-button').attributes('disabled')).toBeDefined()
  })
})
