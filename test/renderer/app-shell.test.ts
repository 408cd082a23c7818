import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, defineComponent, h, nextTick } from 'vue'
import { createMemoryHistory } from 'vue-router'
import App from '../../renderer/src/App.vue'
import { installApi } from '../../renderer/src/api'
import { reflectAppState } from '../../renderer/src/app-state'
import { installGlobalErrorHandling } from '../../renderer/src/error-handling'
import { createAppRouter } from '../../renderer/src/router'
import { useSessionStore } from '../../renderer/src/stores/session'
import { useToastsStore } from '../../renderer/src/stores/toasts'
import { AppError } from '../../shared/errors'
import { FakeBridge, type Handlers } from './support/fake-bridge'
import { campaign, session } from './support/fixtures'

async function mountApp(handlers: Handlers, path = '/campaigns') {
  const bridge = new FakeBridge({
    'campaigns:list': () => ({ items: [campaign(1)], nextCursor: null }),
    'tasks:list': () => [],
    ...handlers,
  })
  installApi(bridge)
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  const body = document.createElement('body')
  const sessionStore = useSessionStore()
  reflectAppState(() => sessionStore.status, body)
  const loaded = sessionStore.load()
  const wrapper = mount(App, { global: { plugins: [pinia, router] } })
  await loaded
  await flushPromises()
  return { bridge, router, wrapper, body }
}

beforeEach(() => {
  localStorage.clear()
})
afterEach(() => {
  vi.restoreAllMocks()
})

describe('App shell', () => {
  it('marks the body ready once the session loads, and shows the nav and the routed view', async () => {
    const { wrapper, body } = await mountApp({ 'session:get': () => session() })
    expect(body.dataset.appState).toBe('ready')
    for (const testid of ['nav-campaigns', 'nav-submissions', 'nav-schedules', 'nav-queued-launches', 'nav-login-setups', 'nav-known-hosts', 'nav-job-types', 'nav-audit']) {
      expect(wrapper.find(`[data-testid="${testid}"]`).exists()).toBe(true)
    }
    expect(wrapper.find('[data-testid="campaign-row"]').text()).toContain('campaign-1')
    expect((wrapper.find('[data-testid="experiment-picker"]').element as HTMLSelectElement).value).toBe('samdev')
  })

  it('marks the body error and explains where the token comes from when it is missing', async () => {
    const { wrapper, body } = await mountApp({
      'session:get': () => {
        throw new AppError('UNAUTHENTICATED', 'no token')
      },
    })
    expect(body.dataset.appState).toBe('error')
    const page = wrapper.find('[data-testid="access-required"]')
    expect(page.text()).toContain('npm run web')
    expect(page.text()).toContain('poms serve')
    expect(page.text()).toContain('#token=')
  })

  it('marks the body error and offers a retry when the session cannot load', async () => {
    const { wrapper, body, bridge } = await mountApp({
      'session:get': () => {
        throw new AppError('UNAVAILABLE', 'store locked')
      },
    })
    expect(body.dataset.appState).toBe('error')
    expect(wrapper.find('[data-testid="error-banner"]').text()).toContain('store locked')
    bridge.handle('session:get', () => session())
    await wrapper.find('[data-testid="retry-session"]').trigger('click')
    await flushPromises()
    expect(body.dataset.appState).toBe('ready')
  })

  it('refetches the view in the experiment picked in the header', async () => {
    const { wrapper, bridge } = await mountApp({ 'session:get': () => session() })
    await wrapper.find('[data-testid="experiment-picker"]').setValue('nova')
    await flushPromises()
    expect(bridge.callsTo('campaigns:list').at(-1)).toMatchObject({ experiment: 'nova', role: 'analysis' })
    expect((wrapper.find('[data-testid="role-picker"]').element as HTMLSelectElement).value).toBe('analysis')
  })
})

describe('global error handling', () => {
  it('turns render errors and unhandled rejections into toasts with the API message', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {})
    installApi(new FakeBridge())
    const pinia = createPinia()
    setActivePinia(pinia)
    const toasts = useToastsStore()
    const target = new EventTarget()
    const Broken = defineComponent({
      setup() {
        throw new AppError('NOT_FOUND', 'campaign c-XXXXXX was not found')
      },
      render: () => h('div'),
    })
    const app = createApp(Broken)
    installGlobalErrorHandling(app, toasts.pushError, target as unknown as Window)
    app.mount(document.createElement('div'))
    await nextTick()
    expect(toasts.toasts.at(-1)).toMatchObject({ kind: 'error', title: 'Not found', lines: ['campaign c-XXXXXX was not found'] })

    const rejection = new Event('unhandledrejection') as Event & { reason?: unknown }
    rejection.reason = new AppError('CONFLICT', 'stage rev 3 is stale')
    target.dispatchEvent(rejection)
    expect(toasts.toasts.at(-1)!.title).toContain('Changed by someone else')
    expect(logged).toHaveBeenCalledTimes(2)
  })
})
