import { createCore } from '../core/create-core'
import { runDesktopApp } from './desktop-app'

// Composition root of the Electron main process; everything that does work lives in the core.
void runDesktopApp({ createCore })
