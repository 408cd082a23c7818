import { contextBridge, ipcRenderer } from 'electron'
import { BRIDGE_GLOBAL } from '../../shared/api/bridge'
import { createPomsBridge } from './poms-bridge'

// Sandboxed preload: exposes `window.poms` and nothing else.
contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createPomsBridge(ipcRenderer))
