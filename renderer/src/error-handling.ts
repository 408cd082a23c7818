import type { App } from 'vue'

/**
 * Errors nobody caught become a toast the person can read, instead of a silent console line:
 * render and handler errors through Vue, forgotten promises through `unhandledrejection`.
 */
export function installGlobalErrorHandling(
  app: App,
  showError: (thrown: unknown) => void,
  target: Pick<Window, 'addEventListener'>,
): void {
  app.config.errorHandler = (thrown) => {
    console.error(thrown)
    showError(thrown)
  }
  target.addEventListener('unhandledrejection', (event) => {
    console.error(event.reason)
    showError(event.reason)
  })
}
