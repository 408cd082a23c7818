/** The app version, injected at build time by electron-vite's `define`, read from package.json under tsx/vitest. */
declare const __POMS_VERSION__: string | undefined

function readVersion(): string {
  if (typeof __POMS_VERSION__ === 'string') return __POMS_VERSION__
  return process.env.npm_package_version ?? '0.0.0-dev'
}

export const APP_VERSION = readVersion()
