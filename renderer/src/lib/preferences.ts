/**
 * Small UI preferences kept in localStorage. Storage can be unavailable (private windows, quotas),
 * and a preference is never worth failing for, so errors are swallowed.
 */
const PREFIX = 'poms.'

export function readPreference(key: string): string | null {
  try {
    return localStorage.getItem(PREFIX + key)
  } catch {
    return null
  }
}

export function writePreference(key: string, value: string): void {
  try {
    localStorage.setItem(PREFIX + key, value)
  } catch {
    // not worth failing for
  }
}
