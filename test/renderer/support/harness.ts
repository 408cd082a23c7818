import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Component } from 'vue'
import { createMemoryHistory, type Router } from 'vue-router'
import { installApi } from '../../../renderer/src/api'
import { createAppRouter } from '../../../renderer/src/router'
import { useSessionStore } from '../../../renderer/src/stores/session'
import { FakeBridge, type Handlers } from './fake-bridge'
import { session } from './fixtures'

/** A fresh API (over a fake bridge) and a fresh Pinia, with the session loaded. */
export async function setUpApp(handlers: Handlers = {}) {
  const bridge = new FakeBridge({ 'session:get': () => session(), ...handlers })
  installApi(bridge)
  const pinia = createPinia()
  setActivePinia(pinia)
  await useSessionStore().load()
  return { bridge, pinia }
}

/**
 * Mounts a view at `path` with the real routes (memory history) and a fake bridge; `attachTo` puts
 * it in the document, for tests about focus.
 */
export async function mountAt(path: string, view: Component, handlers: Handlers = {}, options: { attachTo?: HTMLElement } = {}) {
  const { bridge, pinia } = await setUpApp(handlers)
  const router: Router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const props = router.currentRoute.value.params
  const wrapper = mount(view, { props, global: { plugins: [pinia, router] }, ...options })
  await flushPromises()
  return { bridge, router, wrapper }
}

/** Mounts one component with props, the real routes and a fake bridge (for panels used by several views). */
export async function mountComponent<C extends Component>(component: C, props: Record<string, unknown>, handlers: Handlers = {}, options: { attachTo?: HTMLElement } = {}) {
  const { bridge, pinia } = await setUpApp(handlers)
  const router: Router = createAppRouter(createMemoryHistory())
  await router.push('/')
  await router.isReady()
  const wrapper = mount(component as Component, { props, global: { plugins: [pinia, router] }, ...options })
  await flushPromises()
  return { bridge, router, wrapper }
}
