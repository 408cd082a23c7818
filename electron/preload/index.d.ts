import type { PomsBridge } from '../../shared/api/bridge'

// What the preload puts on the page. Optional: in browser mode there is no preload, and the renderer
// reads it through BRIDGE_GLOBAL anyway. Types only; nothing here is compiled into a bundle.
declare global {
  interface Window {
    poms?: PomsBridge
  }
}

export {}
