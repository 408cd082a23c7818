import type { PomsBridge } from '../../../shared/api/bridge'
import { BRIDGE_GLOBAL } from '../../../shared/api/bridge'
import type { ResyncingBridge } from './bridge'
import { createElectronBridge, isExposedBridge } from './bridge-electron'
import { createHttpBridge } from './bridge-http'
import { createApiClient, type ApiClient } from './client'

export type { ApiClient } from './client'

let installed: ApiClient | null = null

/** The one place that looks at `window`: the preload's bridge when present, else browser mode. */
export function pickBridge(): ResyncingBridge {
  const exposed: unknown = Reflect.get(window, BRIDGE_GLOBAL)
  if (isExposedBridge(exposed)) return createElectronBridge(exposed)
  // Pasting the URL with a new token into a tab already open only changes the fragment, which
  // reloads nothing (and the hash router may already have rewritten it to `#/token=…`); start
  // again so the token is picked up.
  window.addEventListener('hashchange', () => {
    if (/^#\/?token=/.test(window.location.hash)) window.location.reload()
  })
  return createHttpBridge({
    location: window.location,
    history: window.history,
    storage: window.sessionStorage,
    fetch: window.fetch.bind(window),
    WebSocket: window.WebSocket,
  })
}

/** Chooses the transport once, at start-up; tests pass a fake bridge. */
export function installApi(bridge: PomsBridge | ResyncingBridge = pickBridge()): ApiClient {
  installed = createApiClient(bridge)
  return installed
}

export function useApi(): ApiClient {
  if (!installed) throw new Error('installApi() must run before the API is used')
  return installed
}
