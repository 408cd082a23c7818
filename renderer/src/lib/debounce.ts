export interface Debounced {
  (): void
  cancel(): void
}

/** Runs `fn` once, `delayMs` after the last of a burst of calls (events arrive in bursts from the poller). */
export function debounce(fn: () => void, delayMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | null = null
  const debounced = (() => {
    if (timer !== null) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      fn()
    }, delayMs)
  }) as Debounced
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer)
    timer = null
  }
  return debounced
}
