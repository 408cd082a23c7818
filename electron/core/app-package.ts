import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const PACKAGE_NAME = 'poms-desktop'

interface PackageJson {
  name?: string
  version?: string
}

function readPackageJson(dir: string): PackageJson | null {
  const file = join(dir, 'package.json')
  if (!existsSync(file)) return null
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageJson
  } catch {
    return null
  }
}

export interface AppPackage {
  dir: string
  version: string
}

/** The nearest folder at or above `from` whose package.json is ours; other packages' are passed by. */
export function findAppPackage(from: string): AppPackage {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = readPackageJson(dir)
    if (pkg?.name === PACKAGE_NAME) return { dir, version: pkg.version ?? '0.0.0' }
    if (dirname(dir) === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} package.json above ${from}`)
  }
}

let cached: AppPackage | null = null

/**
 * Found by walking up from this file, so it works from the built out/main/cli.js (or a chunk beside
 * it) and from the TS source under tsx/vitest alike, without knowing how deep either sits.
 */
const app = (): AppPackage => (cached ??= findAppPackage(__dirname))

/** The app's root folder (the one with our package.json). */
export const appRoot = (): string => app().dir
export const appVersion = (): string => app().version
/** Files shipped with the app (sample job scripts). */
export const resourcesDir = (): string => join(appRoot(), 'resources')
/** The built renderer that the server serves. */
export const rendererDir = (): string => join(appRoot(), 'out', 'renderer')
