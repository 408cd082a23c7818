import { appVersion } from './app-package'

/** The app version: injected at build time by electron-vite's `define`, else read from our package.json. */
declare const __POMS_VERSION__: string | undefined

export const APP_VERSION: string = typeof __POMS_VERSION__ === 'string' ? __POMS_VERSION__ : appVersion()
